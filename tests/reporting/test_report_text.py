"""The rule that decided a score, and its band, in words: on the review page, in the
minutes (page and PDF) and as columns of the summary exports, in both languages."""
import csv
import io

import pytest
from flask_babel import force_locale
from openpyxl import load_workbook
from pypdf import PdfReader

from server.extensions import db
from server.models import InspectionStatus, Role
from server.services.reporting.report_text import decision_text, score_titles
from server.services.checklists.scoring import score_inspection
from tests.factories import make_checklist_version, make_inspection, make_team, make_unit, make_user, normalised
from tests.reportdata import finish


def _pass_fail(key, vi, en, points, **extra):
    return {"key": key, "type": "pass_fail", "text": {"vi": vi, "en": en}, "points": points, **extra}


RULES = normalised({
    "key": "quy-tac",
    "title": {"vi": "Bảng kiểm quy tắc", "en": "Rules checklist"},
    "scoring": {"pass_mark": 50, "bands": [
        {"min": 90, "label": {"vi": "Xuất sắc", "en": "Excellent"}},
        {"min": 50, "label": {"vi": "Khá", "en": "Good"}},
        {"min": 0, "label": {"vi": "Yếu", "en": "Weak"}}]},
    "sections": [
        {"key": "niem-yet", "title": {"vi": "Niêm yết công khai", "en": "Public posting"}, "pass_mark": 70,
         "items": [_pass_fail("phi", "Niêm yết mức phí", "Fees posted", 2, critical=True),
                   _pass_fail("gio", "Niêm yết giờ làm việc", "Opening hours posted", 2)]},
        {"key": "tiep-dan", "title": {"vi": "Tiếp công dân", "en": "Receiving citizens"},
         "items": [_pass_fail("hom-thu", "Hòm thư góp ý", "Suggestion box", 6)]},
    ],
})

# answers → (English, Vietnamese) deciding rule, and the band in both languages; percents as each
# language writes them (50% / 50 %)
CASES = {
    "critical": ({"phi": "fail", "gio": "pass", "hom-thu": "pass"},
                 "The critical item “Fees posted” failed.", "Nội dung trọng yếu “Niêm yết mức phí” không đạt."),
    "section": ({"phi": "pass", "gio": "fail", "hom-thu": "pass"},
                "The section “Public posting” scored 50%, below its own pass mark of 70%.",
                "Phần “Niêm yết công khai” đạt 50\u00a0%, thấp hơn ngưỡng đạt riêng của phần là 70\u00a0%."),
    "below": ({"phi": "pass", "gio": "pass", "hom-thu": "fail"},
              "The score of 40% is below the pass mark of 50%.", "Tỷ lệ điểm 40\u00a0% thấp hơn ngưỡng đạt 50\u00a0%."),
    "met": ({"phi": "pass", "gio": "pass", "hom-thu": "pass"},
            "The score of 100% reaches the pass mark of 50%.",
            "Tỷ lệ điểm 100\u00a0% đạt từ ngưỡng đạt 50\u00a0% trở lên."),
}
# a result failed by a critical item shows no band: "Good" beside "Fail" would contradict it
BANDS = {"critical": (None, None), "section": ("Good", "Khá"), "below": ("Weak", "Yếu"),
         "met": ("Excellent", "Xuất sắc")}
LANGS = {"en": 0, "vi": 1}


def words(case, lang):
    return CASES[case][1 + LANGS[lang]]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("case", CASES)
def test_each_deciding_rule_reads_as_a_sentence_naming_titles_not_keys(ctx, app, case, lang):
    result = score_inspection(RULES, {k: {"value": v} for k, v in CASES[case][0].items()})
    with force_locale(lang):
        assert decision_text(result.decided_by, score_titles(RULES, lang)) == words(case, lang)


@pytest.mark.parametrize("lang, expected", [
    ("en", ["The required items “Opening hours posted”, “Suggestion box” are not answered.",
            "Nothing was scored, so the inspection passes."]),
    ("vi", ["Các nội dung bắt buộc “Niêm yết giờ làm việc”, “Hòm thư góp ý” chưa được trả lời.",
            "Không có nội dung nào được chấm điểm nên kết quả là Đạt."]),
])
def test_unanswered_and_unscored_inspections_read_as_sentences_too(ctx, lang, expected):
    required = {**RULES, "sections": [{**s, "items": [{**i, "required": True} for i in s["items"]]}
                                      for s in RULES["sections"]]}
    unanswered = score_inspection(required, {"phi": {"value": "pass"}})
    optional = {**RULES, "sections": [{**s, "items": [{**i, "allow_na": True} for i in s["items"]]}
                                      for s in RULES["sections"]]}
    nothing = score_inspection(optional, {k: {"na": True} for k in ("phi", "gio", "hom-thu")})
    with force_locale(lang):
        titles = score_titles(RULES, lang)
        assert [decision_text(unanswered.decided_by, titles), decision_text(nothing.decided_by, titles)] == expected


def test_a_section_rule_names_every_section_below_its_own_pass_mark(ctx):
    two = {**RULES, "scoring": {**RULES["scoring"], "pass_mark": 0},
           "sections": [RULES["sections"][0], {**RULES["sections"][1], "pass_mark": 90}]}
    result = score_inspection(two, {"phi": {"value": "pass"}, "gio": {"value": "fail"}, "hom-thu": {"value": "fail"}})
    with force_locale("en"):
        text = decision_text({**result.decided_by}, score_titles(two, "en"))
    assert text.endswith("Also below their own pass marks: “Receiving citizens”.")


@pytest.fixture
def scored(app):
    """One approved inspection of the rules checklist per case, all by one team with its lead."""
    with app.app_context():
        lead = make_user(Role.LEAD, username="lead")
        team = make_team(members=[lead])
        team.lead = lead
        version = make_checklist_version(RULES)
        ids = {}
        for n, (case, (answers, *_)) in enumerate(CASES.items()):
            inspection = make_inspection(unit=make_unit(name=f"Phường Quy Tắc {n}"), team=team, version=version)
            finish(inspection, answers, status=InspectionStatus.APPROVED)
            ids[case] = (inspection.id, inspection.uuid)
        db.session.commit()
        return ids


def squashed(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("lang, label", [("en", "Deciding rule"), ("vi", "Căn cứ xác định kết quả")])
def test_the_review_page_shows_the_deciding_rule_and_the_band_in_words(client, auth, scored, lang, label):
    auth.login("lead")
    client.post(f"/lang/{lang}", data={"next": "/"})
    for case, (_id, uuid) in scored.items():
        page = squashed(client.get(f"/review/inspections/{uuid}").get_data(as_text=True))
        assert f"{label}: {squashed(words(case, lang))}" in page
        band = BANDS[case][LANGS[lang]]
        if band is None:
            assert 'class="meta band"' not in page and ("Good" if lang == "en" else "Khá") not in page
        else:
            assert band in page


@pytest.mark.parametrize("lang, label", [("en", "Deciding rule"), ("vi", "Căn cứ xác định kết quả")])
def test_the_minutes_page_and_pdf_show_the_deciding_rule_and_the_band_in_words(client, auth, scored, lang, label):
    auth.login("lead")
    client.post(f"/lang/{lang}", data={"next": "/"})
    inspection_id = scored["section"][0]
    page = squashed(client.get(f"/inspections/{inspection_id}/minutes").get_data(as_text=True))
    assert squashed(words("section", lang)) in page and BANDS["section"][LANGS[lang]] in page
    with client.get(f"/inspections/{inspection_id}/minutes.pdf") as r:
        assert r.status_code == 200 and r.mimetype == "application/pdf"
        text = squashed("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages))
    assert f"{label}: {squashed(words('section', lang))}" in text
    assert BANDS["section"][LANGS[lang]] in text


@pytest.mark.parametrize("lang, column", [("en", "Deciding rule"), ("vi", "Căn cứ xác định kết quả")])
def test_the_csv_summary_has_the_deciding_rule_and_band_as_columns(client, auth, scored, lang, column):
    auth.login("lead")
    client.post(f"/lang/{lang}", data={"next": "/"})
    with client.get("/exports/inspections.csv") as r:
        rows = list(csv.reader(io.StringIO(r.get_data().decode("utf-8-sig"))))
    band = "Band" if lang == "en" else "Xếp loại"
    by_id = {int(row[0]): dict(zip(rows[0], row)) for row in rows[1:]}
    for case, (inspection_id, _uuid) in scored.items():
        assert by_id[inspection_id][column] == words(case, lang)
        assert by_id[inspection_id][band] == (BANDS[case][LANGS[lang]] or "")


@pytest.mark.parametrize("lang, column", [("en", "Deciding rule"), ("vi", "Căn cứ xác định kết quả")])
def test_the_workbook_has_the_deciding_rule_and_band_as_columns(client, auth, scored, app, lang, column):
    app.config["EXPORT_JOBS_INLINE"] = True
    auth.login("lead")
    client.post(f"/lang/{lang}", data={"next": "/"})
    r = client.post("/exports/workbook", data={})
    assert r.status_code == 303
    job = r.headers["Location"].rstrip("/")
    client.get(job)
    with client.get(job + "/kiemtra-summary.xlsx") as r:
        assert r.status_code == 200
        workbook = load_workbook(io.BytesIO(r.data), read_only=False)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    band = "Band" if lang == "en" else "Xếp loại"
    by_id = {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}
    for case, (inspection_id, _uuid) in scored.items():
        assert by_id[inspection_id][column] == words(case, lang)
        assert by_id[inspection_id][band] == BANDS[case][LANGS[lang]]
