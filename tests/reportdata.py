"""Finished inspections for the report tests (minutes, dashboard, exports): answered,
scored by the one scoring module, with findings, attendees, signatures and photos."""
from __future__ import annotations

import uuid as uuidlib
from datetime import datetime, timedelta, timezone

from server.extensions import db
from server.models import Answer, Attendee, EvidenceFile, Finding, InspectionStatus
from server.services.checklists.scoring import score_inspection
from tests.factories import make_inspection
from tests.imagegen import encode, gradient

STARTED = datetime(2026, 11, 10, 1, 30, tzinfo=timezone.utc)  # 08:30 in Hà Nội


def finish(inspection, answers: dict, *, status=InspectionStatus.APPROVED, submitted_at=None):
    """Store answers and their score as a submission would."""
    for key, value in answers.items():
        na = value == "na"
        inspection.answers.append(Answer(item_key=key, value=None if na else value, na=na))
    result = score_inspection(inspection.checklist_version.definition,
                              {k: {"value": (None if v == "na" else v), "na": v == "na"} for k, v in answers.items()})
    inspection.score = result.to_dict()
    inspection.score_percent = result.percent
    inspection.result = result.result
    inspection.status = status
    inspection.checked_in_at = inspection.checked_in_at or STARTED
    inspection.started_at = STARTED
    inspection.ended_at = STARTED + timedelta(hours=2, minutes=15)
    inspection.submitted_at = submitted_at or STARTED + timedelta(hours=3)
    db.session.flush()
    return inspection


def add_finding(inspection, description, *, item_key=None, severity="major", explanation=None):
    finding = Finding(uuid=str(uuidlib.uuid4()), item_key=item_key, severity=severity, description=description,
                      unit_explanation=explanation)
    inspection.findings.append(finding)
    db.session.flush()
    return finding


def add_photo(app, inspection, *, finding=None, item_key=None, size=(1600, 1200), kind="photo"):
    data = encode(gradient(size), "JPEG", quality=85)
    key = app.extensions["kiemtra.storage"].put(data, suffix=".jpg")
    row = EvidenceFile(uuid=str(uuidlib.uuid4()), sha256=key.rsplit("/", 1)[-1][:64], kind=kind,
                       mime_type="image/jpeg", size=len(data), display_key=key, width=size[0], height=size[1],
                       inspection_id=inspection.id, finding_id=finding.id if finding else None, item_key=item_key,
                       taken_at=STARTED)
    db.session.add(row)
    db.session.flush()
    return row


def minutes_inspection(app, unit, team, version):
    """An approved inspection of the small checklist with everything the minutes show."""
    inspection = make_inspection(unit=unit, team=team, version=version)
    finish(inspection, {"bien-hieu": "fail", "dung-han": {"numerator": 19, "denominator": 20},
                        "ghi-chu": "Đã làm việc với lãnh đạo phường"})
    inspection.attendees.extend([
        Attendee(side="team", name="Nguyễn Văn Trưởng", position="Trưởng đoàn"),
        Attendee(side="team", name="Trần Thị Thư Ký", position="Thư ký"),
        Attendee(side="unit", name="Lê Đức Đại Diện", position="Phó Chủ tịch UBND phường"),
    ])
    first = add_finding(inspection, "Biển hiệu bị che khuất, chữ mờ không đọc được", item_key="bien-hieu",
                        explanation="Đơn vị đang đặt làm biển hiệu mới, dự kiến hoàn thành trong tháng")
    add_finding(inspection, "Còn 1 hồ sơ giải quyết quá hạn chưa có phiếu xin lỗi", item_key="dung-han",
                severity="minor")
    add_finding(inspection, "Hòm thư góp ý không có khóa", severity="minor")
    add_photo(app, inspection, finding=first)
    signature = add_photo(app, inspection, size=(400, 150), kind="signature")
    inspection.signatures = {"lead": {"name": "Nguyễn Văn Trưởng", "evidence_uuid": signature.uuid},
                             "secretary": {"name": "Trần Thị Thư Ký"},
                             "unit": {"refused": True, "reason": "Chưa đồng ý với kết luận về tỷ lệ đúng hạn"}}
    db.session.flush()
    return inspection
