"""The inspection minutes (biên bản kiểm tra) and the conclusion notice, as pages and PDFs."""
import io

import pytest
from pypdf import PdfReader

from server.extensions import db
from server.models import Conclusion, InspectionStatus, RemediationAction, Role
from server.models.types import utcnow
from tests.factories import make_checklist_version, make_team, make_unit, make_user
from tests.reportdata import minutes_inspection


@pytest.fixture
def seeded(app):
    with app.app_context():
        unit = make_unit(name="Phường Hoàn Kiếm", code="00070")
        lead = make_user(Role.LEAD, username="lead")
        lead.full_name = "Nguyễn Văn Trưởng"
        team = make_team(name="Đoàn kiểm tra CCHC số 3")
        team.lead = lead
        make_user(Role.UNIT_OFFICER, username="officer", unit=unit)
        make_user(Role.UNIT_OFFICER, username="stranger")
        inspection = minutes_inspection(app, unit, team, make_checklist_version())
        db.session.commit()
        return inspection.id


def pdf_text(response) -> str:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_minutes_pdf_holds_the_unit_the_score_and_every_finding_with_diacritics(client, auth, seeded):
    auth.login("lead")
    with client.get(f"/inspections/{seeded}/minutes.pdf") as r:
        text = pdf_text(r)
        reader = PdfReader(io.BytesIO(r.data))
    squashed = " ".join(text.split())  # lines wrap anywhere in a PDF
    for expected in [
        "Phường Hoàn Kiếm", "ĐOÀN KIỂM TRA CẢI CÁCH HÀNH CHÍNH", "/BB-ĐKT",
        "3/5 (60 %)",  # the score: 0 of 2 (failed) + 3 of 3 (95% on time)
        "Biển hiệu bị che khuất, chữ mờ không đọc được",
        "Còn 1 hồ sơ giải quyết quá hạn chưa có phiếu xin lỗi",
        "Hòm thư góp ý không có khóa",
        "Đơn vị đang đặt làm biển hiệu mới, dự kiến hoàn thành trong tháng",
        "19/20 (95 %)", "Lê Đức Đại Diện", "Trần Thị Thư Ký", "Nguyễn Văn Trưởng",
        "Chưa đồng ý với kết luận về tỷ lệ đúng hạn", "08 giờ 30 phút", "10 giờ 45 phút",
    ]:
        assert expected in squashed, expected
    images = {img.data: img for page in reader.pages for img in page.images}.values()
    assert len(images) == 2  # the finding's photo and the chair's signature
    assert max(max(i.image.size) for i in images) <= 800  # downscaled from 1600 px


def test_minutes_page_and_pdf_come_from_one_template(client, auth, seeded):
    auth.login("lead")
    page = client.get(f"/inspections/{seeded}/minutes").get_data(as_text=True)
    assert "Biển hiệu bị che khuất" in page and f"/inspections/{seeded}/minutes.pdf" in page
    assert "/api/evidence/" in page  # photos from the evidence API on screen, from storage in the PDF


def test_unit_officer_gets_the_minutes_only_once_concluded(client, auth, seeded, app):
    auth.login("officer")
    assert client.get(f"/inspections/{seeded}/minutes.pdf").status_code == 403
    with app.app_context():
        inspection = db.session.get(__import__("server.models", fromlist=["Inspection"]).Inspection, seeded)
        inspection.status = InspectionStatus.CONCLUDED
        db.session.commit()
    with client.get(f"/inspections/{seeded}/minutes.pdf") as r:
        assert "Phường Hoàn Kiếm" in pdf_text(r)
    auth.logout()
    auth.login("stranger")
    assert client.get(f"/inspections/{seeded}/minutes.pdf").status_code == 404


def test_conclusion_notice_pdf_lists_strengths_shortcomings_and_actions(client, auth, seeded, app):
    auth.login("lead")
    assert client.get(f"/inspections/{seeded}/conclusion.pdf").status_code == 404  # none issued yet
    with app.app_context():
        from server.models import Inspection

        inspection = db.session.get(Inspection, seeded)
        db.session.add(Conclusion(inspection_id=seeded, strengths="Cán bộ tận tình, chu đáo",
                                  shortcomings="Niêm yết thủ tục chưa đầy đủ",
                                  recommendations="Khắc phục biển hiệu trước ngày 15", issued_at=utcnow()))
        db.session.add(RemediationAction(inspection_id=seeded, unit_id=inspection.unit_id,
                                         title="Làm lại biển hiệu Bộ phận Một cửa",
                                         deadline=__import__("datetime").date(2026, 12, 15)))
        db.session.commit()
    with client.get(f"/inspections/{seeded}/conclusion.pdf") as r:
        text = " ".join(pdf_text(r).split())
    for expected in ["Số: 01/TB-ĐKT", "Cán bộ tận tình, chu đáo", "Niêm yết thủ tục chưa đầy đủ",
                     "Khắc phục biển hiệu trước ngày 15", "Làm lại biển hiệu Bộ phận Một cửa", "Phường Hoàn Kiếm"]:
        assert expected in text, expected


def test_rendering_a_pdf_leaves_the_photo_pipeline_strict_about_truncated_files(client, auth, seeded):
    from PIL import ImageFile

    auth.login("lead")
    with client.get(f"/inspections/{seeded}/minutes.pdf") as r:
        assert r.status_code == 200
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False  # WeasyPrint sets it on import; we put it back
