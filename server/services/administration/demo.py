"""Demo data: one province, a few communes and their service centres, a user
per role, a plan with an announced and an unannounced inspection still to do,
and an earlier plan whose inspections stand at each step of the lead's day
(demo_day.py). For trying KiemTra out."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

from ...extensions import db
from ...models import InspectionKind, Plan, Role, SuccessionKind, Unit, UnitLocation, UnitSuccession, User
from ...models.types import utcnow
from ..checklists import library as checklist_service
from ..fieldwork.inspections import create_planned_inspection
from ..directory.units import REFORM_DATE
from ..directory.users import create_user, get_or_create_team
from .demo_day import build_lead_day
from ..foundation import settings as org_settings
from ..foundation.settings import local_today

DEMO_PASSWORD = "kiemtra-demo"

# (code, name, kind, lat, lon) — codes as in the national list since 1 July 2025.
PROVINCE = ("01", "Thành phố Hà Nội", "province", 21.0278, 105.8342)
COMMUNES = [
    ("00004", "Phường Ba Đình", "ward", 21.0359, 105.8340),
    ("00070", "Phường Hoàn Kiếm", "ward", 21.0287, 105.8524),
    ("00103", "Phường Tây Hồ", "ward", 21.0683, 105.8230),
    ("00167", "Phường Cầu Giấy", "ward", 21.0327, 105.7936),
    ("00367", "Phường Thanh Xuân", "ward", 20.9937, 105.8137),
    ("00454", "Xã Đông Anh", "commune", 21.1364, 105.8492),
]
# Districts abolished on 1 July 2025 (two-tier local government), kept as
# history: (old code, name, the ward or commune that took over its seat).
FORMER_DISTRICTS = [
    ("009", "Quận Thanh Xuân", "00367"),
    ("017", "Huyện Đông Anh", "00454"),
]
FORMER_DISTRICTS_BASIS = "Nghị quyết 1656/NQ-UBTVQH15"
# The one-stop shops of the wards and the commune, as separate inspectable units.
SERVICE_CENTRES = [
    ("00004-TTPV", "Trung tâm Phục vụ hành chính công phường Ba Đình", "00004", 21.0362, 105.8336),
    ("00070-TTPV", "Trung tâm Phục vụ hành chính công phường Hoàn Kiếm", "00070", 21.0290, 105.8520),
    ("00103-TTPV", "Trung tâm Phục vụ hành chính công phường Tây Hồ", "00103", 21.0680, 105.8236),
    ("00167-TTPV", "Trung tâm Phục vụ hành chính công phường Cầu Giấy", "00167", 21.0331, 105.7930),
    ("00367-TTPV", "Trung tâm Phục vụ hành chính công phường Thanh Xuân", "00367", 20.9941, 105.8131),
    ("00454-TTPV", "Trung tâm Phục vụ hành chính công xã Đông Anh", "00454", 21.1360, 105.8497),
]

USERS = [
    # username, role, full name, unit code
    ("admin", Role.ADMIN, "Quản trị hệ thống", None),
    ("lead", Role.LEAD, "Nguyễn Văn Trưởng (Trưởng đoàn)", None),
    ("inspector", Role.INSPECTOR, "Trần Thị Kiểm (Thành viên đoàn)", None),
    ("inspector2", Role.INSPECTOR, "Lê Văn Tra (Thành viên đoàn)", None),
    ("officer", Role.UNIT_OFFICER, "Phạm Thị Cán Bộ (TTPVHCC Ba Đình)", "00004-TTPV"),
    ("officer2", Role.UNIT_OFFICER, "Hoàng Văn Đơn Vị (TTPVHCC Hoàn Kiếm)", "00070-TTPV"),
    ("viewer", Role.VIEWER, "Người xem báo cáo", None),
]
TEAM = "Đoàn kiểm tra CCHC số 1"


def accounts_with_demo_password() -> list[str]:
    """Usernames of active accounts that still sign in with the published demo
    password: the demo's own accounts and every administrator. Checking every
    account would cost a password hash each at start-up."""
    demo_names = [username for username, *_ in USERS]
    users = db.session.scalars(
        sa.select(User)
        .where(User.active.is_(True), sa.or_(User.username.in_(demo_names), User.role == Role.ADMIN))
        .order_by(User.username)
    )
    return [user.username for user in users if user.check_password(DEMO_PASSWORD)]


def has_data() -> bool:
    return db.session.scalar(sa.select(sa.func.count(User.id))) > 0


def wipe() -> None:
    """Delete every row, keeping the schema (for `kiemtra demo --reset`)."""
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.flush()


def _unit(code, name, kind, lat, lon, parent=None) -> Unit:
    unit = Unit(code=code, name=name, kind=kind, parent=parent, valid_from=date(2025, 7, 1))
    unit.locations.append(UnitLocation(lat=lat, lon=lon, label="Trụ sở"))
    db.session.add(unit)
    return unit


def build(checklists_folder: str | Path, today: date | None = None) -> dict:
    """Create the demo data in the current transaction. Returns a summary."""
    today = today or local_today()
    for path in checklist_service.checklist_files([checklists_folder]):
        outcome = checklist_service.import_checklist(path)
        if outcome.action == "invalid":
            raise ValueError("; ".join(map(str, outcome.errors)))

    province = _unit(*PROVINCE)
    units = {c[0]: _unit(*c, parent=province) for c in COMMUNES}
    for code, name, parent_code, lat, lon in SERVICE_CENTRES:
        units[code] = _unit(code, name, "service_centre", lat, lon, parent=units[parent_code])
    for code, name, successor_code in FORMER_DISTRICTS:
        seat = units[successor_code].locations[0]
        former = Unit(code=code, name=name, kind="district", parent=province, valid_to=REFORM_DATE,
                      locations=[UnitLocation(lat=seat.lat, lon=seat.lon, label="Trụ sở")])
        db.session.add(former)
        db.session.add(UnitSuccession(predecessor=former, successor=units[successor_code], kind=SuccessionKind.SPLIT,
                                      effective_date=REFORM_DATE, legal_basis=FORMER_DISTRICTS_BASIS))
    db.session.flush()

    users = {}
    for username, role, full_name, unit_code in USERS:
        users[username] = create_user(
            username=username, role=role, password=DEMO_PASSWORD, full_name=full_name, unit_code=unit_code
        )
    # The documents' heading names a real body, not the default's placeholder.
    org_settings.update({"ISSUING_BODY_PARENT": "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI"}, actor=users["admin"])
    team = get_or_create_team(TEAM)
    team.lead = users["lead"]
    team.members.extend([users["lead"], users["inspector"], users["inspector2"]])

    announced = _plan(
        "Kiểm tra CCHC định kỳ năm 2026 — Trung tâm Phục vụ hành chính công",
        InspectionKind.ANNOUNCED, "mot-cua-cap-xa", team, today,
        notice_date=today + timedelta(days=1),
        notice_place="Trụ sở Trung tâm Phục vụ hành chính công phường Ba Đình",
        requested_documents="Báo cáo tự đánh giá; sổ theo dõi hồ sơ; quyết định công bố TTHC",
        notice_published_at=utcnow(),
    )
    unannounced = _plan(
        "Kiểm tra công vụ đột xuất quý IV/2026", InspectionKind.UNANNOUNCED, "ky-luat-cong-vu-dot-xuat", team, today
    )
    a = create_planned_inspection(
        announced, units["00004-TTPV"], checklist_service.current_version("mot-cua-cap-xa"),
        window_start=today, window_end=today + timedelta(days=2),
    )
    u = create_planned_inspection(
        unannounced, units["00070-TTPV"], checklist_service.current_version("ky-luat-cong-vu-dot-xuat"),
        window_start=today, window_end=today + timedelta(days=7),
    )
    db.session.flush()
    # The earlier round of the periodic inspections, at every step of the lead's day.
    day = build_lead_day(today=today, units=units, users=users, team=team)
    return {"units": len(units) + 1, "users": [u[0] for u in USERS],
            "inspections": [a.id, u.id, *(i.id for i in day.values())]}


def _plan(title, kind, checklist_key, team, today, **notice) -> Plan:
    version = checklist_service.current_version(checklist_key)
    if version is None:
        raise ValueError(f"checklist {checklist_key!r} is missing from the checklists folder")
    plan = Plan(
        title=title, kind=kind, period_start=today, period_end=today + timedelta(days=30),
        checklist_id=version.checklist_id, team=team,
        # The legal basis every document of the plan cites.
        plan_number="45/KH-UBND", plan_date=today - timedelta(days=20),
        decision_number="312/QĐ-UBND", decision_date=today - timedelta(days=15),
        decision_signer="Chủ tịch Ủy ban nhân dân Thành phố", **notice,
    )
    db.session.add(plan)
    return plan
