"""Location checks: distances, coordinates as people type them, flags, geocoding."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.services.evidence.geo import (
    GeocodingUnavailable, distance_m, geocode_address, location_flags, nearest_distance_m,
    parse_coordinate, photo_flags,
)

HOAN_KIEM_LAKE = (21.0285, 105.8522)   # Turtle Tower
TEMPLE_OF_LITERATURE = (21.0293, 105.8355)
HO_CHI_MINH_CITY = (10.7769, 106.7009)
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


# --- distances ------------------------------------------------------------

def test_distance_between_two_hanoi_landmarks_is_known_within_one_percent():
    # Same latitude, 0.0167° of longitude apart: about 1 735 m on the WGS 84 ellipsoid.
    assert distance_m(HOAN_KIEM_LAKE, TEMPLE_OF_LITERATURE) == pytest.approx(1735, rel=0.01)


def test_distance_from_hanoi_to_ho_chi_minh_city_is_about_1140_km():
    assert distance_m(HOAN_KIEM_LAKE, HO_CHI_MINH_CITY) == pytest.approx(1_140_000, rel=0.01)


def test_distance_ignores_altitude():
    assert distance_m((*HOAN_KIEM_LAKE, 500.0), HOAN_KIEM_LAKE) == 0


def test_nearest_distance_is_to_the_closest_registered_location():
    assert nearest_distance_m(HOAN_KIEM_LAKE, [HO_CHI_MINH_CITY, TEMPLE_OF_LITERATURE]) == pytest.approx(
        distance_m(HOAN_KIEM_LAKE, TEMPLE_OF_LITERATURE))


@pytest.mark.parametrize("locations", [[], None])
def test_nearest_distance_without_locations_is_none(locations):
    assert nearest_distance_m(HOAN_KIEM_LAKE, locations) is None


# --- coordinates ----------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("21.0285", "lat", 21.0285),
        ("-105.8542", "lon", -105.8542),
        (21.0285, "lat", 21.0285),
        (105, "lon", 105.0),
        (" +21.0285 ", "lat", 21.0285),
        ("21,0285", "lat", 21.0285),
        ("21°01'42.6\"N", "lat", 21.0285),
        ("21 1 42.6 N", "lat", 21.0285),
        ("21°01′42.6″N", "lat", 21.0285),
        ("21°01'42.6''N", "lat", 21.0285),
        ("N 21° 1.71'", "lat", 21.0285),
        ("21.0285N", "lat", 21.0285),
        ("21°01'42.6\"S", "lat", -21.0285),
        ("105°51'15\"E", "lon", 105 + 51 / 60 + 15 / 3600),
        ("105°51'15\"W", "lon", -(105 + 51 / 60 + 15 / 3600)),
        ("-21 1 42.6", "lat", -21.0285),
        ("−33.86", "lat", -33.86),  # a typographic minus
        ("90", "lat", 90.0),
        ("-180", "lon", -180.0),
    ],
)
def test_parse_coordinate_reads_decimal_and_degrees_minutes_seconds(text, kind, expected):
    assert parse_coordinate(text, kind) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [
        ("Hà Nội", "lat", "is not a latitude"),
        ("", "lat", "is not a latitude"),
        ("21.0285.1", "lat", "is not a latitude"),
        ("nan", "lat", "is not a latitude"),
        ("1e3", "lon", "is not a longitude"),
        ("105°51'15\"E", "lat", "is not a latitude"),      # an east longitude given as latitude
        ("21°01'42.6\"N", "lon", "is not a longitude"),
        ("21 61 0 N", "lat", "is not a latitude"),          # 61 minutes
        ("21 1 60 N", "lat", "is not a latitude"),          # 60 seconds
        ("21.5 30 N", "lat", "is not a latitude"),          # fractional degrees and minutes
        ("N 21 1 2 S", "lat", "is not a latitude"),
        ("-21 1 2 S", "lat", "either a sign or a hemisphere"),
        ("91", "lat", "out of range"),
        ("-90.0001", "lat", "out of range"),
        ("181", "lon", "out of range"),
        (float("inf"), "lon", "out of range"),
        (float("nan"), "lat", "out of range"),
        (True, "lat", "must be a number or text"),
        (None, "lat", "must be a number or text"),
    ],
)
def test_parse_coordinate_refuses_garbage_and_out_of_range_values_with_a_clear_message(text, kind, message):
    with pytest.raises(ValueError, match=message):
        parse_coordinate(text, kind)


@given(
    degrees=st.integers(0, 89), minutes=st.integers(0, 59), seconds=st.integers(0, 5999).map(lambda s: s / 100),
    hemisphere=st.sampled_from("NS"),
)
def test_dms_text_reads_back_as_the_decimal_it_denotes(degrees, minutes, seconds, hemisphere):
    text = f"{degrees}°{minutes:02d}'{seconds:05.2f}\"{hemisphere}"
    expected = (degrees + minutes / 60 + seconds / 3600) * (-1 if hemisphere == "S" else 1)

    assert parse_coordinate(text, "lat") == pytest.approx(expected, abs=1e-9)


@given(st.integers(-180_0000000, 180_0000000).map(lambda n: n / 1e7))
def test_decimal_text_reads_back_as_the_same_number(value):
    assert parse_coordinate(f"{value:.7f}", "lon") == pytest.approx(value, abs=1e-9)


# --- check-in flags -------------------------------------------------------

def codes(flags):
    return [flag["code"] for flag in flags]


def test_check_in_at_the_unit_with_good_accuracy_raises_no_flag():
    assert location_flags((21.0286, 105.8523), 12.0, [HOAN_KIEM_LAKE]) == []


def test_check_in_far_from_the_unit_is_flagged_off_site_with_the_distance():
    flags = location_flags(TEMPLE_OF_LITERATURE, 10.0, [HOAN_KIEM_LAKE])

    assert flags == [{"code": "off_site", "distance_m": pytest.approx(1735, rel=0.01), "radius_m": 300}]


def test_off_site_uses_the_nearest_registered_location_and_the_given_radius():
    assert location_flags(TEMPLE_OF_LITERATURE, 10.0, [HO_CHI_MINH_CITY, HOAN_KIEM_LAKE], radius_m=2000) == []


def test_poor_accuracy_is_flagged():
    assert location_flags(HOAN_KIEM_LAKE, 250.0, [HOAN_KIEM_LAKE]) == [
        {"code": "poor_accuracy", "accuracy_m": 250.0, "limit_m": 100}
    ]


def test_accuracy_of_exactly_zero_is_flagged_as_a_mocked_location():
    assert codes(location_flags(HOAN_KIEM_LAKE, 0, [HOAN_KIEM_LAKE])) == ["mocked_location"]


def test_unit_without_a_registered_location_is_flagged():
    assert codes(location_flags(HOAN_KIEM_LAKE, 10.0, [])) == ["no_unit_location"]


def test_check_in_without_a_position_is_flagged():
    assert codes(location_flags(None, None, [HOAN_KIEM_LAKE])) == ["no_position"]


def test_flags_combine():
    assert codes(location_flags(TEMPLE_OF_LITERATURE, 500.0, [HOAN_KIEM_LAKE])) == ["off_site", "poor_accuracy"]


def test_unknown_accuracy_raises_no_accuracy_flag():
    assert location_flags(HOAN_KIEM_LAKE, None, [HOAN_KIEM_LAKE]) == []


@pytest.mark.parametrize("accuracy", [-1.0, float("nan")])
def test_impossible_accuracy_is_a_programming_error(accuracy):
    with pytest.raises(ValueError):
        location_flags(HOAN_KIEM_LAKE, accuracy, [HOAN_KIEM_LAKE])


# --- photo flags ----------------------------------------------------------

CHECK_IN = datetime(2025, 7, 1, 2, 0, tzinfo=timezone.utc)  # 09:00 in Hanoi


def test_photo_taken_at_the_check_in_place_and_time_raises_no_flag():
    assert photo_flags(HOAN_KIEM_LAKE, CHECK_IN + timedelta(minutes=20), HOAN_KIEM_LAKE, CHECK_IN) == []


def test_photo_taken_far_from_the_check_in_is_flagged():
    flags = photo_flags(HO_CHI_MINH_CITY, None, HOAN_KIEM_LAKE, CHECK_IN)

    assert flags == [{"code": "photo_far_from_checkin", "distance_m": pytest.approx(1_140_000, rel=0.01),
                      "max_distance_m": 500}]


def test_photo_taken_long_before_the_check_in_is_flagged_with_the_signed_difference():
    flags = photo_flags(None, CHECK_IN - timedelta(days=3), HOAN_KIEM_LAKE, CHECK_IN)

    assert flags == [{"code": "photo_time_far_from_checkin", "difference_s": -3 * 86400, "max_time_s": 6 * 3600}]


def test_naive_camera_time_is_read_in_the_given_zone():
    camera_time = datetime(2025, 7, 1, 9, 30)  # Hanoi wall clock, 30 min after check-in

    assert photo_flags(None, camera_time, None, CHECK_IN, naive_tz=VIETNAM) == []
    assert codes(photo_flags(None, camera_time, None, CHECK_IN, naive_tz=timezone(timedelta(hours=-5)))) == [
        "photo_time_far_from_checkin"]


def test_naive_camera_time_without_a_zone_is_not_compared_with_an_aware_check_in():
    assert photo_flags(None, datetime(2020, 1, 1), None, CHECK_IN) == []


def test_photo_without_exif_raises_no_flag():
    assert photo_flags(None, None, HOAN_KIEM_LAKE, CHECK_IN) == []


def test_photo_flag_limits_are_parameters():
    flags = photo_flags(TEMPLE_OF_LITERATURE, CHECK_IN + timedelta(hours=2), HOAN_KIEM_LAKE, CHECK_IN,
                        max_distance_m=5000, max_time_s=3600)

    assert codes(flags) == ["photo_time_far_from_checkin"]


# --- geocoding ------------------------------------------------------------

def test_geocoding_is_unavailable_when_no_server_is_configured():
    with pytest.raises(GeocodingUnavailable, match="not configured"):
        geocode_address("1 Tràng Tiền, Hoàn Kiếm, Hà Nội", None, user_agent="kiemtra-tests")


def test_geocoding_reports_an_unreachable_server_clearly():
    with pytest.raises(GeocodingUnavailable, match=r"127\.0\.0\.1:9.*could not be reached"):
        geocode_address("1 Tràng Tiền, Hoàn Kiếm, Hà Nội", "127.0.0.1:9", user_agent="kiemtra-tests",
                        scheme="http", timeout=2)
