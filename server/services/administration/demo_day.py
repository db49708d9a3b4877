"""The demo's inspections at each step of the lead's day, so that a new user
sees them at once: one waiting in the review queue, one returned to the team,
one approved whose announced photo has not arrived, one concluded with
remediation actions in several states (open, overdue, reported done, closed),
one cancelled.

Everything is done by the demo's accounts through the app's own services
(check-in, submission, photo upload, review, conclusion, remediation moves,
cancelling), so it is audited and the dashboard totals follow. The services
stamp their rows with the present moment; the story is then dated back over
the past weeks from the organisation's today, so that deadlines, the queue's
order and the notices read as they would in real use.
"""
from __future__ import annotations

import io
import uuid as uuidlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from PIL import Image, ImageDraw

from ...extensions import db
from ...models import ActionStatus, Checklist, Inspection, InspectionKind, Unit, User
from ..checklists import scoring
from ..checklists.definition import iter_items
from ..evidence import files as evidence
from ..fieldwork import checkin, plans, submissions
from ..foundation import settings as org_settings
from ..remediation import actions as remediation
from ..review import approval, conclusions

PLAN_TITLE = "Kiểm tra CCHC đợt 1 năm 2026 — Trung tâm Phục vụ hành chính công cấp xã"
CHECKLIST = "mot-cua-cap-xa"
CANCEL_REASON = ("Trung tâm đang sửa chữa trụ sở và tạm chuyển nơi tiếp nhận hồ sơ; "
                 "đoàn sẽ kiểm tra trong đợt 2.")
RETURN_REASON = ("Tỷ lệ hồ sơ giải quyết đúng hạn ghi 100/100 nhưng báo cáo trên hệ thống thông tin "
                 "giải quyết TTHC là 92 %: đề nghị đối chiếu lại và ghi rõ nguồn số liệu.")


@dataclass
class Visit:
    """What the team records on site: the answers that differ from a clean pass,
    notes, findings and the photos taken (by item, or of a finding)."""

    answers: dict = field(default_factory=dict)          # item key → value
    notes: dict = field(default_factory=dict)            # item key → note
    findings: list = field(default_factory=list)         # (item key, severity, description)
    photos: list = field(default_factory=list)           # item keys; "finding:<n>" for the n-th finding
    lost_photos: int = 0                                 # the last N photos announced never arrive


def build_lead_day(*, today: date, units: dict[str, Unit], users: dict[str, User], team) -> dict:
    """Create the plan and its inspections in every state of the lead's day. Returns {state: inspection}."""
    lead, inspector = users["lead"], users["inspector"]
    checklist = db.session.query(Checklist).filter_by(key=CHECKLIST).one()
    codes = {"concluded": "00004-TTPV", "submitted": "00103-TTPV", "returned": "00167-TTPV",
             "approved": "00367-TTPV", "cancelled": "00454-TTPV"}
    windows = {"concluded": (-42, -40), "submitted": (-3, -1), "returned": (-6, -4), "approved": (-4, -2),
               "cancelled": (5, 7)}
    schedule = {units[code].id: plans.Schedule(today + timedelta(days=windows[state][0]),
                                               today + timedelta(days=windows[state][1]))
                for state, code in codes.items()}
    plan = plans.create_plan(
        lead, title=PLAN_TITLE, kind=InspectionKind.ANNOUNCED, period_start=today - timedelta(days=45),
        period_end=today + timedelta(days=15), checklist=checklist, team=team,
        units=[units[code] for code in codes.values()], schedule=schedule,
        purpose="Đánh giá việc thực hiện cơ chế một cửa, một cửa liên thông tại cấp xã sau sắp xếp.",
    )
    # The legal basis every document of the plan cites.
    plan.plan_number, plan.plan_date = "38/KH-UBND", today - timedelta(days=60)
    plan.decision_number, plan.decision_date = "271/QĐ-UBND", today - timedelta(days=55)
    plan.decision_signer = "Chủ tịch Ủy ban nhân dân Thành phố"
    plans.publish_notice(lead, plan, notice_date=today - timedelta(days=44),
                         place="Trụ sở Trung tâm Phục vụ hành chính công của từng phường, xã",
                         requested_documents="Báo cáo tự đánh giá; sổ theo dõi hồ sơ; quyết định công bố TTHC")
    found = {i.unit.code: i for i in plan.inspections}
    made = {state: found[code] for state, code in codes.items()}
    story = _Story(today, current_app.extensions["kiemtra.storage"], users)

    story.concluded(made["concluded"], inspector, lead)
    story.submitted(made["submitted"], inspector)
    story.returned(made["returned"], users["inspector2"], lead)
    story.approved(made["approved"], inspector, lead)
    plans.cancel_inspection(lead, made["cancelled"], reason=CANCEL_REASON)
    made["cancelled"].cancelled_at = story.at(-2, 10)
    db.session.flush()
    return made


class _Story:
    def __init__(self, today: date, storage, users: dict[str, User]):
        self.today, self.storage, self.users = today, storage, users
        self.tz = ZoneInfo(org_settings.get("BABEL_DEFAULT_TIMEZONE"))
        self.store = evidence.settings_from_config(current_app.config)
        self.shade = 0

    def at(self, day: int, hour: int, minute: int = 0) -> datetime:
        """A moment `day` days from today (negative: past), on the organisation's clock, in UTC."""
        local = datetime.combine(self.today + timedelta(days=day), time(hour, minute), tzinfo=self.tz)
        return local.astimezone(timezone.utc)

    # ── the five inspections ────────────────────────────────────────────────

    def submitted(self, insp: Inspection, inspector) -> None:
        """Waiting in the lead's queue: a failed ratio (48/50), a failed item with its
        finding and photos, an inspector's note on an answer, the check-in position."""
        self.visit(insp, inspector, day=-2, visit=Visit(
            answers={"ty-le-phieu-hen": {"numerator": 48, "denominator": 50}, "bien-quay-so-do": "fail"},
            notes={"ty-le-phieu-hen": "2 hồ sơ nhận qua dịch vụ bưu chính công ích chưa có giấy tiếp nhận "
                                      "và hẹn trả kết quả.",
                   "khu-vuc-cho": "Khu vực chờ rộng, đủ ghế; có nước uống và quạt."},
            findings=[("bien-quay-so-do", "minor", "Quầy số 3 chưa có biển tên lĩnh vực tiếp nhận.")],
            photos=["bien-quay-so-do", "finding:0", "khu-vuc-cho"],
        ))

    def returned(self, insp: Inspection, inspector, lead) -> None:
        """Back with the team: the lead's reason on an item and on the whole."""
        self.visit(insp, inspector, day=-5, visit=Visit(
            answers={"tthc-het-hieu-luc": 3, "ty-le-dung-han": {"numerator": 100, "denominator": 100}},
            notes={"tthc-het-hieu-luc": "3 thủ tục lĩnh vực hộ tịch đã được thay thế vẫn còn niêm yết."},
            photos=["tthc-het-hieu-luc"],
        ))
        comments = approval.return_to_team(insp, lead, [
            ("ty-le-dung-han", RETURN_REASON),
            (None, "Bổ sung ảnh bảng niêm yết sau khi đơn vị gỡ 3 thủ tục hết hiệu lực."),
        ])
        for row in comments:
            row.created_at = self.at(-4, 9, 30)

    def approved(self, insp: Inspection, inspector, lead) -> None:
        """Approved, but one photo the phone announced never arrived: the conclusion
        waits for it and the lead is offered to return the inspection."""
        self.visit(insp, inspector, day=-3, visit=Visit(
            answers={"kiosk-wifi": "fail", "hom-thu-gop-y": "fail",
                     "ty-le-dung-han": {"numerator": 171, "denominator": 180},
                     "ty-le-so-hoa": {"numerator": 41, "denominator": 50}},
            notes={"kiosk-wifi": "Ki-ốt tự phục vụ hỏng màn hình cảm ứng từ tháng trước."},
            findings=[("hom-thu-gop-y", "minor", "Hòm thư góp ý không có khóa, đặt sau cửa ra vào.")],
            photos=["kiosk-wifi", "hom-thu-gop-y"], lost_photos=1,
        ))
        approval.approve(insp, lead)
        insp.approved_at = self.at(-1, 14)

    def concluded(self, insp: Inspection, inspector, lead) -> None:
        """Concluded five weeks ago; its actions: one closed, one reported done and
        waiting for verification, one overdue, one open."""
        officer = self.users["officer"]
        self.visit(insp, inspector, day=-41, visit=Visit(
            answers={"may-quet": "fail", "dia-chi-pakn": "fail",
                     "ty-le-phieu-kiem-soat": {"numerator": 45, "denominator": 50},
                     "ty-le-dung-han": {"numerator": 88, "denominator": 100}},
            notes={"ty-le-dung-han": "12 hồ sơ đất đai quá hạn do chờ ý kiến cơ quan thuế.",
                   "may-quet": "Quầy tiếp nhận số 2 và 4 chưa có máy quét."},
            findings=[("may-quet", "major", "Hồ sơ giấy tại quầy 2 và 4 không được số hóa khi tiếp nhận.")],
            photos=["may-quet", "dia-chi-pakn"],
        ))
        approval.approve(insp, lead)
        insp.approved_at = self.at(-39, 10)
        issued_on = self.today - timedelta(days=37)
        deadlines = {"item:may-quet": -7, "item:ty-le-phieu-kiem-soat": 8, "item:ty-le-dung-han": -3,
                     "item:dia-chi-pakn": 23}
        conclusion, made = conclusions.issue(
            insp, lead, today=issued_on, locale="vi",
            days_by_severity=org_settings.get("REMEDIATION_DAYS_BY_SEVERITY"),
            strengths="Trung tâm bố trí khu vực chờ rộng rãi, niêm yết thủ tục đầy đủ; cán bộ tiếp nhận "
                      "niềm nở, hướng dẫn tận tình.",
            shortcomings="Chưa số hóa hồ sơ ngay khi tiếp nhận tại hai quầy; tỷ lệ hồ sơ có phiếu kiểm soát "
                         "và tỷ lệ giải quyết đúng hạn chưa đạt; thiếu niêm yết địa chỉ tiếp nhận phản ánh, "
                         "kiến nghị.",
            recommendations="Trang bị máy quét cho các quầy; lập phiếu kiểm soát cho mọi hồ sơ; rà soát hồ sơ "
                            "quá hạn và gửi phiếu xin lỗi; niêm yết địa chỉ tiếp nhận phản ánh, kiến nghị.",
            deadlines={key: self.today + timedelta(days=d) for key, d in deadlines.items()},
        )
        conclusion.issued_at = insp.concluded_at = self.at(-37, 15)
        by_item = {action.item_keys[0]: action for action in made}
        for action in made:
            action.created_at = conclusion.issued_at
            for event in action.events:
                event.created_at = conclusion.issued_at
        closed, waiting, late = by_item["may-quet"], by_item["ty-le-phieu-kiem-soat"], by_item["ty-le-dung-han"]
        self.move(closed, officer, ActionStatus.IN_PROGRESS, day=-30)
        self.move(closed, officer, ActionStatus.AWAITING_VERIFICATION, day=-12,
                  note="Đã lắp máy quét tại quầy 2 và 4; hồ sơ tiếp nhận từ ngày 20 được số hóa ngay.", photo=True)
        self.move(closed, lead, ActionStatus.CLOSED, day=-10, note="Đã kiểm tra trên hệ thống: đạt.")
        self.move(waiting, officer, ActionStatus.IN_PROGRESS, day=-20)
        self.move(waiting, officer, ActionStatus.AWAITING_VERIFICATION, day=-1,
                  note="Từ tháng này mọi hồ sơ đều có phiếu kiểm soát; gửi kèm ảnh sổ theo dõi.", photo=True)
        self.move(late, officer, ActionStatus.IN_PROGRESS, day=-25,
                  note="Đang rà soát 12 hồ sơ quá hạn với Chi cục Thuế.")

    # ── steps ───────────────────────────────────────────────────────────────

    def visit(self, insp: Inspection, inspector, *, day: int, visit: Visit) -> None:
        """Check in near the unit, fill the checklist, sign, submit and send the photos."""
        site = insp.unit.locations[0]
        arrived = self.at(day, 8, 30)
        checkin.check_in(insp, inspector, lat=site.lat + 0.0002, lon=site.lon - 0.0003, accuracy_m=12, at=arrived,
                         radius_m=org_settings.get("CHECKIN_RADIUS_M"),
                         poor_accuracy_m=org_settings.get("POOR_ACCURACY_M"))
        findings = [{"uuid": str(uuidlib.uuid4()), "item_key": key, "severity": severity, "description": text}
                    for key, severity, text in visit.findings]
        photos = []
        for place in visit.photos:
            finding = findings[int(place.split(":")[1])] if place.startswith("finding:") else None
            photos.append({"uuid": str(uuidlib.uuid4()), "kind": "photo",
                           "item_key": finding["item_key"] if finding else place,
                           "finding_uuid": finding["uuid"] if finding else None})
        unit_sign = {"uuid": str(uuidlib.uuid4()), "kind": "signature", "item_key": None, "finding_uuid": None}
        answers = _answers(insp.definition, visit.answers, visit.notes, self.today + timedelta(days=day))
        content = submissions.SubmittedContent(
            answers=answers, findings=findings,
            attendees=[{"side": "team", "name": inspector.full_name, "position": "Thành viên đoàn"},
                       {"side": "unit", "name": "Đỗ Thị Hạnh", "position": "Phó Giám đốc Trung tâm"}],
            signatures={"lead": {"name": self.users["lead"].full_name, "typed": True},
                        "unit": {"name": "Đỗ Thị Hạnh", "evidence_uuid": unit_sign["uuid"]}},
            started_at=arrived, ended_at=self.at(day, 11, 15), photos=photos + [unit_sign],
        )
        submissions.submit(insp, inspector, str(uuidlib.uuid4()), content)
        insp.submitted_at = self.at(day, 11, 20)
        sent = photos[:len(photos) - visit.lost_photos]
        for n, photo in enumerate(sent):
            finding = next((f for f in insp.findings if f.uuid == photo["finding_uuid"]), None)
            evidence.store_evidence(
                self.storage, self.store, uuid=photo["uuid"], data=self.picture(), kind="photo", inspection=insp,
                item_key=photo["item_key"], finding=finding, original_name=f"IMG_{2040 + n}.jpg",
                uploader=inspector, reported_taken_at=self.at(day, 9, 10 + 7 * n),
                reported_position=(site.lat + 0.0001 * n, site.lon - 0.0002))
        evidence.store_evidence(self.storage, self.store, uuid=unit_sign["uuid"], data=_signature(), kind="signature",
                                inspection=insp, original_name="chu-ky-don-vi.png", uploader=inspector)
        db.session.flush()

    def move(self, action, actor, to: str, *, day: int, note: str | None = None, photo: bool = False) -> None:
        files = [("bang-chung.jpg", self.picture())] if photo else ()
        event = remediation.move(action, actor, to, note=note, files=files, attach=self.attach(actor))
        event.created_at = self.at(day, 10)
        if to == ActionStatus.CLOSED:
            action.closed_at = event.created_at

    def attach(self, actor):
        def store(event, files):
            return [evidence.store_action_evidence(self.storage, self.store, uuid=str(uuidlib.uuid4()), data=data,
                                                   event=event, original_name=name, uploader=actor)
                    for name, data in files]
        return store

    def picture(self) -> bytes:
        """A photo stand-in: a wall with a notice board and a counter, in a new shade each time."""
        self.shade += 1
        hue = (self.shade * 47) % 120
        image = Image.new("RGB", (960, 720), (200 + hue // 4, 196, 180 - hue // 3))
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 500, 960, 720), fill=(120, 94, 70))                       # the counter
        draw.rectangle((140 + hue, 90, 620 + hue, 420), fill=(28, 70, 140 - hue // 2))  # the board
        for row in range(6):
            y = 130 + row * 44
            draw.rectangle((180 + hue, y, 560 + hue - 30 * (row % 3), y + 18), fill=(236, 236, 226))
        draw.ellipse((760, 120, 880, 240), fill=(214, 40, 40))                       # a round sign
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=82)
        return buffer.getvalue()


def _signature() -> bytes:
    """A signature stroke on white, as the field app's signature pad sends it (PNG)."""
    image = Image.new("RGB", (480, 160), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.line([(30, 110), (80, 40), (110, 120), (150, 50), (190, 115), (250, 70), (320, 95), (440, 60)],
              fill=(20, 30, 90), width=5, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _clean_value(item: dict, day: date):
    """An answer that passes the item, as a careful unit would earn it."""
    kind = item["type"]
    if kind == "pass_fail":
        return "pass"
    if kind == "yes_no":
        return item.get("pass_if") or "yes"
    if kind == "ratio":
        return {"numerator": 60, "denominator": 60}
    if kind == "count":
        return 0
    if kind == "number":
        return 214
    if kind == "scale":
        return item["scale"]["max"]
    if kind == "choice":
        return next(o["key"] for o in item["options"] if not o["fails"])
    if kind == "multi_choice":
        return [next(o["key"] for o in item["options"] if not o["fails"])]
    if kind == "date":
        return day.isoformat()
    if kind == "text":
        return "Không có."
    return None


def _answers(definition: dict, values: dict, notes: dict, day: date) -> list[dict]:
    """Every visible item answered: `values` where given, a clean pass elsewhere."""
    chosen = {}
    for _section, item in iter_items(definition):
        value = values.get(item["key"], _clean_value(item, day))
        if value is not None:
            chosen[item["key"]] = {"item_key": item["key"], "value": value, "na": False}
    hidden = scoring.hidden_items(definition, chosen)
    answers = [answer for key, answer in chosen.items() if key not in hidden]
    for answer in answers:
        if answer["item_key"] in notes:
            answer["note"] = notes[answer["item_key"]]
    return answers
