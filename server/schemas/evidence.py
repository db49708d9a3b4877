"""Marshmallow schemas for evidence files and check-in."""
from flask import url_for
from marshmallow import Schema, fields, validate


class EvidenceUploadSchema(Schema):
    uuid = fields.UUID(required=True, metadata={"description": "Client-generated; a re-send with the same bytes is a no-op."})
    kind = fields.Str(load_default="photo", validate=validate.OneOf(["photo", "signature"]))
    inspection_uuid = fields.UUID(required=True)
    item_key = fields.Str(load_default=None, validate=validate.Length(max=100))
    finding_uuid = fields.UUID(load_default=None)
    # What the phone read from the photo's EXIF before resizing it (a resized
    # JPEG carries none); used only when the file itself has none.
    taken_at = fields.AwareDateTime(load_default=None, metadata={"description": "Client-reported EXIF time."})
    lat = fields.Float(load_default=None, validate=validate.Range(-90, 90))
    lon = fields.Float(load_default=None, validate=validate.Range(-180, 180))


class EvidenceFileSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


def _urls(row):
    return {
        variant: url_for("evidence.EvidenceContent", uuid=row.uuid, variant=variant)
        for variant, key in (("display", row.display_key), ("thumb", row.thumb_key), ("original", row.original_key))
        if key
    }


class EvidenceSchema(Schema):
    uuid = fields.Str(dump_only=True)
    sha256 = fields.Str(dump_only=True)
    kind = fields.Str(dump_only=True)
    mime_type = fields.Str(dump_only=True)
    size = fields.Int(dump_only=True)
    width = fields.Int(dump_only=True, allow_none=True)
    height = fields.Int(dump_only=True, allow_none=True)
    taken_at = fields.DateTime(dump_only=True, allow_none=True)
    lat = fields.Float(dump_only=True, allow_none=True)
    lon = fields.Float(dump_only=True, allow_none=True)
    item_key = fields.Str(dump_only=True, allow_none=True)
    flags = fields.List(fields.Dict(), dump_only=True, allow_none=True)
    withdrawn_at = fields.DateTime(dump_only=True, allow_none=True)
    urls = fields.Function(_urls, dump_only=True)


class CheckInSchema(Schema):
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))
    accuracy_m = fields.Float(load_default=None, validate=validate.Range(min=0))
    at = fields.AwareDateTime(load_default=None, metadata={"description": "When the position was taken (ISO 8601 with offset)."})


class CheckInResultSchema(Schema):
    uuid = fields.Str()
    status = fields.Str()
    checked_in_at = fields.DateTime()
    checkin_distance_m = fields.Float(allow_none=True)
    checkin_accuracy_m = fields.Float(allow_none=True)
    checkin_flags = fields.List(fields.Dict())
