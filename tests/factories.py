"""Plain factory functions with sensible defaults. Call inside an app context."""
from __future__ import annotations

import itertools
import uuid as uuidlib
from datetime import date, timedelta

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from server.extensions import db
from server.models import (
    Checklist,
    ChecklistVersion,
    EvidenceFile,
    Inspection,
    InspectionKind,
    Plan,
    Role,
    Team,
    Unit,
    UnitLocation,
    User,
)
from server.services.checklists.definition import item_index, validate_definition
from server.services.fieldwork.inspections import create_planned_inspection
from server.services.fieldwork.submissions import SubmittedContent, expected_photo_uuids

_seq = itertools.count(1)

PASSWORD = "password123"
# The app's hashing (scrypt) is slow on purpose, and every sign-in checks it:
# ~0.1-0.3 s per login, over a thousand logins a run. Users made here with the
# default password get a one-round PBKDF2 hash instead, which werkzeug checks
# the same way. Any other password, and every account made through the app,
# gets the real hash; tests/test_security.py signs in against real hashes.
_PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")

SMALL_CHECKLIST_SOURCE = {
    "key": "small",
    "title": {"vi": "Bảng kiểm nhỏ", "en": "Small checklist"},
    "scoring": {"pass_mark": 80},
    "sections": [
        {
            "key": "chung",
            "title": {"vi": "Chung", "en": "General"},
            "items": [
                {"key": "bien-hieu", "type": "pass_fail", "text": {"vi": "Biển hiệu", "en": "Signage"},
                 "points": 2, "allow_na": True, "evidence": {"photo": "on_fail"},
                 "finding": {"severity": "major", "remediation_days": 15}},
                {"key": "dung-han", "type": "ratio", "text": {"vi": "Tỷ lệ đúng hạn", "en": "On-time rate"},
                 "numerator": {"vi": "Đúng hạn", "en": "On time"},
                 "denominator": {"vi": "Đã giải quyết", "en": "Settled"}, "pass_at": 95, "points": 3},
                {"key": "ghi-chu", "type": "text", "text": {"vi": "Ghi chú", "en": "Notes"}},
            ],
        }
    ],
}


def normalised(source: dict) -> dict:
    """A checklist definition as import stores it (validated, defaults filled)."""
    definition, errors = validate_definition(source, "factory")
    assert not errors, errors
    return definition


SMALL_CHECKLIST = normalised(SMALL_CHECKLIST_SOURCE)


def make_unit(*, code=None, name=None, kind="ward", parent=None, lat=21.0358, lon=105.8342, **kw) -> Unit:
    n = next(_seq)
    unit = Unit(code=code or f"{n:05d}", name=name or f"Phường Thử {n}", kind=kind, parent=parent, **kw)
    if lat is not None:
        unit.locations.append(UnitLocation(lat=lat, lon=lon, label="Trụ sở"))
    db.session.add(unit)
    db.session.flush()
    return unit


def make_team(*, name=None, members=()) -> Team:
    team = Team(name=name or f"Đoàn kiểm tra {next(_seq)}")
    team.members.extend(members)
    db.session.add(team)
    db.session.flush()
    return team


def make_user(role: str = Role.INSPECTOR, *, username=None, unit=None, team=None, password=PASSWORD) -> User:
    user = User(username=username or f"{role}{next(_seq)}", role=role, full_name=f"Người dùng {role}")
    if role == Role.UNIT_OFFICER:
        user.unit = unit or make_unit()
    if password == PASSWORD:
        user.password_hash = _PASSWORD_HASH
    else:
        user.set_password(password)
    db.session.add(user)
    if team is not None:
        team.members.append(user)
    db.session.flush()
    return user


def make_checklist_version(definition: dict | None = None, *, key=None) -> ChecklistVersion:
    definition = dict(definition or SMALL_CHECKLIST)  # callers pass normalised definitions
    definition["key"] = key or f"{definition['key']}-{next(_seq)}"
    checklist = Checklist(key=definition["key"])
    version = ChecklistVersion(checklist=checklist, number=1, content_hash=f"{next(_seq):064x}", definition=definition)
    db.session.add(version)
    db.session.flush()
    return version


def make_plan(*, kind=InspectionKind.ANNOUNCED, team=None, version=None, title=None) -> Plan:
    version = version or make_checklist_version()
    today = date.today()
    plan = Plan(
        title=title or f"Kế hoạch {next(_seq)}",
        kind=kind,
        period_start=today,
        period_end=today + timedelta(days=30),
        checklist_id=version.checklist_id,
        team=team,
    )
    db.session.add(plan)
    db.session.flush()
    return plan


def make_inspection(
    *, unit=None, team=None, kind=InspectionKind.ANNOUNCED, plan=None, version=None, start=None, days=3, **fields
) -> Inspection:
    version = version or make_checklist_version()
    plan = plan or make_plan(kind=kind, team=team, version=version)
    start = start or date.today()
    inspection = create_planned_inspection(
        plan, unit or make_unit(), version, window_start=start, window_end=start + timedelta(days=days)
    )
    for name, value in fields.items():
        setattr(inspection, name, value)
    db.session.flush()
    return inspection


def signatures() -> dict:
    """Both signatures as the phone sends them: the lead's image (to follow) and
    the unit representative's refusal with its reason."""
    return {"lead": {"name": "Nguyễn Văn Trưởng", "evidence_uuid": str(uuidlib.uuid4())},
            "unit": {"name": "Lê Đại Diện", "refused": True, "reason": "Chưa đồng ý với kết luận"}}


def phone_content(inspection: Inspection, answers: dict, **fields) -> SubmittedContent:
    """A complete submission of these answers ({item_key: value}), as the phone
    sends it: both signatures, and a photo announced for each answered item
    whose evidence rule may ask for one."""
    items = item_index(inspection.definition)
    photos = [{"uuid": str(uuidlib.uuid4()), "kind": "photo", "item_key": key, "finding_uuid": None}
              for key in answers if key in items and items[key][1]["evidence"]["photo"] in ("always", "on_fail")]
    return SubmittedContent(answers=[{"item_key": k, "value": v, "na": False} for k, v in answers.items()],
                            signatures=signatures(), photos=photos, **fields)


def photos_arrive(inspection: Inspection) -> list[EvidenceFile]:
    """The photos and signatures the latest submission announced reach the
    server (rows only: no file is stored)."""
    held = set(db.session.scalars(sa.select(EvidenceFile.uuid).where(EvidenceFile.inspection_id == inspection.id)))
    signed = {sig.get("evidence_uuid") for sig in (inspection.signatures or {}).values() if sig}
    rows = [EvidenceFile(uuid=uuid, sha256="0" * 64, kind="signature" if uuid in signed else "photo",
                         mime_type="image/jpeg", size=1, inspection_id=inspection.id)
            for uuid in expected_photo_uuids(inspection) if uuid not in held]
    db.session.add_all(rows)
    db.session.flush()
    return rows
