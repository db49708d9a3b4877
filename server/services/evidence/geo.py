"""Location checks for check-ins and photos, and optional address geocoding.

Positions are ``(lat, lon)`` in decimal degrees (WGS 84). The checks return
*flags*, plain dicts with a ``code``: they never block a check-in or a
photo; the lead reviews them. Distances are geodesic (geopy, WGS 84).
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo
from typing import NamedTuple

from flask_babel import format_decimal, format_timedelta
from flask_babel import gettext as _
from geopy.distance import geodesic
from geopy.exc import GeopyError

__all__ = [
    "FlagText", "GeocodedAddress", "GeocodingUnavailable", "describe_flag", "distance_m", "format_distance",
    "geocode_address", "location_flags", "nearest_distance_m", "parse_coordinate", "photo_flags",
]

Position = Sequence[float]  # (lat, lon); a third value (altitude) is ignored

_LIMIT = {"lat": 90.0, "lon": 180.0}
_HEMISPHERES = {"lat": {"N": 1, "S": -1}, "lon": {"E": 1, "W": -1}}
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")  # "21,0285", as typed with a Vietnamese keyboard
_DMS_MARKS = re.compile(r"''|[°º˚'′’\"″”]")
_DMS = re.compile(
    r"(?P<before>[NSEW])? ?(?P<sign>[+-])? ?(?P<deg>\d+(?:\.\d+)?)"
    r"(?: (?P<min>\d+(?:\.\d+)?)(?: (?P<sec>\d+(?:\.\d+)?))?)? ?(?P<after>[NSEW])?"
)


class GeocodingUnavailable(RuntimeError):
    """Geocoding is switched off or the geocoder could not be reached."""


class GeocodedAddress(NamedTuple):
    lat: float
    lon: float
    display_name: str


def distance_m(a: Position, b: Position) -> float:
    """Geodesic distance between two (lat, lon) positions, in metres."""
    return geodesic(tuple(a[:2]), tuple(b[:2])).meters


def nearest_distance_m(position: Position, unit_locations: Iterable[Position] | None) -> float | None:
    """Distance to the closest of a unit's registered locations; None when it has none."""
    distances = [distance_m(position, location) for location in unit_locations or ()]
    return min(distances) if distances else None


def parse_coordinate(value: str | float | int, kind: str = "lat") -> float:
    """A latitude or longitude as decimal degrees, from a number or text.

    Accepts decimal ("21.0285", "-105.8542", "21,0285") and degrees, minutes,
    seconds with a hemisphere letter before or after ("21°01'42.6\\"N",
    "21 1 42.6 N", "N 21° 1.71'", "105°51'15\\"E"); S and W are negative.
    Raises ValueError with a message for people on anything else.
    """
    if kind not in _LIMIT:
        raise ValueError("kind must be 'lat' or 'lon'")
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(_("A coordinate must be a number or text, not %(value)s.", value=value))
    if isinstance(value, str):
        degrees = _parse_coordinate_text(value, kind)
    else:
        degrees = float(value)
    return _in_range(degrees, kind, value)


def _parse_coordinate_text(text: str, kind: str) -> float:
    cleaned = text.strip().replace("\u2212", "-")
    if _DECIMAL.fullmatch(cleaned):
        return float(cleaned)
    if _DECIMAL_COMMA.fullmatch(cleaned):
        return float(cleaned.replace(",", "."))
    # Degrees, minutes, seconds: marks become spaces, a letter may touch a number.
    spaced = re.sub(r"(?<=\d)(?=[NSEW])|(?<=[NSEW])(?=\d)", " ", _DMS_MARKS.sub(" ", cleaned.upper()))
    match = _DMS.fullmatch(" ".join(spaced.split()))
    if not match:
        raise ValueError(_invalid_message(text, kind))
    letter = match["before"] or match["after"]
    if (match["before"] and match["after"]) or (letter and letter not in _HEMISPHERES[kind]):
        raise ValueError(_invalid_message(text, kind))
    if letter and match["sign"]:
        raise ValueError(_("Give either a sign or a hemisphere letter, not both: %(text)s", text=text))
    degrees, minutes, seconds = (float(match[part] or 0) for part in ("deg", "min", "sec"))
    fraction_too_early = ("." in match["deg"] and match["min"]) or ("." in (match["min"] or "") and match["sec"])
    if minutes >= 60 or seconds >= 60 or fraction_too_early:
        raise ValueError(_invalid_message(text, kind))
    sign = -1 if match["sign"] == "-" else _HEMISPHERES[kind].get(letter, 1)
    return sign * (degrees + minutes / 60 + seconds / 3600)


def _invalid_message(text: str, kind: str) -> str:
    if kind == "lat":
        return _("“%(text)s” is not a latitude; write e.g. 21.0285 or 21°01'42.6\"N.", text=text)
    return _("“%(text)s” is not a longitude; write e.g. 105.8542 or 105°51'15\"E.", text=text)


def _in_range(degrees: float, kind: str, original: object) -> float:
    limit = _LIMIT[kind]
    if not math.isfinite(degrees) or not -limit <= degrees <= limit:
        if kind == "lat":
            message = _("Latitude %(value)s is out of range (-90 to 90).", value=original)
        else:
            message = _("Longitude %(value)s is out of range (-180 to 180).", value=original)
        raise ValueError(message)
    return degrees


def location_flags(
    position: Position | None,
    accuracy_m: float | None,
    unit_locations: Iterable[Position] | None,
    *,
    radius_m: float = 300,
    poor_accuracy_m: float = 100,
) -> list[dict]:
    """Flags for a check-in position against the unit's registered locations.

    Codes: no_position, no_unit_location, off_site (farther than radius_m from
    the nearest location), mocked_location (accuracy exactly 0, which real
    receivers never report), poor_accuracy (worse than poor_accuracy_m).
    An unknown accuracy (None) raises no accuracy flag.
    """
    flags: list[dict] = []
    locations = list(unit_locations or ())
    if position is None:
        flags.append({"code": "no_position"})
    elif not locations:
        flags.append({"code": "no_unit_location"})
    else:
        distance = nearest_distance_m(position, locations)
        if distance > radius_m:
            flags.append({"code": "off_site", "distance_m": round(distance, 1), "radius_m": radius_m})
    if accuracy_m is not None and position is not None:
        if not math.isfinite(accuracy_m) or accuracy_m < 0:
            raise ValueError(f"accuracy_m must be a finite number >= 0, not {accuracy_m!r}")
        if accuracy_m == 0:
            flags.append({"code": "mocked_location"})
        elif accuracy_m > poor_accuracy_m:
            flags.append({"code": "poor_accuracy", "accuracy_m": accuracy_m, "limit_m": poor_accuracy_m})
    return flags


def photo_flags(
    photo_gps: Position | None,
    photo_time: datetime | None,
    checkin_position: Position | None,
    checkin_time: datetime | None,
    *,
    max_distance_m: float = 500,
    max_time_s: float = 6 * 3600,
    naive_tz: tzinfo | None = None,
) -> list[dict]:
    """Flags for a photo whose EXIF position or time is far from its check-in.

    Missing EXIF raises no flag: photos resized in the browser lose it. A
    naive photo time (camera wall clock) is read in ``naive_tz`` (e.g. the
    unit's zone) when the check-in time is aware; without ``naive_tz`` such a
    pair is not compared. ``difference_s`` is photo time minus check-in time.
    """
    flags: list[dict] = []
    if photo_gps is not None and checkin_position is not None:
        distance = distance_m(photo_gps, checkin_position)
        if distance > max_distance_m:
            flags.append({
                "code": "photo_far_from_checkin",
                "distance_m": round(distance, 1),
                "max_distance_m": max_distance_m,
            })
    difference = _seconds_between(photo_time, checkin_time, naive_tz)
    if difference is not None and abs(difference) > max_time_s:
        flags.append({
            "code": "photo_time_far_from_checkin",
            "difference_s": round(difference),
            "max_time_s": max_time_s,
        })
    return flags


def _seconds_between(photo_time: datetime | None, checkin_time: datetime | None,
                     naive_tz: tzinfo | None) -> float | None:
    if photo_time is None or checkin_time is None:
        return None
    photo_aware = photo_time.utcoffset() is not None
    checkin_aware = checkin_time.utcoffset() is not None
    if photo_aware != checkin_aware:
        if naive_tz is None:
            return None
        if photo_aware:
            checkin_time = checkin_time.replace(tzinfo=naive_tz)
        else:
            photo_time = photo_time.replace(tzinfo=naive_tz)
    return (photo_time - checkin_time).total_seconds()


class FlagText(NamedTuple):
    label: str  # a few words, for a badge
    sentence: str  # what the lead should know, with the stored figures


def format_distance(metres: float) -> str:
    """A distance as people read it, in the current language: "250 m", "1,2 km"."""
    if metres < 1000:
        return f"{format_decimal(round(metres))}\u00a0m"
    return f"{format_decimal(metres / 1000, format='#,##0.#')}\u00a0km"


def _duration(seconds: float) -> str:
    # Hours up to a day and a half, so 30 hours is not rounded to "1 day".
    return format_timedelta(abs(seconds), threshold=1.5)


def describe_flag(flag: dict) -> FlagText:
    """A stored check-in or photo flag (see location_flags, photo_flags and
    services/evidence/files.py) as a badge label and a sentence in the current language."""
    code = flag.get("code")
    if code == "off_site":
        return FlagText(_("Off site"), _(
            "Checked in %(distance)s from the unit's registered location (allowed %(radius)s).",
            distance=format_distance(flag["distance_m"]), radius=format_distance(flag["radius_m"])))
    if code == "poor_accuracy":
        return FlagText(_("Poor accuracy"), _(
            "Location accuracy %(accuracy)s is poor (limit %(limit)s).",
            accuracy=format_distance(flag["accuracy_m"]), limit=format_distance(flag["limit_m"])))
    if code == "mocked_location":
        return FlagText(_("Possibly simulated"), _("Accuracy reported as 0 m: the position may be simulated."))
    if code == "no_position":
        return FlagText(_("No position"), _("No position was recorded at check-in."))
    if code == "no_unit_location":
        return FlagText(_("No registered location"),
                        _("The unit has no registered location, so the distance could not be checked."))
    if code == "photo_off_site":
        return FlagText(_("Off site"), _(
            "Taken %(distance)s from the unit's registered location (allowed %(radius)s).",
            distance=format_distance(flag["distance_m"]), radius=format_distance(flag["radius_m"])))
    if code == "photo_far_from_checkin":
        return FlagText(_("Far from the check-in"), _(
            "Taken %(distance)s from the check-in position (allowed %(limit)s).",
            distance=format_distance(flag["distance_m"]), limit=format_distance(flag["max_distance_m"])))
    if code == "photo_time_far_from_checkin":
        duration, limit = _duration(flag["difference_s"]), _duration(flag["max_time_s"])
        if flag["difference_s"] < 0:
            sentence = _("Taken %(duration)s before the check-in (allowed %(limit)s).", duration=duration, limit=limit)
        else:
            sentence = _("Taken %(duration)s after the check-in (allowed %(limit)s).", duration=duration, limit=limit)
        return FlagText(_("Time differs"), sentence)
    return FlagText(_("Warning"), _("Location warning (%(code)s).", code=code))


def geocode_address(
    address: str,
    nominatim_domain: str | None,
    *,
    user_agent: str,
    timeout: float = 5,
    scheme: str = "https",
) -> GeocodedAddress | None:
    """The position of an address from a Nominatim server; None when it finds nothing.

    ``nominatim_domain`` None means geocoding is off. Raises GeocodingUnavailable
    when it is off or the server cannot be reached; the caller lets the user
    type the position instead. Public Nominatim allows one request a second:
    use it for occasional admin look-ups, never in bulk.
    """
    if not nominatim_domain:
        raise GeocodingUnavailable(_("Address lookup is not configured; please enter the position."))
    from geopy.geocoders import Nominatim  # imported here: most callers never geocode

    geocoder = Nominatim(user_agent=user_agent, domain=nominatim_domain, scheme=scheme, timeout=timeout)
    try:
        location = geocoder.geocode(address, exactly_one=True)
    except GeopyError as exc:
        raise GeocodingUnavailable(
            _("The address lookup service (%(domain)s) could not be reached: %(error)s",
              domain=nominatim_domain, error=exc)
        ) from exc
    if location is None:
        return None
    return GeocodedAddress(location.latitude, location.longitude, location.address)
