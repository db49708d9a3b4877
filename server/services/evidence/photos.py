"""The photo pipeline: bytes in; a checked, oriented, metadata-free display copy
and thumbnail out. Pure: no app, no database, no storage.

Decisions, in the order a photo meets them:

- The format comes from the bytes, never from the file name or the declared
  content type. JPEG, PNG, WebP and HEIC/HEIF are accepted; GIF, TIFF, BMP,
  AVIF, JPEG XL, JPEG 2000 and SVG are recognised and refused
  (``unsupported_format``); anything else is ``not_an_image``.
- The pixel limit is checked on the dimensions in the header, before any
  pixel is decoded. Pillow's own decompression-bomb warning is silenced (we
  check ourselves) and its error becomes ``too_many_pixels``.
- So is the decoded size in bytes (``decoded_too_large``): a 16-bit or alpha
  image takes more memory a pixel than a JPEG. A process decodes at most that
  many bytes at once; other photos wait their turn (photo_memory.py).
- EXIF is read from the original: DateTimeOriginal (+ SubsecTimeOriginal) as
  ``taken_at``, which is *aware* when OffsetTimeOriginal is present and
  *naive* otherwise (the camera's wall clock, zone unknown: the caller
  interprets it, e.g. in the unit's time zone); GPS as decimal degrees with
  S/W negative and altitude below sea level negative. Damaged metadata never
  rejects a photo; it is read as absent. A position of exactly (0, 0) is
  read as "no fix".
- The EXIF orientation (1-8) is applied. HEIF is the exception: libheif
  applies the file's own rotation and pillow-heif resets the EXIF tag.
- Colour: an embedded ICC profile is converted to sRGB, then dropped; the
  outputs carry no EXIF, ICC, XMP or comment, so they are untagged sRGB,
  the web's default. Alpha is flattened onto white.
- Speed: a JPEG is decoded with DCT scaling (``Image.draft``) at the smallest
  size not below the display size, so a 12 MP photo is never decoded in
  full: for the default 1000 px copy it decodes at 1/4 scale, already the
  right size; the thumbnail is made from the display copy. PNG, WebP and
  HEIF are decoded in full and shrunk band by band.
"""
from __future__ import annotations

import functools
import hashlib
import io
import math
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pillow_heif
from flask_babel import format_decimal
from flask_babel import gettext as _
from PIL import Image, ImageCms

from .photo_memory import (
    DEFAULT_MAX_DECODED_BYTES, DecodedSize, decode_budget, decoded_size, eight_bit, flatten_alpha,
    shrink_in_bands, webp_decoded_size, webp_size,
)
from .photo_metadata import DECODE_ERRORS as _DECODE_ERRORS
from .photo_metadata import GpsPosition, pillow_warnings_silenced, read_metadata

pillow_heif.register_heif_opener()

__all__ = [
    "ACCEPTED_FORMATS", "DEFAULT_DISPLAY_SIZE", "DEFAULT_MAX_DECODED_BYTES", "DEFAULT_MAX_PIXELS", "GpsPosition",
    "PhotoRejected", "ProcessedPhoto", "process_photo", "sniff_format",
]

DEFAULT_MAX_PIXELS = 50_000_000
# A phone screen's width in device pixels, and what a 4000 px (12 MP) photo
# decodes to at 1/4 DCT scale: no resampling pass. The original keeps the detail.
DEFAULT_DISPLAY_SIZE = 1000
ACCEPTED_FORMATS = frozenset({"jpeg", "png", "webp", "heif"})

_PILLOW_FORMAT = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "heif": "HEIF"}
_MIME_TYPE = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "heif": "image/heif"}
_HEVC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"}
_AVIF_BRANDS = {b"avif", b"avis"}
_GENERIC_HEIF_BRANDS = {b"mif1", b"msf1", b"mif2"}
_BMP_HEADER_SIZES = {12, 16, 40, 52, 56, 64, 108, 124}
_SIGNATURES = {
    b"\xff\xd8\xff": "jpeg", b"\x89PNG\r\n\x1a\n": "png", b"GIF87a": "gif", b"GIF89a": "gif",
    b"II*\x00": "tiff", b"MM\x00*": "tiff", b"II+\x00": "tiff", b"MM\x00+": "tiff",
    b"\xff\x0a": "jxl", b"\x00\x00\x00\x0cJXL \r\n\x87\n": "jxl",
    b"\x00\x00\x00\x0cjP  \r\n\x87\n": "jpeg2000", b"\xff\x4f\xff\x51": "jpeg2000",
}


_ORIENTATION_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SRGB = ImageCms.createProfile("sRGB")


class PhotoRejected(ValueError):
    """A file the photo pipeline refuses; ``code`` is for machines, ``str()`` for people.

    Codes: empty, not_an_image, unsupported_format, too_many_pixels, decoded_too_large, corrupt.
    """

    def __init__(self, code: str, message: str, **params: Any):
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params


@dataclass(frozen=True)
class ProcessedPhoto:
    sha256: str                  # hex digest of the original bytes: the photo's identity
    format: str                  # one of ACCEPTED_FORMATS
    mime_type: str               # of the original
    width: int                   # of the original, after orientation
    height: int
    taken_at: datetime | None    # aware with OffsetTimeOriginal, else naive camera time
    gps: GpsPosition | None
    display: bytes = field(repr=False)       # JPEG, long edge <= display_size
    display_size: tuple[int, int]
    thumbnail: bytes = field(repr=False)     # JPEG, long edge <= thumb_size
    thumb_size: tuple[int, int]
    original: bytes = field(repr=False)      # the bytes as received; the caller decides to keep them


def sniff_format(data: bytes) -> str | None:
    """The image format the leading bytes announce, or None when they announce none.

    Returns one of ACCEPTED_FORMATS or a recognised but refused format
    ("gif", "tiff", "bmp", "avif", "jxl", "jpeg2000", "svg").
    """
    head = bytes(data[:32])
    if head[4:8] == b"ftyp":
        return _iso_image_format(bytes(data[:128]))
    if head[:4] == b"RIFF":  # also WAV and AVI
        return "webp" if head[8:12] == b"WEBP" else None
    if head[:2] == b"BM":  # a text may start with "BM" too: check the bitmap header size
        return "bmp" if int.from_bytes(head[14:18], "little") in _BMP_HEADER_SIZES else None
    for signature, image_format in _SIGNATURES.items():
        if head.startswith(signature):
            return image_format
    if _looks_like_svg(data):
        return "svg"
    return None


def process_photo(
    data: bytes,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_decoded_bytes: int = DEFAULT_MAX_DECODED_BYTES,
    display_size: int = DEFAULT_DISPLAY_SIZE,
    thumb_size: int = 320,
    quality: int = 82,
) -> ProcessedPhoto:
    """Check a photo and make its display copy and thumbnail; raise PhotoRejected if it is no accepted photo.

    ``max_pixels`` above twice ``PIL.Image.MAX_IMAGE_PIXELS`` is capped by Pillow's own guard.
    ``max_decoded_bytes`` is also what this process decodes at most at once.
    """
    if not 1 <= thumb_size <= display_size:
        raise ValueError("need 1 <= thumb_size <= display_size")
    if not data:
        raise PhotoRejected("empty", _("The file is empty."))
    data = bytes(data)
    image_format = sniff_format(data)
    if image_format is None:
        raise PhotoRejected("not_an_image", _("The file is not an image."))
    if image_format not in ACCEPTED_FORMATS:
        raise PhotoRejected(
            "unsupported_format",
            _("%(format)s images are not accepted; please send a JPEG, PNG, WebP or HEIC photo.",
              format=image_format.upper()),
            format=image_format,
        )

    budget = decode_budget(max_decoded_bytes)
    with ExitStack() as held:
        if image_format == "webp":  # libwebp allocates its canvases as the file is opened: check first
            size = webp_size(data)
            if size is None:
                raise _corrupt()
            _check_pixels(size, max_pixels)
            held.enter_context(budget.reserve(_checked(webp_decoded_size(size, _fit(size, display_size)),
                                                         max_decoded_bytes)))
        image = held.enter_context(_open_checked(data, image_format, max_pixels))
        try:
            stored_size = image.size
            target = _fit(stored_size, display_size)
            # JPEG: DCT scaling to the smallest size not below the target.
            # HEIF: an embedded preview if one is big enough. Others: no effect.
            drafted = image.draft("RGB", target) is not None
            if image_format != "webp":
                size = decoded_size(image_format, image, stored_size, data, target)
                held.enter_context(budget.reserve(_checked(size, max_decoded_bytes)))
            icc_profile = image.info.get("icc_profile")
            if image_format == "heif" and not drafted:
                orientation, taken_at, gps = read_metadata(image)
                reduced = shrink_in_bands(_heif_bands(data), image.size, target)
            else:
                image.decodermaxblock = max(image.decodermaxblock, len(data))  # one read, not 64 KiB steps
                image.load()
                orientation, taken_at, gps = read_metadata(image)
                reduced = image if image_format == "jpeg" or drafted else shrink_in_bands(
                    lambda top, bottom: image.crop((0, top, image.width, bottom)), image.size, target)
            display = _display_copy(reduced, target, orientation, icc_profile)
            mime_type = image.get_format_mimetype() if image_format == "heif" else _MIME_TYPE[image_format]
            reduced = None
            if display is not image:  # a small photo may be its own display copy
                image.close()  # free the pixels before their reservation is
        except PhotoRejected:
            raise
        except _DECODE_ERRORS as exc:
            raise _corrupt() from exc
    try:
        thumbnail = _resize(display, _fit(display.size, thumb_size), reducing_gap=1.0)
        display_jpeg = _encode_jpeg(display, quality)
        thumbnail_jpeg = _encode_jpeg(thumbnail, quality)
    except _DECODE_ERRORS as exc:
        raise _corrupt() from exc

    width, height = stored_size if orientation < 5 else stored_size[::-1]
    return ProcessedPhoto(
        sha256=hashlib.sha256(data).hexdigest(),
        format=image_format,
        mime_type=mime_type or _MIME_TYPE[image_format],
        width=width,
        height=height,
        taken_at=taken_at,
        gps=gps,
        display=display_jpeg,
        display_size=display.size,
        thumbnail=thumbnail_jpeg,
        thumb_size=thumbnail.size,
        original=data,
    )


def _heif_bands(data: bytes):
    """Bands of a HEIF's primary image, cut from libheif's buffer: Pillow never holds a full-size copy."""
    heif = pillow_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=True)
    primary = heif[heif.primary_index]
    pixels, stride, mode, width = memoryview(primary.data), primary.stride, primary.mode, primary.size[0]

    def band(top: int, bottom: int) -> Image.Image:
        return Image.frombytes(mode, (width, bottom - top), pixels[top * stride:bottom * stride], "raw", mode, stride)
    return band


# --- opening and checking -------------------------------------------------

def _too_many_pixels(max_pixels: int, pixels: int | None = None) -> PhotoRejected:
    return PhotoRejected(
        "too_many_pixels",
        _("The image has more than %(limit)s megapixels; please send a smaller photo.",
          limit=format_decimal(max_pixels / 1e6, format="#,##0.#")),
        pixels=pixels, max_pixels=max_pixels,
    )


def _checked(size: DecodedSize, max_decoded_bytes: int) -> int:
    """The bytes the decode holds, once the decoded size is within the limit."""
    if size.total > max_decoded_bytes:
        raise PhotoRejected(
            "decoded_too_large",
            _("The image would take %(size)s MB of memory once opened, more than the %(limit)s MB allowed; "
              "please send a smaller photo.", size=format_decimal(math.ceil(size.total / 1e6)),
              limit=format_decimal(max_decoded_bytes // 1_000_000)),
            decoded_bytes=size.total, max_decoded_bytes=max_decoded_bytes,
        )
    return size.decoder


def _check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    if size[0] * size[1] > max_pixels:
        raise _too_many_pixels(max_pixels, size[0] * size[1])


def _corrupt() -> PhotoRejected:
    return PhotoRejected("corrupt", _("The image file is damaged or incomplete."))


def _open_checked(data: bytes, image_format: str, max_pixels: int) -> Image.Image:
    """Open (read the header only) and refuse images with more than max_pixels."""
    try:
        with pillow_warnings_silenced():
            image = Image.open(io.BytesIO(data), formats=[_PILLOW_FORMAT[image_format]])
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(max_pixels) from exc
    except _DECODE_ERRORS as exc:  # includes UnidentifiedImageError
        raise _corrupt() from exc
    try:
        _check_pixels(image.size, max_pixels)
    except PhotoRejected:
        image.close()
        raise
    return image


def _iso_image_format(head: bytes) -> str | None:
    """HEIF or AVIF from an ISO-BMFF 'ftyp' box; None for video and other containers."""
    box_end = min(int.from_bytes(head[:4], "big"), len(head))
    major = head[8:12]
    compatible = {head[i:i + 4] for i in range(16, box_end - 3, 4)}
    if major in _HEVC_BRANDS:
        return "heif"
    if major in _AVIF_BRANDS:
        return "avif"
    if major in _GENERIC_HEIF_BRANDS:
        if compatible & _AVIF_BRANDS and not compatible & _HEVC_BRANDS:
            return "avif"
        return "heif"
    return None


def _looks_like_svg(data: bytes) -> bool:
    text = bytes(data[:2048]).decode("utf-8", "ignore").lstrip("\ufeff \t\r\n").lower()
    return text.startswith(("<svg", "<?xml", "<!doctype svg", "<!--")) and "<svg" in text


# --- pixels ---------------------------------------------------------------

def _fit(size: tuple[int, int], limit: int) -> tuple[int, int]:
    """The size scaled so that its long edge is at most limit, aspect kept."""
    width, height = size
    long_edge = max(width, height)
    if long_edge <= limit:
        return size
    scale = limit / long_edge
    return max(1, round(width * scale)), max(1, round(height * scale))


def _resize(image: Image.Image, size: tuple[int, int], *, reducing_gap: float) -> Image.Image:
    if image.size == size:
        return image
    # Hamming: as cheap as bilinear, sharper; the reducing gap lets Pillow
    # average whole blocks first when shrinking by a large factor.
    return image.resize(size, Image.Resampling.HAMMING, reducing_gap=reducing_gap)


def _display_copy(image: Image.Image, target: tuple[int, int], orientation: int,
                  icc_profile: bytes | None) -> Image.Image:
    """Resized, sRGB, RGB or L without alpha, oriented; resize first so the rest works on few pixels."""
    image = eight_bit(image)
    image = _resize(image, target, reducing_gap=2.0)
    image = flatten_alpha(image)
    if icc_profile:
        transform = _srgb_transform(icc_profile, image.mode)
        if transform is not None:
            image = ImageCms.applyTransform(image, transform)
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    if orientation in _ORIENTATION_TRANSPOSE:
        image = image.transpose(_ORIENTATION_TRANSPOSE[orientation])
    return image


@functools.lru_cache(maxsize=16)
def _srgb_transform(icc_profile: bytes, mode: str) -> ImageCms.ImageCmsTransform | None:
    """A transform from the embedded profile to sRGB; None when it is sRGB already or unusable."""
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        if "srgb" in ImageCms.getProfileDescription(profile).lower():
            return None
        return ImageCms.buildTransform(profile, _SRGB, mode, "RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return None  # a profile that does not fit the pixels: treat them as sRGB


def _encode_jpeg(image: Image.Image, quality: int) -> bytes:
    image.info = {}  # Pillow would carry the source's JPEG comment (and more) into the copy
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()
