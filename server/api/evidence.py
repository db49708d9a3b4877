"""Evidence upload and serving."""

from flask import abort, current_app, send_file
from flask_babel import gettext as _
from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from ..errors import user_error
from ..extensions import db
from ..models import ActionEvent
from ..permissions import authorize, authorized_inspection
from ..schemas.evidence import EvidenceFileSchema, EvidenceSchema, EvidenceUploadSchema
from ..services.fieldwork import completeness
from ..services.evidence import files as evidence_service
from ..services.fieldwork import inspections as inspection_service

blp = Blueprint("evidence", __name__, url_prefix="/api/evidence", description="Evidence files (photos, signatures)")

VARIANT_TYPES = {"display": "image/jpeg", "thumb": "image/jpeg"}


def storage():
    return current_app.extensions["kiemtra.storage"]


@blp.route("")
class EvidenceUpload(MethodView):
    decorators = [login_required]

    @blp.arguments(EvidenceUploadSchema, location="form")
    @blp.arguments(EvidenceFileSchema, location="files")
    @blp.response(201, EvidenceSchema)
    @blp.alt_response(200, schema=EvidenceSchema, description="The same file was already stored under this UUID.")
    @blp.alt_response(409, description="Another file was already stored under this UUID.")
    def post(self, form, files):
        """Upload a photo or signature for an answer or a finding."""
        inspection = authorized_inspection("evidence.upload", uuid=form["inspection_uuid"])
        if not completeness.may_arrive(inspection, str(form["uuid"])):
            raise user_error(409, _("This inspection is approved: only the photos and signatures its submission "
                                    "announced can still be sent."))
        finding = None
        if form["finding_uuid"] is not None:
            finding = inspection_service.get_finding(form["finding_uuid"])
            if finding is None:
                abort(404)
        upload = files["file"]
        try:
            row, created = evidence_service.store_evidence(
                storage(), evidence_service.settings_from_config(current_app.config),
                uuid=str(form["uuid"]), data=upload.read(), kind=form["kind"],
                inspection=inspection, item_key=form["item_key"], finding=finding,
                original_name=upload.filename, uploader=current_user, reported_taken_at=form["taken_at"],
                reported_position=(form["lat"], form["lon"]) if None not in (form["lat"], form["lon"]) else None,
            )
        except evidence_service.EvidenceError as exc:
            db.session.rollback()
            raise user_error(exc.status, exc.message) from exc
        db.session.commit()
        return row, (201 if created else 200)


@blp.route("/<uuid:uuid>/withdrawal")
class EvidenceWithdrawal(MethodView):
    decorators = [login_required]

    @blp.response(200, EvidenceSchema)
    @blp.alt_response(403, description="The inspection is not returned to the team, or not the user's team's.")
    @blp.alt_response(422, description="Not a photo of an inspection (signatures are signed again instead).")
    def post(self, uuid):
        """Withdraw a photo already sent, before resubmitting a returned inspection.

        It stays stored and visible to the lead as withdrawn, and no longer
        counts as evidence of its item. Withdrawing it again changes nothing."""
        row = evidence_service.find_by_uuid(str(uuid))
        if row is None or row.inspection_id is None:
            abort(404)
        authorized_inspection("evidence.withdraw", id=row.inspection_id, for_update=True)
        try:
            evidence_service.withdraw_photo(row, current_user)
        except evidence_service.EvidenceError as exc:
            db.session.rollback()
            raise user_error(exc.status, exc.message) from exc
        db.session.commit()
        return row


@blp.route("/<uuid:uuid>/<any(display, thumb, original):variant>")
class EvidenceContent(MethodView):
    decorators = [login_required]

    @blp.response(200, description="The image bytes (JPEG for display and thumb).")
    def get(self, uuid, variant):
        """A stored file, to whoever may see its inspection."""
        row = evidence_service.find_by_uuid(str(uuid))
        if row is None:
            abort(404)
        if row.action_event_id is not None:
            # Evidence of a remediation update: whoever may see the action
            # (its unit's officers, leads, the team).
            authorize("action.view", db.session.get(ActionEvent, row.action_event_id).action)
        else:
            authorize("inspection.view", row.inspection)
        key = evidence_service.variant_key(row, variant)
        if key is None or not storage().exists(key):
            abort(404)
        response = send_file(
            storage().open(key), mimetype=VARIANT_TYPES.get(variant, row.mime_type),
            etag=key.rsplit("/", 1)[-1].split(".")[0], conditional=True, max_age=31536000,
            download_name=f"{row.uuid}-{variant}.{key.rsplit('.', 1)[-1]}",
            # Documents are downloaded, never rendered in the app's origin.
            as_attachment=row.kind == "document",
        )
        # Private: behind sign-in. Immutable: the key is the content's hash.
        response.cache_control.public = False
        response.cache_control.private = True
        response.cache_control.immutable = True
        return response
