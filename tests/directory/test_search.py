"""Searching unit names ignores case and Vietnamese diacritics, the same on
SQLite and PostgreSQL (server/services/directory/search.py)."""
from datetime import date

import pytest
import sqlalchemy as sa

from server.extensions import db
from server.models import Unit
from server.services.directory.search import fold, search_units
from tests.factories import make_unit


@pytest.mark.parametrize("text, folded", [
    ("Phường Ba Đình", "phuong ba dinh"),
    ("BA ĐÌNH", "ba dinh"),
    ("  Tỉnh   Đắk Lắk ", "tinh dak lak"),
    ("Xã Ứng Hòa", "xa ung hoa"),
    ("Xã Ứng Hoà", "xa ung hoa"),  # the older placement of the tone mark
    ("Thành phố Hồ Chí Minh", "thanh pho ho chi minh"),
])
def test_fold_drops_case_diacritics_and_extra_spaces(text, folded):
    assert fold(text) == folded


def test_fold_treats_decomposed_and_composed_text_alike():
    import unicodedata

    assert fold(unicodedata.normalize("NFD", "Đình Bảng")) == fold("Đình Bảng") == "dinh bang"


@pytest.mark.parametrize("query", ["ba dinh", "BA ĐÌNH", "Đình", "đình", "Ba Đình", "phuong ba", "dinh ba", "00004"])
def test_search_finds_phuong_ba_dinh_however_it_is_typed(ctx, query):
    ba_dinh = make_unit(code="00004", name="Phường Ba Đình")
    make_unit(code="00070", name="Phường Hoàn Kiếm")
    make_unit(code="00454", name="Xã Đông Anh")
    assert search_units(query) == [ba_dinh]


def test_search_matches_every_word_and_orders_by_name(ctx):
    centre = make_unit(name="Trung tâm Phục vụ hành chính công phường Ba Đình")
    ward = make_unit(name="Phường Ba Đình")
    assert search_units("TRUNG TÂM ba đình") == [centre]
    assert search_units("ba dinh") == [ward, centre]


def test_search_treats_like_wildcards_as_text(ctx):
    make_unit(name="Phường Ba Đình")
    assert search_units("%") == []
    assert search_units("b_ dinh") == []


def test_an_empty_query_finds_nothing(ctx):
    make_unit(name="Phường Ba Đình")
    assert search_units("   ") == []


def test_search_on_a_day_leaves_out_units_merged_away_before_it(ctx):
    old = make_unit(name="Phường Phúc Xá", valid_to=date(2025, 7, 1))
    new = make_unit(name="Phường Phúc Xá", valid_from=date(2025, 7, 1))
    assert search_units("phuc xa", valid_on=date(2025, 6, 30)) == [old]
    assert search_units("phuc xa", valid_on=date(2025, 7, 1)) == [new]


def test_the_folded_name_follows_renames(ctx):
    unit = make_unit(name="Phường Ba Đình")
    unit.name = "Phường Ngọc Hà"
    db.session.flush()
    assert search_units("ngoc ha") == [unit]
    assert search_units("ba dinh") == []


def test_units_inserted_in_bulk_get_their_folded_name(ctx):
    db.session.execute(sa.insert(Unit), [
        {"code": "B1", "name": "Xã Đông Anh", "kind": "commune"},
        {"code": "B2", "name": "Phường Ba Đình", "kind": "ward"},
    ])
    assert [u.code for u in search_units("dong anh")] == ["B1"]
    folded = db.session.scalars(sa.select(Unit.name_folded).order_by(Unit.code)).all()
    assert folded == ["xa dong anh", "phuong ba dinh"]


def test_the_folded_name_is_stored_in_the_database(ctx):
    make_unit(code="00004", name="Phường Ba Đình")
    db.session.commit()
    stored = db.session.scalar(sa.text("SELECT name_folded FROM units WHERE code = '00004'"))
    assert stored == "phuong ba dinh"
