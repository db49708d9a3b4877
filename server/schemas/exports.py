"""Schemas of the integrations listing (/api/exports/inspections)."""
from marshmallow import Schema, fields, validate

from ..models.types import MAX_ROW_ID

ROW_ID = validate.Range(min=1, max=MAX_ROW_ID)


class ExportQuerySchema(Schema):
    modified_since = fields.AwareDateTime(load_default=None, default_timezone=None,
                                          metadata={"description": "Only inspections changed at or after this "
                                                    "instant (ISO 8601 with a time zone)."})
    period_start = fields.Date(load_default=None)
    period_end = fields.Date(load_default=None)
    plan_id = fields.Int(load_default=None, validate=ROW_ID)
    checklist_id = fields.Int(load_default=None, validate=ROW_ID)
    unit_id = fields.Int(load_default=None, validate=ROW_ID)


class ExportedInspectionSchema(Schema):
    id = fields.Int()
    uuid = fields.Str()
    plan_id = fields.Int(allow_none=True)
    unit_code = fields.Str(attribute="unit_code_snapshot")
    unit_name = fields.Str(attribute="unit_name_snapshot")
    checklist_key = fields.Function(lambda i: i.checklist_version.checklist.key)
    checklist_version = fields.Function(lambda i: i.checklist_version.number)
    kind = fields.Str()
    status = fields.Str()
    team = fields.Function(lambda i: i.team.name if i.team else None)
    window_start = fields.Date(allow_none=True)
    window_end = fields.Date(allow_none=True)
    checked_in_at = fields.DateTime(allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    concluded_at = fields.DateTime(allow_none=True)
    score = fields.Function(lambda i: (i.score or {}).get("score"))
    maximum = fields.Function(lambda i: (i.score or {}).get("maximum"))
    score_percent = fields.Float(allow_none=True)
    band = fields.Function(lambda i: ((i.score or {}).get("band") or {}).get("label"))
    result = fields.Str(allow_none=True)
    updated_at = fields.DateTime()
