"""Remediation actions, read-only, for integrations and dashboards elsewhere."""
from flask import abort
from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from ..extensions import db
from ..models import RemediationAction, Role
from ..permissions import authorize
from ..schemas.actions import ActionDetailSchema, ActionQuerySchema, ActionSchema
from ..services.foundation.settings import local_today
from ..services.remediation.actions import visible_actions

blp = Blueprint("actions_api", __name__, url_prefix="/api/actions", description="Remediation actions")


@blp.route("")
class ActionList(MethodView):
    decorators = [login_required]

    @blp.arguments(ActionQuerySchema, location="query")
    @blp.response(200, ActionSchema(many=True))
    def get(self, args):
        """The actions the user may see (a unit officer: their unit's), overdue first."""
        if current_user.role != Role.UNIT_OFFICER:
            authorize("action.list")
        return visible_actions(current_user, status=args["status"], only_overdue=args["overdue"], today=local_today())


@blp.route("/<int:action_id>")
class ActionDetail(MethodView):
    decorators = [login_required]

    @blp.response(200, ActionDetailSchema)
    def get(self, action_id):
        """One action with its finding snapshot and timeline."""
        action = db.session.get(RemediationAction, action_id)
        if action is None:
            abort(404)
        authorize("action.view", action)
        return action
