"""Marshmallow schemas for the field app: an inspection in full, and a submission."""
from flask import url_for
from marshmallow import Schema, fields, validate

from .inspections import InspectionSummarySchema

SEVERITY = validate.OneOf(["minor", "major", "critical"])


class LocationSchema(Schema):
    label = fields.Str(allow_none=True)
    lat = fields.Float()
    lon = fields.Float()


class UnitSchema(Schema):
    code = fields.Str(attribute="unit_code_snapshot")
    name = fields.Str(attribute="unit_name_snapshot")
    locations = fields.Function(lambda i: LocationSchema(many=True).dump(i.unit.locations))


class AnswerSchema(Schema):
    item_key = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    value = fields.Raw(load_default=None, allow_none=True,
                       metadata={"description": "Shape by item type: see services/checklists/scoring.py."})
    na = fields.Bool(load_default=False)
    note = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=5000))


class AnswerList(fields.List):
    """A list of AnswerSchema, checked without marshmallow when every answer is
    in the usual shape: a submission carries dozens, and loading each through
    its schema was a tenth of the submission's time. Any other list goes through
    marshmallow, so errors and conversions stay marshmallow's own (a test
    compares the two on arbitrary input)."""

    def __init__(self, **kwargs):
        super().__init__(fields.Nested(AnswerSchema), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if type(value) is list and all(map(_plain_answer, value)):
            return [{"item_key": a["item_key"], "value": a.get("value"), "na": a.get("na", False),
                     "note": a.get("note")} for a in value]
        return super()._deserialize(value, attr, data, **kwargs)


_ANSWER_FIELDS = frozenset(AnswerSchema._declared_fields)


def _plain_answer(answer) -> bool:
    """An answer AnswerSchema would load unchanged."""
    if type(answer) is not dict or not answer.keys() <= _ANSWER_FIELDS:
        return False
    key, na, note = answer.get("item_key"), answer.get("na", False), answer.get("note")
    return (type(key) is str and 1 <= len(key) <= 100 and type(na) is bool
            and (note is None or (type(note) is str and len(note) <= 5000)))


class FindingSchema(Schema):
    uuid = fields.UUID(required=True, metadata={"description": "Client-generated."})
    item_key = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=100))
    severity = fields.Str(required=True, validate=SEVERITY)
    description = fields.Str(required=True, validate=validate.Length(min=1, max=10000))
    photo_uuids = fields.List(fields.Str(), dump_only=True)


class AttendeeSchema(Schema):
    side = fields.Str(required=True, validate=validate.OneOf(["team", "unit"]))
    name = fields.Str(required=True, validate=validate.Length(min=1, max=255))
    position = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=255))


class SignatureSchema(Schema):
    name = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=255))
    evidence_uuid = fields.Str(load_default=None, allow_none=True, validate=validate.Length(equal=36),
                               metadata={"description": "The signature image, uploaded as kind=signature."})
    refused = fields.Bool(load_default=False)
    reason = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    typed = fields.Bool(load_default=False, metadata={
        "description": "The signer confirmed by typing their full name (`name`) instead of drawing; "
                       "accepted for the team lead."})


class SignaturesSchema(Schema):
    lead = fields.Nested(SignatureSchema, load_default=None, allow_none=True)
    secretary = fields.Nested(SignatureSchema, load_default=None, allow_none=True, metadata={
        "description": "The team's secretary, who took the minutes and signs them with the lead (optional)."})
    unit = fields.Nested(SignatureSchema, load_default=None, allow_none=True)


class AnnouncedPhotoSchema(Schema):
    uuid = fields.UUID(required=True, metadata={"description": "The evidence UUID the upload will carry."})
    kind = fields.Str(load_default="photo", validate=validate.OneOf(["photo", "signature"]))
    item_key = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=100),
                          metadata={"description": "The item it shows: counts for the item's evidence rule."})
    finding_uuid = fields.UUID(load_default=None, allow_none=True, metadata={"description": "The finding it shows."})


class SubmissionSchema(Schema):
    submission_uuid = fields.UUID(required=True, metadata={
        "description": "Client-generated; a re-send of the same submission changes nothing and answers 200."})
    reason = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=5000),
                        metadata={"description": "Required when resubmitting a returned inspection."})
    started_at = fields.AwareDateTime(load_default=None, allow_none=True)
    ended_at = fields.AwareDateTime(load_default=None, allow_none=True)
    answers = AnswerList(load_default=list)
    findings = fields.List(fields.Nested(FindingSchema), load_default=list)
    attendees = fields.List(fields.Nested(AttendeeSchema), load_default=list)
    signatures = fields.Nested(SignaturesSchema, load_default=None, allow_none=True)
    photos = fields.List(fields.Nested(AnnouncedPhotoSchema), load_default=list, metadata={
        "description": "The photos and signature images the phone will upload next, each with where it belongs. "
                       "An item whose evidence rule asks for a photo (`always`, or `on_fail` when it failed) "
                       "needs one here or already held, else the submission is refused (422)."})
    photo_uuids = fields.List(fields.UUID(), load_default=list, metadata={
        "description": "Evidence UUIDs to follow without saying where they belong (they count for no item); "
                       "see `expected_photo_uuids` in the answer."})


class SubmissionResultSchema(Schema):
    submission_uuid = fields.Str()
    uuid = fields.Str(metadata={"description": "The inspection."})
    status = fields.Str()
    revision = fields.Int()
    score_percent = fields.Float(allow_none=True)
    result = fields.Str(allow_none=True)
    expected_photo_uuids = fields.List(fields.Str(), metadata={
        "description": "Every evidence UUID announced: `photos`, `photo_uuids` and the signature images."})
    evidence_uuids = fields.List(fields.Str(), metadata={"description": "Evidence the server holds."})


class ReviewCommentSchema(Schema):
    id = fields.Int()
    item_key = fields.Str(allow_none=True)
    body = fields.Str()
    kind = fields.Str(metadata={"description": "`return`: what the team is asked to fix (resolved by the "
                                               "resubmission); `approval`: the lead's remark with the approval."})
    author = fields.Function(lambda c: (c.author.full_name or c.author.username) if c.author else None)
    created_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)


def _evidence_urls(row: dict):
    return {v: url_for("evidence.EvidenceContent", uuid=row["uuid"], variant=v) for v in ("display", "thumb")}


class HeldEvidenceSchema(Schema):
    uuid = fields.Str()
    kind = fields.Str()
    item_key = fields.Str(allow_none=True)
    finding_uuid = fields.Str(allow_none=True)
    withdrawn_at = fields.DateTime(allow_none=True, metadata={
        "description": "Withdrawn by the team before a resubmission: kept, but evidence of nothing."})
    urls = fields.Function(_evidence_urls)


class InspectionDetailSchema(InspectionSummarySchema):
    """Everything the phone needs to conduct an inspection offline."""

    checklist = fields.Function(lambda i: i.definition, dump_only=True)
    unit = fields.Function(lambda i: UnitSchema().dump(i), dump_only=True)
    place = fields.Str(dump_only=True, allow_none=True)
    revision = fields.Int(dump_only=True)
    started_at = fields.DateTime(dump_only=True, allow_none=True)
    ended_at = fields.DateTime(dump_only=True, allow_none=True)
    submitted_at = fields.DateTime(dump_only=True, allow_none=True)
    checkin_distance_m = fields.Float(dump_only=True, allow_none=True)
    checkin_accuracy_m = fields.Float(dump_only=True, allow_none=True)
    checkin_flags = fields.List(fields.Dict(), dump_only=True, allow_none=True, metadata={
        "description": "What the lead is told about the check-in's position (services/evidence/geo.py location_flags)."})
    location_rules = fields.Dict(dump_only=True, metadata={
        "description": "The limits check-ins are flagged by: radius_m (distance to the unit), poor_accuracy_m."})
    answers = fields.List(fields.Nested(AnswerSchema), dump_only=True)
    findings = fields.List(fields.Nested(FindingSchema), dump_only=True)
    attendees = fields.List(fields.Nested(AttendeeSchema), dump_only=True)
    signatures = fields.Dict(dump_only=True, allow_none=True)
    review_comments = fields.List(fields.Nested(ReviewCommentSchema), dump_only=True)
    evidence = fields.List(fields.Nested(HeldEvidenceSchema), dump_only=True)
    evidence_uuids = fields.List(fields.Str(), dump_only=True, metadata={"description": "Evidence the server holds."})
    expected_photo_uuids = fields.List(fields.Str(), dump_only=True)
