"""Inspections visible to the signed-in user."""
from datetime import date

from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from ..permissions import authorize
from ..schemas.inspections import InspectionSummarySchema, MeSchema
from ..services import inspections as inspection_service

blp = Blueprint("inspections", __name__, url_prefix="/api", description="Inspections")


@blp.route("/me")
class Me(MethodView):
    decorators = [login_required]

    @blp.response(200, MeSchema)
    def get(self):
        """The signed-in user."""
        return current_user


@blp.route("/inspections")
class InspectionList(MethodView):
    decorators = [login_required]

    @blp.response(200, InspectionSummarySchema(many=True))
    def get(self):
        """Inspections the user may see, today's first."""
        authorize("inspection.list")
        return inspection_service.visible_inspections(current_user, today=date.today())
