"""Marshmallow schemas for inspections."""
from marshmallow import Schema, fields


class InspectionSummarySchema(Schema):
    id = fields.Int(dump_only=True)
    uuid = fields.Str(dump_only=True)
    kind = fields.Str(dump_only=True)
    status = fields.Str(dump_only=True)
    unit_code = fields.Str(attribute="unit_code_snapshot", dump_only=True)
    unit_name = fields.Str(attribute="unit_name_snapshot", dump_only=True)
    checklist_key = fields.Function(lambda i: i.checklist_version.checklist.key, dump_only=True)
    checklist_version = fields.Function(lambda i: i.checklist_version.number, dump_only=True)
    team = fields.Function(lambda i: i.team.name if i.team else None, dump_only=True)
    window_start = fields.Date(dump_only=True, allow_none=True)
    window_end = fields.Date(dump_only=True, allow_none=True)
    checked_in_at = fields.DateTime(dump_only=True, allow_none=True)
    # Left out, like every field but the outline (permissions.OUTLINE_FIELDS), for
    # a user who may not view the inspection in full: its unit before the conclusion.
    score_percent = fields.Float(dump_only=True, allow_none=True, metadata={
        "description": "Only for those who may view the inspection in full (its unit: once concluded)."})
    result = fields.Str(dump_only=True, allow_none=True, metadata={
        "description": "Only for those who may view the inspection in full (its unit: once concluded)."})
    cancel_reason = fields.Str(dump_only=True, allow_none=True, metadata={
        "description": "Why the lead cancelled it (status cancelled); not for the inspected unit."})
    updated_at = fields.DateTime(dump_only=True, metadata={
        "description": "Changes with every change of the inspection itself (not of its evidence)."})


class MeSchema(Schema):
    id = fields.Int()
    username = fields.Str()
    full_name = fields.Str()
    role = fields.Str()
    unit_id = fields.Int(allow_none=True)
    locale = fields.Str(allow_none=True)
