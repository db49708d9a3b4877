"""The minutes, the inspection notice and the conclusion notice read as an
office issues them (NĐ 30/2020/NĐ-CP): heading, number from the register,
date line, legal basis, signer and Nơi nhận — checked from the PDFs' text
and positions, in Vietnamese and in English."""
from __future__ import annotations

import io
import os
from datetime import date, time

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from server.extensions import db
from server.models import Conclusion, Inspection, InspectionStatus, RemediationAction, Role, User
from server.models.types import utcnow
from server.services.foundation import settings as org_settings
from server.services.reporting import doc_text, numbers
from tests.factories import make_checklist_version, make_team, make_unit, make_user
from tests.reportdata import add_finding, minutes_inspection

DUMP = os.environ.get("KIEMTRA_PDF_DUMP")  # a folder: the rendered PDFs are kept there to be looked at


@pytest.fixture
def world(app):
    with app.app_context():
        unit = make_unit(name="Phường Hoàn Kiếm", code="00070")
        lead = make_user(Role.LEAD, username="lead")
        lead.full_name = "Nguyễn Văn Trưởng"
        secretary = make_user(Role.INSPECTOR, username="secretary")
        secretary.full_name = "Trần Thị Thư Ký"
        team = make_team(name="Đoàn kiểm tra CCHC số 3", members=[lead, secretary])
        team.lead, team.secretary = lead, secretary
        make_user(Role.UNIT_OFFICER, username="officer", unit=unit)
        inspection = minutes_inspection(app, unit, team, make_checklist_version())
        inspection.signatures = {**inspection.signatures, "secretary": {}}
        inspection.attendees = [a for a in inspection.attendees if a.name != "Nguyễn Văn Trưởng"]
        plan = inspection.plan
        plan.plan_number, plan.plan_date = "15/KH-UBND", date(2026, 11, 2)
        plan.decision_number, plan.decision_date = "123/QĐ-UBND", date(2026, 11, 3)
        plan.decision_signer = "Chủ tịch Ủy ban nhân dân thành phố"
        plan.notice_date, plan.notice_time, plan.notice_place = date(2026, 11, 10), time(8, 30), "Trụ sở UBND phường"
        plan.requested_documents = "Sổ theo dõi hồ sơ năm 2026; báo cáo tự kiểm tra"
        plan.notice_published_at = utcnow()
        db.session.add(Conclusion(
            inspection_id=inspection.id, strengths="Cán bộ tận tình, chu đáo",
            shortcomings="Niêm yết thủ tục chưa đầy đủ", recommendations="",
            responsibility="Đề nghị Chủ tịch UBND phường kiểm điểm trách nhiệm cán bộ để hồ sơ quá hạn",
            issued_at=utcnow()))
        db.session.add(RemediationAction(inspection_id=inspection.id, unit_id=unit.id,
                                         title="Làm lại biển hiệu Bộ phận Một cửa", deadline=date(2026, 12, 15)))
        db.session.add(RemediationAction(inspection_id=inspection.id, unit_id=unit.id,
                                         title="Lắp khóa hòm thư góp ý", deadline=date(2027, 1, 5)))
        inspection.status = InspectionStatus.CONCLUDED
        org_settings.update({"ISSUING_BODY_PARENT": "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI"}, actor=None)
        db.session.commit()
        return inspection.id


def _as(app, username: str, locale: str) -> None:
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        user.locale = locale
        db.session.commit()


def pdf(client, url: str, name: str) -> PdfReader:
    r = client.get(url)
    assert r.status_code == 200 and r.mimetype == "application/pdf", r.status_code
    if DUMP:
        with open(os.path.join(DUMP, name), "wb") as f:
            f.write(r.data)
    return PdfReader(io.BytesIO(r.data))


def lines(page) -> list[tuple[float, str]]:
    """The page's lines of text from top to bottom, each with its height on the page."""
    found: dict[float, list[tuple[float, str]]] = {}

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            y = round(tm[5] * cm[3] + cm[5], 0) if cm[3] else round(tm[5] + cm[5], 0)
            found.setdefault(y, []).append((tm[4] * cm[0] + cm[4], text))

    page.extract_text(visitor_text=visit)
    return [(y, " ".join(" ".join(t.split()) for _x, t in sorted(parts))) for y, parts in sorted(found.items(),
                                                                                      reverse=True)]


def text_of(reader: PdfReader) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def page_of(reader: PdfReader, needle: str) -> int:
    pages = [i for i, page in enumerate(reader.pages) if needle in " ".join(page.extract_text().split())]
    assert pages, needle
    return pages[0]



def first_lines(reader: PdfReader, n: int = 8) -> list[str]:
    return [t for _y, t in lines(reader.pages[0])][:n]


def test_the_date_line_pads_days_below_ten_and_only_january_and_february(app):
    with app.test_request_context():
        assert doc_text.day_text(date(2026, 12, 3), "vi") == "ngày 03 tháng 12 năm 2026"
        assert doc_text.day_text(date(2026, 2, 14), "vi") == "ngày 14 tháng 02 năm 2026"
        assert doc_text.day_text(date(2026, 3, 9), "vi") == "ngày 09 tháng 3 năm 2026"
        assert doc_text.date_line("Hanoi", date(2026, 12, 3), "en") == "Hanoi, 3 December 2026"
        assert doc_text.count_text(2, "vi") == "02" and doc_text.count_text(12, "vi") == "12"
        assert doc_text.count_text(2, "en") == "2"


def test_recipients_are_punctuated_as_the_decree_shows_and_never_name_the_signer():
    lines_ = doc_text.recipients(["Như trên;", "Lưu: VT, ĐKT.", "Trưởng đoàn", "Phòng Nội vụ"],
                                 add=["Chủ tịch UBND thành phố (để báo cáo)"], leave_out=["Trưởng đoàn"])
    assert lines_ == ["- Như trên;", "- Phòng Nội vụ;", "- Chủ tịch UBND thành phố (để báo cáo);",
                      "- Lưu: VT, ĐKT."]


def test_minutes_in_vietnamese_read_as_mau_1_9(client, auth, app, world):
    _as(app, "lead", "vi")
    auth.login("lead")
    reader = pdf(client, f"/inspections/{world}/minutes.pdf", "minutes-vi.pdf")
    text = text_of(reader)
    top = first_lines(reader)
    # The motto on one line (one height on the page), the parent body from the settings, never the placeholder.
    assert any("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in line for line in top), top
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI" in text and "TỈNH/THÀNH PHỐ" not in text
    assert "Số: 01/BB-ĐKT" in text
    assert "Hà Nội, ngày 10 tháng 11 năm 2026" in text
    assert "Căn cứ Kế hoạch số 15/KH-UBND ngày 02 tháng 11 năm 2026" in text
    assert "Căn cứ Quyết định số 123/QĐ-UBND ngày 03 tháng 11 năm 2026 của Chủ tịch Ủy ban nhân dân thành phố" in text
    assert "Vào lúc 08 giờ 30 phút, ngày 10 tháng 11 năm 2026" in text
    assert "kết thúc vào lúc 10 giờ 45 phút, ngày 10 tháng 11 năm 2026" in text
    # The chair among the attendees though the phone listed only the secretary; both sign.
    assert "Nguyễn Văn Trưởng – Trưởng đoàn" in text
    assert "Chủ trì: Nguyễn Văn Trưởng" in text and "Người ghi biên bản: Trần Thị Thư Ký" in text
    # The refusal and its reason; the closing does not claim everyone agreed.
    assert "không ký biên bản; lý do: Chưa đồng ý với kết luận về tỷ lệ đúng hạn" in text
    assert "nhất trí" not in text
    assert "02 bản có giá trị như nhau, mỗi bên giữ 01 bản./." in text
    # What was measured, and the photo referenced from its row, shown in the appendix after the signatures.
    assert "19/20 (95" in text and "ảnh số 1 tại phụ lục" in text  # the percent as the reader writes it
    signed = page_of(reader, "CHỦ TRÌ")
    appendix = page_of(reader, "PHỤ LỤC ẢNH")
    assert appendix > signed and "Ảnh số 1" in " ".join(reader.pages[appendix].extract_text().split())
    assert "(Kèm theo Biên bản số 01/BB-ĐKT ngày 10 tháng 11 năm 2026)" in text
    assert "- Lưu: VT, hồ sơ kiểm tra." in text


def test_minutes_in_english_read_as_english(client, auth, app, world):
    _as(app, "lead", "en")
    auth.login("lead")
    reader = pdf(client, f"/inspections/{world}/minutes.pdf", "minutes-en.pdf")
    text = text_of(reader)
    assert "SOCIALIST REPUBLIC OF VIETNAM" in text and "Independence - Freedom - Happiness" in text
    assert "No.: 01/BB-ĐKT" in text
    assert "Hanoi, 10 November 2026" in text
    assert "day 10" not in text and "ngày" not in text and "giờ" not in text
    assert "At 08:30 on 10 November 2026" in text
    assert "Lê Đức Đại Diện, refused to sign them; reason: Chưa đồng ý" in text
    assert "agreed" not in text
    assert "2 copies of equal value, one kept by each side./." in text


def test_notice_cites_the_plan_and_decision_and_is_sent_to_who_ordered_it(client, auth, app, world):
    for locale in ("vi", "en"):
        _as(app, "lead", locale)
        auth.login("lead")
        reader = pdf(client, f"/inspections/{world}/notice.pdf", f"notice-{locale}.pdf")
        text = text_of(reader)
        auth.logout()
        if locale == "vi":
            assert "Số: 01/TB-ĐKT" in text
            assert "Kính gửi: Phường Hoàn Kiếm." in text
            assert "Từ 08 giờ 30 phút, ngày 10 tháng 11 năm 2026." in text
            assert "Mục đích, yêu cầu" in text and "Sổ theo dõi hồ sơ năm 2026" in text
            assert "TM. ĐOÀN KIỂM TRA TRƯỞNG ĐOÀN" in text and "Nguyễn Văn Trưởng" in text
            assert "- Như trên;" in text
            assert "- Chủ tịch Ủy ban nhân dân thành phố (để báo cáo);" in text
            assert "- Lưu: VT, hồ sơ kiểm tra." in text
            assert "Trưởng đoàn;" not in text  # never the signer himself
        else:
            assert "No.: 01/TB-ĐKT" in text and "From 08:30, 10 November 2026." in text
            assert "ngày" not in text


def test_conclusion_notice_orders_deadlines_score_and_report(client, auth, app, world):
    _as(app, "lead", "vi")
    auth.login("lead")
    assert "Số: 01/TB-ĐKT" in text_of(pdf(client, f"/inspections/{world}/notice.pdf", "notice-vi.pdf"))
    reader = pdf(client, f"/inspections/{world}/conclusion.pdf", "conclusion-vi.pdf")
    text = text_of(reader)
    # A thông báo: the TB symbol, numbered after the notice in the same register.
    assert "Số: 02/TB-ĐKT" in text
    assert "Yêu cầu Phường Hoàn Kiếm:" in text
    assert "Làm lại biển hiệu Bộ phận Một cửa — hoàn thành trước ngày 15 tháng 12 năm 2026;" in text
    assert "hoàn thành trước ngày 05 tháng 01 năm 2027" in text
    assert "3/5 điểm (đạt 60 %)" in text  # Vietnamese writes a space before %
    assert "Kiểm điểm trách nhiệm" in text and "kiểm điểm trách nhiệm cán bộ để hồ sơ quá hạn" in text
    assert "gửi báo cáo kết quả khắc phục" in text and "trước ngày 05 tháng 01 năm 2027./." in text
    assert "- Chủ tịch Ủy ban nhân dân thành phố (để báo cáo);" in text
    _as(app, "lead", "en")
    reader = pdf(client, f"/inspections/{world}/conclusion.pdf", "conclusion-en.pdf")
    text = text_of(reader)
    assert "No.: 02/TB-ĐKT" in text and "to be completed by 15 December 2026" in text
    assert "3 of 5 points (60%)" in text and "ngày" not in text


def test_conclusion_signed_for_the_body_when_the_organisation_says_so(client, auth, app, world):
    with app.test_request_context():
        org_settings.update({"SIGNING_MODE": "KT", "SIGNING_FOR": "CHỦ TỊCH", "SIGNER_TITLE": "PHÓ CHỦ TỊCH",
                             "SIGNER_NAME": "Phạm Văn Ký"}, actor=None)
        db.session.commit()
    _as(app, "lead", "vi")
    auth.login("lead")
    text = text_of(pdf(client, f"/inspections/{world}/conclusion.pdf", "conclusion-kt.pdf"))
    assert "KT. CHỦ TỊCH PHÓ CHỦ TỊCH" in text and "Phạm Văn Ký" in text
    assert "TRƯỞNG ĐOÀN" not in text


def test_a_missing_deputy_title_is_refused_on_the_settings_page(client, auth, app):
    with app.app_context():
        make_user(Role.ADMIN, username="admin")
        db.session.commit()
    with app.test_request_context():
        with pytest.raises(org_settings.SettingsError) as refused:
            org_settings.check({"SIGNING_MODE": "TM", "SIGNING_FOR": "ỦY BAN NHÂN DÂN", "SIGNER_TITLE": ""})
        assert set(refused.value.errors) == {"SIGNER_TITLE"}


def test_minutes_of_an_inspection_not_started_are_not_offered(client, auth, app, world):
    with app.app_context():
        inspection = db.session.get(Inspection, world)
        from tests.factories import make_inspection

        planned = make_inspection(unit=inspection.unit, team=inspection.team)
        plan_id, planned_id = planned.plan_id, planned.id
        db.session.commit()
    auth.login("lead")
    for url in (f"/inspections/{planned_id}/minutes", f"/inspections/{planned_id}/minutes.pdf"):
        r = client.get(url)
        assert r.status_code == 409 and "chưa bắt đầu" in r.get_data(as_text=True)
    page = client.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert f"/inspections/{planned_id}/minutes" not in page


def _issue_at(app, inspection_id: int, kind: str, day: date) -> str:
    with app.test_request_context():
        row = numbers.assign(kind, db.session.get(Inspection, inspection_id), day)
        db.session.commit()
        return numbers.printed(row, row.symbol)


def test_numbers_run_per_symbol_and_year_and_are_never_reused(app, world):
    from tests.factories import make_inspection

    with app.app_context():
        inspection = db.session.get(Inspection, world)
        others = [make_inspection(unit=inspection.unit, team=inspection.team).id for _ in range(3)]
        db.session.commit()
    assert _issue_at(app, world, "minutes", date(2026, 11, 10)) == "01/BB-ĐKT"
    assert _issue_at(app, world, "minutes", date(2026, 11, 11)) == "01/BB-ĐKT"  # issued once, kept
    assert _issue_at(app, others[0], "minutes", date(2026, 11, 12)) == "02/BB-ĐKT"
    assert _issue_at(app, others[0], "notice", date(2026, 11, 12)) == "01/TB-ĐKT"
    assert _issue_at(app, others[1], "conclusion", date(2026, 11, 12)) == "02/TB-ĐKT"  # a thông báo too
    assert _issue_at(app, others[2], "minutes", date(2027, 1, 2)) == "01/BB-ĐKT"  # a new year starts again
    with app.app_context():
        # The inspection goes; its number stays taken.
        db.session.execute(sa.delete(Inspection).where(Inspection.id == others[0]))
        db.session.commit()
        from tests.factories import make_inspection as again

        fresh = again(unit=db.session.get(Inspection, world).unit).id
        db.session.commit()
    assert _issue_at(app, fresh, "minutes", date(2026, 11, 13)) == "03/BB-ĐKT"


def test_documents_issued_at_the_same_moment_get_different_numbers(app, world):
    import threading

    from tests.factories import make_inspection

    with app.app_context():
        unit = db.session.get(Inspection, world).unit
        ids = [make_inspection(unit=unit).id for _ in range(4)]
        db.session.commit()
    start, got, errors = threading.Barrier(len(ids)), [], []

    def issue(inspection_id):
        try:
            with app.test_request_context():
                start.wait(10)
                row = numbers.assign("minutes", db.session.get(Inspection, inspection_id), date(2026, 11, 20))
                db.session.commit()
                got.append(row.number)
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=issue, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and sorted(got) == [1, 2, 3, 4]


def _page_edges(reader: PdfReader) -> list[tuple[list[str], list[str]]]:
    """Each page's first and last two lines of the document's text (the page number left out)."""
    out = []
    for page in reader.pages:
        found = [t for _y, t in lines(page) if not (t.replace(" ", "").replace("/", "").isdigit())]
        out.append((found[:2], found[-2:]))
    return out


LONG = "Biển hiệu bị che khuất, chữ mờ không đọc được; đơn vị chưa bố trí lại vị trí niêm yết. "


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_no_heading_signature_or_recipients_stand_alone_at_a_page_edge(client, auth, app, world, locale):
    """Findings long enough to push the closing around the page: whichever page it
    lands on, the heading, the signatures and Nơi nhận keep their company."""
    with app.app_context():
        inspection = db.session.get(Inspection, world)
        for n in range(7):
            add_finding(inspection, f"{n + 1}. " + LONG * 3, item_key="bien-hieu", explanation=LONG * 2)
        for n in range(12):
            db.session.add(RemediationAction(inspection_id=world, unit_id=inspection.unit_id,
                                             title=f"Khắc phục tồn tại số {n + 1}: " + LONG,
                                             deadline=date(2026, 12, 15)))
        db.session.commit()
    _as(app, "lead", locale)
    auth.login("lead")
    headings = {"vi": ["I. Thành phần tham dự", "II. Kết quả", "III. Phát hiện", "IV. Kết thúc", "Nơi nhận:",
                       "1. Ưu điểm", "2. Tồn tại", "3. Kiến nghị", "4. Kiểm điểm", "5. Tổ chức thực hiện"],
                "en": ["I. Attendees", "II. Results", "III. Findings", "IV. Closing", "Recipients:",
                       "1. Strengths", "2. Shortcomings", "3. Requirements", "4. Individual", "5. Implementation"]}
    signer_lines = {"vi": ["CHỦ TRÌ", "THƯ KÝ", "TRƯỞNG ĐOÀN", "TM. ĐOÀN KIỂM TRA"],
                    "en": ["CHAIR", "SECRETARY", "TEAM LEAD", "ON BEHALF OF THE INSPECTION TEAM"]}
    for name, url in (("minutes", f"/inspections/{world}/minutes.pdf"),
                      ("conclusion", f"/inspections/{world}/conclusion.pdf")):
        reader = pdf(client, url, f"{name}-long-{locale}.pdf")
        assert len(reader.pages) >= 2
        for number, (first, last) in enumerate(_page_edges(reader)):
            for line in last:  # a heading never ends a page
                assert not any(line.startswith(h) for h in headings[locale]), (name, number, line)
            if number:  # a page never starts with the signatures or Nơi nhận alone
                assert not any(first[0].startswith(s) for s in signer_lines[locale] + ["Nơi nhận", "Recipients"]), \
                    (name, number, first)
        # The signer and Nơi nhận on the page where the text ends ("./."), together.
        ending = page_of(reader, "./.")
        page = " ".join(reader.pages[ending].extract_text().split())
        assert ("Nơi nhận" in page or "Recipients" in page) and signer_lines[locale][0 if name == "minutes" else 2] in page


def test_a_surprise_check_records_the_decision_shown_on_arrival(client, auth, app, world):
    with app.app_context():
        db.session.get(Inspection, world).kind = "unannounced"
        db.session.commit()
    _as(app, "lead", "vi")
    auth.login("lead")
    page = " ".join(client.get(f"/inspections/{world}/minutes").get_data(as_text=True).split())
    assert ("khi đến đơn vị, Đoàn kiểm tra đã công bố Quyết định số 123/QĐ-UBND ngày 03 tháng 11 năm 2026 "
            "của Chủ tịch Ủy ban nhân dân thành phố") in page


def test_without_a_decision_on_the_plan_the_teams_notice_goes_to_the_body_above_it(client, auth, app, world):
    with app.app_context():
        db.session.get(Inspection, world).plan.decision_signer = None
        db.session.commit()
    _as(app, "lead", "vi")
    auth.login("lead")
    text = text_of(pdf(client, f"/inspections/{world}/conclusion.pdf", "conclusion-no-decision.pdf"))
    assert "- ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI (để báo cáo);" in text
