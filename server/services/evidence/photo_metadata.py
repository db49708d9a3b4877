"""A photo's EXIF metadata: orientation, time taken and GPS position.

Damaged metadata never rejects a photo; it is read as absent. See photos.py
for the rules (naive camera time, (0, 0) read as no fix).
"""
from __future__ import annotations

import math
import re
import struct
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple

from PIL import ExifTags, Image

# What Pillow and pillow-heif raise for damaged or truncated data.
DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error, RuntimeError)
# What parsing damaged metadata can raise; the photo is kept, the metadata is not.
_METADATA_ERRORS = (*DECODE_ERRORS, ArithmeticError, KeyError, TypeError)
_EXIF_DATETIME = re.compile(r"(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_EXIF_OFFSET = re.compile(r"([+-])(\d{2}):(\d{2})")


class GpsPosition(NamedTuple):
    lat: float
    lon: float
    alt: float | None = None  # metres above sea level


_pillow_warnings_lock = threading.Lock()


@contextmanager
def pillow_warnings_silenced() -> Iterator[None]:
    """Silence Pillow's warnings about huge images and damaged metadata: we check both ourselves.

    ``catch_warnings`` swaps process-wide state (before Python 3.14); the lock
    keeps our own uses from interleaving. Only header and metadata reads run
    inside it, never a decode.
    """
    with _pillow_warnings_lock, warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        warnings.simplefilter("ignore", UserWarning)
        yield


def read_metadata(image: Image.Image) -> tuple[int, datetime | None, GpsPosition | None]:
    """(orientation, taken_at, gps) from EXIF; damaged metadata reads as absent."""
    try:
        with pillow_warnings_silenced():
            exif = image.getexif()
            orientation = exif.get(ExifTags.Base.Orientation)
            exif_ifd = dict(exif.get_ifd(ExifTags.IFD.Exif))
            gps_ifd = dict(exif.get_ifd(ExifTags.IFD.GPSInfo))
    except _METADATA_ERRORS:
        return 1, None, None
    orientation = orientation if isinstance(orientation, int) and 1 <= orientation <= 8 else 1
    try:
        taken_at = _taken_at(exif_ifd)
    except _METADATA_ERRORS:
        taken_at = None
    try:
        gps = _gps_position(gps_ifd)
    except _METADATA_ERRORS:
        gps = None
    return orientation, taken_at, gps


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("ascii", "ignore")
    return value.strip("\x00 ") if isinstance(value, str) else ""


def _taken_at(exif_ifd: dict) -> datetime | None:
    match = _EXIF_DATETIME.fullmatch(_text(exif_ifd.get(ExifTags.Base.DateTimeOriginal)))
    if not match:
        return None
    try:
        taken_at = datetime(*map(int, match.groups()))
    except ValueError:  # "0000:00:00 00:00:00" and other impossible dates
        return None
    subsec = _text(exif_ifd.get(ExifTags.Base.SubsecTimeOriginal))
    if subsec.isdigit():
        taken_at = taken_at.replace(microsecond=int(subsec[:6].ljust(6, "0")))
    offset = _EXIF_OFFSET.fullmatch(_text(exif_ifd.get(ExifTags.Base.OffsetTimeOriginal)))
    if offset:
        sign, hours, minutes = offset.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes))
        if delta <= timedelta(hours=14):
            taken_at = taken_at.replace(tzinfo=timezone(-delta if sign == "-" else delta))
    return taken_at


def _gps_position(gps_ifd: dict) -> GpsPosition | None:
    gps = ExifTags.GPS
    lat = _degrees(gps_ifd.get(gps.GPSLatitude), _text(gps_ifd.get(gps.GPSLatitudeRef)), "S")
    lon = _degrees(gps_ifd.get(gps.GPSLongitude), _text(gps_ifd.get(gps.GPSLongitudeRef)), "W")
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    if lat == 0 and lon == 0:  # cameras write zeros when they had no fix
        return None
    alt = _number(gps_ifd.get(gps.GPSAltitude))
    if alt is not None:
        ref = gps_ifd.get(gps.GPSAltitudeRef, 0)
        if isinstance(ref, bytes):
            ref = ref[0] if ref else 0
        alt = round(-abs(alt) if ref == 1 else alt, 2)
    return GpsPosition(round(lat, 7), round(lon, 7), alt)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)  # IFDRational with a zero denominator gives nan
    return number if math.isfinite(number) else None


def _degrees(value: Any, ref: str, negative_ref: str) -> float | None:
    """EXIF (degrees, minutes, seconds) rationals to signed decimal degrees."""
    parts = value if isinstance(value, tuple) else (value,)
    if value is None or not 1 <= len(parts) <= 3:
        return None
    numbers = [_number(part) for part in parts]
    if None in numbers:
        return None
    degrees = sum(number / 60 ** i for i, number in enumerate(numbers))
    return -abs(degrees) if ref.upper().startswith(negative_ref) else degrees
