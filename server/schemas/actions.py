"""Marshmallow schemas for remediation actions."""
from marshmallow import Schema, fields

from ..services.foundation.settings import local_today


class ActionEventSchema(Schema):
    kind = fields.Str()
    from_status = fields.Str(allow_none=True)
    to_status = fields.Str(allow_none=True)
    note = fields.Str(allow_none=True)
    data = fields.Dict(allow_none=True)
    actor = fields.Function(lambda e: e.actor.username if e.actor else None)
    created_at = fields.DateTime()
    evidence = fields.Function(lambda e: [{"uuid": f.uuid, "kind": f.kind, "mime_type": f.mime_type,
                                           "name": f.original_name} for f in e.evidence])


def _title(action) -> str:
    from ..services.remediation.actions import title_in

    return title_in(action)  # in the caller's language, like the pages


class ActionSchema(Schema):
    id = fields.Int()
    title = fields.Function(_title)
    status = fields.Str()
    severity = fields.Str()
    priority = fields.Str()
    deadline = fields.Date()
    overdue = fields.Function(lambda a: a.is_overdue(local_today()))
    unit_code = fields.Function(lambda a: a.unit.code)
    unit_name = fields.Function(lambda a: a.unit.name)
    inspection_uuid = fields.Function(lambda a: a.inspection.uuid)
    item_keys = fields.List(fields.Str())
    created_at = fields.DateTime()
    closed_at = fields.DateTime(allow_none=True)


class ActionDetailSchema(ActionSchema):
    description = fields.Str(allow_none=True)
    finding_snapshot = fields.List(fields.Dict())
    events = fields.List(fields.Nested(ActionEventSchema))


class ActionQuerySchema(Schema):
    status = fields.Str(load_default=None)
    overdue = fields.Bool(load_default=False)
