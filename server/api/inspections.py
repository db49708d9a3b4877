"""Inspections visible to the signed-in user."""

from flask import jsonify
from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from ..errors import user_error
from ..extensions import db
from ..models.types import utcnow
from ..permissions import authorize, authorized_inspection
from ..schemas.evidence import CheckInResultSchema, CheckInSchema
from ..schemas.inspections import InspectionSummarySchema, MeSchema
from ..services.fieldwork import checkin as fieldwork
from ..services.fieldwork import inspections as inspection_service
from ..services.foundation import settings as org_settings
from ..services.foundation.settings import local_today

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
        # Already in the schema's shape (tests compare it with the schema's dump): returned as is.
        return jsonify(inspection_service.listed_inspections(current_user, today=local_today()))


@blp.route("/inspections/<uuid:uuid>/checkin")
class CheckIn(MethodView):
    decorators = [login_required]

    @blp.arguments(CheckInSchema)
    @blp.response(200, CheckInResultSchema)
    def post(self, args, uuid):
        """Check in on site with the phone's position; flags, never refuses, a far or vague one."""
        # Locked: a team-mate's submission being written must not be set back to "in progress".
        inspection = authorized_inspection("inspection.conduct", uuid=uuid, for_update=True)
        try:
            fieldwork.check_in(
                inspection, current_user, lat=args["lat"], lon=args["lon"], accuracy_m=args["accuracy_m"],
                at=args["at"] or utcnow(), radius_m=org_settings.get("CHECKIN_RADIUS_M"),
                poor_accuracy_m=org_settings.get("POOR_ACCURACY_M"),
            )
        except fieldwork.FieldworkError as exc:
            db.session.rollback()
            raise user_error(exc.status, exc.message) from exc
        db.session.commit()
        return inspection
