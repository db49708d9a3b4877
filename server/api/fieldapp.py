"""The field app's JSON API: an inspection in full, and submitting it."""
from types import SimpleNamespace

from flask import jsonify
from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint
from flask_smorest import abort as api_abort
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Inspection
from ..permissions import authorized_inspection, redact
from ..schemas.fieldapp import InspectionDetailSchema, SubmissionResultSchema, SubmissionSchema
from ..services.foundation import settings as org_settings
from ..services.fieldwork import submissions

blp = Blueprint("fieldapp_api", __name__, url_prefix="/api/inspections", description="Field app: conduct and submit")


def _inspection(uuid, action: str, **how):
    return authorized_inspection(action, uuid=uuid, **how)


class _Detail:
    """The inspection, with the field app's extra data in front of its attributes."""

    def __init__(self, inspection, extra: dict):
        self._inspection, self._extra = inspection, extra

    def __getattr__(self, name):
        return self._extra[name] if name in self._extra else getattr(self._inspection, name)


@blp.route("/<uuid:uuid>")
class InspectionDetail(MethodView):
    decorators = [login_required]

    @blp.response(200, InspectionDetailSchema)
    def get(self, uuid):
        """An inspection with its checklist, unit, stored content, review comments and held evidence."""
        inspection = _inspection(uuid, "inspection.view")
        # The server's own limits, so the phone warns by the rule the lead's flags use.
        rules = {"radius_m": org_settings.get("CHECKIN_RADIUS_M"),
                 "poor_accuracy_m": org_settings.get("POOR_ACCURACY_M")}
        extra = submissions.field_copy(inspection) | {"location_rules": rules}
        detail = InspectionDetailSchema().dump(_Detail(inspection, extra))
        # The fields the user may receive, by the same rule as the list's.
        return jsonify(redact(current_user, inspection, detail))


@blp.route("/<uuid:uuid>/submission")
class InspectionSubmission(MethodView):
    decorators = [login_required]

    @blp.arguments(SubmissionSchema)
    @blp.response(201, SubmissionResultSchema)
    @blp.alt_response(200, schema=SubmissionResultSchema, description="This submission was already stored.")
    @blp.alt_response(409, description="The inspection is not open for submission.")
    @blp.alt_response(422, description="Answers that do not fit the checklist, or a photo or signature the "
                                       "checklist requires missing, by item key; nothing was written.")
    def post(self, args, uuid):
        """Submit the inspection (or resubmit it after a return, with a reason)."""
        # Locked now: two phones of the team submitting at once, the second waits here.
        # With its checklist version, which the answers are checked against, in the same statement.
        inspection = _inspection(uuid, "inspection.submit", for_update=True,
                                 options=[joinedload(Inspection.checklist_version)])
        content = submissions.SubmittedContent(
            answers=args["answers"],
            findings=[dict(f, uuid=str(f["uuid"])) for f in args["findings"]],
            attendees=args["attendees"],
            signatures=_signatures(args["signatures"]),
            started_at=args["started_at"], ended_at=args["ended_at"],
            photos=[{"uuid": str(p["uuid"]), "kind": p["kind"], "item_key": p["item_key"],
                     "finding_uuid": str(p["finding_uuid"]) if p["finding_uuid"] else None} for p in args["photos"]],
            photo_uuids=[str(u) for u in args["photo_uuids"]],
        )
        try:
            row, created = submissions.submit(inspection, current_user, str(args["submission_uuid"]), content,
                                              reason=args["reason"], locked=True)
        except submissions.SubmissionError as exc:
            db.session.rollback()
            api_abort(exc.status, message=exc.message, errors={"items": exc.problems} if exc.problems else None)
        # Read before the commit, which expires the rows: no reload afterwards.
        result = SimpleNamespace(
            submission_uuid=row.uuid, uuid=inspection.uuid, status=inspection.status, revision=inspection.revision,
            score_percent=inspection.score_percent, result=inspection.result,
            expected_photo_uuids=list(row.photo_uuids or []),
            evidence_uuids=submissions.held_evidence_uuids(inspection),
        )
        db.session.commit()
        return result, (201 if created else 200)


def _signatures(value: dict | None) -> dict | None:
    """Only what was given: {"lead": {"name", "evidence_uuid"}, "secretary": {...},
    "unit": {...} | {"refused", "reason"}}."""
    if not value:
        return None
    out = {}
    for side in ("lead", "secretary", "unit"):
        sig = value.get(side)
        if not sig:
            continue
        if sig.get("refused"):
            out[side] = {"refused": True, "reason": (sig.get("reason") or "").strip(), "name": sig.get("name")}
        else:
            out[side] = {"name": sig.get("name"), "evidence_uuid": sig.get("evidence_uuid")}
            if sig.get("typed"):  # confirmed by typing the full name instead of drawing
                out[side]["typed"] = True
    return out or None
