"""A checklist with every item type and a team with an inspection, for the
field-app tests (API, service and browser). Call inside an app context."""
from __future__ import annotations

from server.extensions import db
from server.models import InspectionKind, Role
from tests.factories import make_inspection, make_team, make_unit, make_user, normalised

BA_DINH = (21.0359, 105.8340)

FIELD_CHECKLIST = normalised({
    "key": "field",
    "title": {"vi": "Kiểm tra Bộ phận Một cửa", "en": "One-stop shop inspection"},
    "scoring": {"pass_mark": 80},
    "sections": [
        {"key": "co-so", "title": {"vi": "Cơ sở vật chất", "en": "Premises"}, "items": [
            {"key": "bien-hieu", "type": "pass_fail", "text": {"vi": "Biển hiệu rõ ràng", "en": "Clear signage"},
             "points": 2, "allow_na": True, "evidence": {"photo": "on_fail"},
             "finding": {"severity": "major", "remediation_days": 15}},
            {"key": "wifi", "type": "yes_no", "text": {"vi": "Có Wi-Fi", "en": "Wi-Fi available"}, "pass_if": "yes"},
            {"key": "ghi-chu-wifi", "type": "text", "text": {"vi": "Vì sao không có Wi-Fi", "en": "Why no Wi-Fi"},
             "show_if": {"item": "wifi", "equals": "no"}},
        ]},
        {"key": "ho-so", "title": {"vi": "Hồ sơ", "en": "Dossiers"}, "items": [
            {"key": "dung-han", "type": "ratio", "text": {"vi": "Tỷ lệ đúng hạn", "en": "On-time rate"},
             "numerator": {"vi": "Đúng hạn", "en": "On time"}, "denominator": {"vi": "Đã giải quyết", "en": "Settled"},
             "pass_at": 95, "points": 3},
            {"key": "vang", "type": "count", "text": {"vi": "Vắng không lý do", "en": "Absent without reason"},
             "pass_at_most": 0},
            {"key": "hai-long", "type": "scale", "text": {"vi": "Mức độ hài lòng", "en": "Satisfaction"}, "pass_at": 4},
            {"key": "hinh-thuc", "type": "choice", "text": {"vi": "Hình thức nộp", "en": "How dossiers arrive"},
             "options": [{"key": "truc-tiep", "label": {"vi": "Trực tiếp", "en": "In person"}, "score": 1},
                         {"key": "khong", "label": {"vi": "Không", "en": "None"}, "fails": True}]},
            {"key": "kenh", "type": "multi_choice", "text": {"vi": "Kênh phản ánh", "en": "Feedback channels"},
             "required": False,
             "options": [{"key": "hom-thu", "label": {"vi": "Hòm thư", "en": "Box"}},
                         {"key": "duong-day-nong", "label": {"vi": "Đường dây nóng", "en": "Hotline"}}]},
            {"key": "ngay", "type": "date", "text": {"vi": "Ngày báo cáo", "en": "Report date"}},
            {"key": "so-lieu", "type": "number", "text": {"vi": "Số liệu", "en": "Figure"}},
        ]},
    ],
})

# Answers that pass every scored item, as the API takes them.
PASSING_ANSWERS = [
    {"item_key": "bien-hieu", "value": "pass"},
    {"item_key": "wifi", "value": "yes"},
    {"item_key": "dung-han", "value": {"numerator": 96, "denominator": 100}},
    {"item_key": "vang", "value": 0},
    {"item_key": "hai-long", "value": 5, "note": "Người dân khen"},
    {"item_key": "hinh-thuc", "value": "truc-tiep"},
]


def make_field_world(*, kind=InspectionKind.ANNOUNCED, status=None) -> dict:
    """Unit (with a location), team (inspector `insp`, lead `lead`), an outsider
    inspector `stranger`, the unit's officer `officer`, a viewer `viewer`, and
    one inspection of FIELD_CHECKLIST assigned to the team. Commits."""
    from tests.factories import make_checklist_version

    unit = make_unit(name="Trung tâm Phục vụ hành chính công phường Ba Đình", lat=BA_DINH[0], lon=BA_DINH[1])
    team = make_team(name="Đoàn kiểm tra số 1")
    inspector = make_user(Role.INSPECTOR, username="insp", team=team)
    inspector.full_name = "Nguyễn Văn Kiểm"
    lead = make_user(Role.LEAD, username="lead", team=team)
    team.lead = lead
    make_user(Role.INSPECTOR, username="stranger", team=make_team())
    make_user(Role.UNIT_OFFICER, username="officer", unit=unit)
    make_user(Role.VIEWER, username="viewer")
    inspection = make_inspection(unit=unit, team=team, kind=kind, version=make_checklist_version(FIELD_CHECKLIST))
    if status:
        inspection.status = status
    db.session.commit()
    return {"uuid": inspection.uuid, "id": inspection.id, "inspector_id": inspector.id, "lead_id": lead.id}
