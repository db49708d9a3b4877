"""Real images made with Pillow for the tests, so no binary fixture is committed."""
from __future__ import annotations

import io
import struct
import zlib

import pillow_heif
from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational

pillow_heif.register_heif_opener()

MARKER = (255, 0, 0)
BACKGROUND = (255, 255, 255)


def encode(image: Image.Image, fmt: str, **params) -> bytes:
    """The image saved in a Pillow format ("JPEG", "PNG", "WEBP", "HEIF", ...)."""
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def gradient(size: tuple[int, int] = (64, 48), mode: str = "RGB") -> Image.Image:
    """A smooth colour image: a photo stand-in that compresses like one."""
    red = Image.linear_gradient("L").resize(size)
    green = Image.radial_gradient("L").resize(size)
    blue = Image.linear_gradient("L").transpose(Image.Transpose.ROTATE_90).resize(size)
    return Image.merge("RGB", (red, green, blue)).convert(mode)


def photo(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), *, exif: bytes | None = None,
          mode: str = "RGB", **params) -> bytes:
    """A small gradient photo in the given format, with optional EXIF."""
    if exif is not None:
        params["exif"] = exif
    return encode(gradient(size, mode), fmt, **params)


def marker_image(size: tuple[int, int] = (40, 20), marker: int = 8) -> Image.Image:
    """White, with a red square in the top-left corner: shows where 'up' and 'left' went."""
    image = Image.new("RGB", size, BACKGROUND)
    image.paste(MARKER, (0, 0, marker, marker))
    return image


def exif_block(
    *,
    orientation: int | None = None,
    taken_at: str | None = None,
    offset: str | None = None,
    subsec: str | None = None,
    lat: tuple[float, float, float] | None = None,
    lat_ref: str = "N",
    lon: tuple[float, float, float] | None = None,
    lon_ref: str = "E",
    altitude: float | None = None,
    altitude_ref: int = 0,
) -> bytes:
    """An EXIF block as a camera writes it: orientation, DateTimeOriginal, GPS as rationals."""
    exif = Image.Exif()
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    if taken_at is not None:
        sub = exif.get_ifd(ExifTags.IFD.Exif)
        sub[ExifTags.Base.DateTimeOriginal] = taken_at
        if offset is not None:
            sub[ExifTags.Base.OffsetTimeOriginal] = offset
        if subsec is not None:
            sub[ExifTags.Base.SubsecTimeOriginal] = subsec
    if lat is not None and lon is not None:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps[ExifTags.GPS.GPSVersionID] = b"\x02\x03\x00\x00"
        gps[ExifTags.GPS.GPSLatitudeRef] = lat_ref
        gps[ExifTags.GPS.GPSLatitude] = tuple(_rational(part) for part in lat)
        gps[ExifTags.GPS.GPSLongitudeRef] = lon_ref
        gps[ExifTags.GPS.GPSLongitude] = tuple(_rational(part) for part in lon)
        if altitude is not None:
            gps[ExifTags.GPS.GPSAltitudeRef] = altitude_ref
            gps[ExifTags.GPS.GPSAltitude] = _rational(altitude)
    # As bytes: an Exif object without first-directory tags is falsy and Pillow's PNG writer skips it.
    return exif.tobytes()


def _rational(value: float) -> IFDRational:
    return IFDRational(round(value * 1000), 1000)


def png_header_only(width: int, height: int, *, bit_depth: int = 8, colour_type: int = 2) -> bytes:
    """A PNG signature and IHDR claiming a size, with no pixel data: a decompression bomb's header.

    Colour types: 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA.
    """
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IEND", b"")


def solid_png_bomb(width: int, height: int, *, colour_type: int = 0) -> bytes:
    """A real, valid, solid black (and, with alpha, transparent) 8-bit PNG of that size that compresses to very little."""
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour_type]
    row = b"\x00" * (1 + width * channels)  # filter byte + the pixels' bytes
    compressor = zlib.compressobj(9)
    chunks = [compressor.compress(row) for _ in range(height)]
    idat = b"".join(chunks) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat)
            + _png_chunk(b"IEND", b""))


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def jpeg_claiming_size(width: int, height: int) -> bytes:
    """A real small JPEG whose frame header is rewritten to claim another size."""
    data = bytearray(photo("JPEG", (16, 16)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def rgb_profile_with_red_and_green_swapped() -> bytes:
    """A valid ICC v2 RGB display profile that is not sRGB: its red primary is sRGB's green and back.

    Converted to sRGB, pure red therefore becomes green: visible proof that a
    conversion happened.
    """
    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ \0\0\0\0" + b"".join(struct.pack(">i", round(v * 65536)) for v in (x, y, z))

    description = b"Swapped red-green test profile\0"
    tags = {
        b"desc": b"desc\0\0\0\0" + struct.pack(">I", len(description)) + description
        + b"\0" * 8 + b"\0\0\0" + b"\0" * 67,
        b"wtpt": xyz(0.9642, 1.0, 0.8249),
        b"rXYZ": xyz(0.3851, 0.7169, 0.0971),  # sRGB's green
        b"gXYZ": xyz(0.4361, 0.2225, 0.0139),  # sRGB's red
        b"bXYZ": xyz(0.1431, 0.0606, 0.7141),
        b"rTRC": b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0233) + b"\0\0",  # gamma 2.2
        b"cprt": b"text\0\0\0\0Public domain\0\0\0",
    }
    tags[b"gTRC"] = tags[b"bTRC"] = tags[b"rTRC"]
    table_size = 4 + 12 * len(tags)
    offset = 128 + table_size
    table, body = struct.pack(">I", len(tags)), b""
    for signature, content in tags.items():
        content += b"\0" * (-len(content) % 4)
        table += signature + struct.pack(">II", offset + len(body), len(content))
        body += content
    size = 128 + table_size + len(body)
    header = (
        struct.pack(">I", size) + b"\0\0\0\0" + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ "
        + struct.pack(">6H", 2025, 1, 1, 0, 0, 0) + b"acsp" + b"\0" * 24
        + struct.pack(">I", 0) + struct.pack(">3i", *(round(v * 65536) for v in (0.9642, 1.0, 0.8249)))
        + b"\0" * 48
    )
    assert len(header) == 128
    return header + table + body
