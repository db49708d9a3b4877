"""The memory a photo's pixels take, and a bound on what one process holds at once.

A small file can decode to a huge image (a 200 KB PNG to 200 MB of pixels), so
the pipeline estimates the decoded size from the header, before any pixel is
decoded, and refuses what is over its limit. Pure: no app, no database.

Decoded size: pixels x bytes per pixel, each pixel counted at the larger of

- its samples as the file stores them (8-bit RGB: 3 bytes, 16-bit RGBA: 8), and
- what the decoder here holds for it (measured with Pillow 13, pillow-heif 1.8,
  libheif 1.23): JPEG 4 bytes, at the DCT-scaled size it is decoded at; PNG 4
  for colour (16-bit samples are cut to 8 bits as they are decoded), 1 for grey
  and palette, 2 for 16-bit grey; WebP 16 (libwebp's two canvases, the frame
  it hands over, Pillow's copy); HEIF 4.8, or 8 above 8 bits (libheif's YCbCr
  planes while it converts them to RGB);
- plus what shrinking holds besides: the reduced copy and one band.

Formats decoded in full (PNG, WebP, HEIF) are shrunk band by band: each band
is cut to 8 bits, reduced and flattened onto white before the next is made,
so the only full-size buffer is the decoder's own.

A process holds at most its budget of decoded pixels at once: a photo whose
decode would pass it waits until others finish. The budget is the largest
decoded size accepted, so one photo at the limit runs alone and small photos
pass beside a large one. Memory freed after a large decode goes back to the
system, so a worker's size follows what it holds, not its past peaks.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NamedTuple

from PIL import Image

__all__ = [
    "DEFAULT_MAX_DECODED_BYTES", "DecodeBudget", "DecodedSize", "decode_budget", "decoded_size",
    "eight_bit", "flatten_alpha", "shrink_in_bands", "webp_decoded_size", "webp_size",
]

# A 48 MP phone photo in any accepted format (an 8-bit HEIC is the dearest:
# 4.8 bytes a pixel while libheif decodes it), any 8-bit PNG up to the 50 MP
# pixel limit, a 16-bit RGBA PNG up to 31 MP, a WebP up to 15 MP.
DEFAULT_MAX_DECODED_BYTES = 250_000_000

_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # by IHDR colour type
_PILLOW_PIXEL_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2}  # else 4
_WEBP_DECODER_BYTES = 16
_HEIF_DECODER_BYTES = {8: 4.8, 16: 8}  # by bits per sample, rounded up to 8 or 16
_BAND_ROWS = 64
# Reduce by whole blocks down to no less than the target, as a JPEG's DCT
# scaling does, and let the resampling filter do the rest: the reduced copy
# stays under twice the target's edges.
_REDUCING_GAP = 1.0
_WHITE = {"RGBA": (255, 255, 255), "LA": 255}

# After a large decode, hand the memory freed in each thread's heap back to
# the system (glibc keeps it for reuse otherwise, per thread, so a worker with
# threads would keep every thread's largest photo).
_TRIM_AFTER_BYTES = 32_000_000
try:
    _malloc_trim = ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim
except (OSError, AttributeError, TypeError):  # not glibc
    _malloc_trim = None


def _give_back_freed_memory() -> None:
    if _malloc_trim is not None:
        _malloc_trim(0)


# One allocation per image instead of 16 MB blocks: glibc serves blocks that
# size from each thread's heap once a few were freed, and keeps them there, so
# a worker with threads kept every thread's largest photo. A large image in one
# piece is mapped on its own and given back to the system when freed.
Image.core.set_use_block_allocator(1)


class DecodedSize(NamedTuple):
    total: int      # bytes: what the limit is checked against
    decoder: int    # bytes the decoder holds in this process: what a decode reserves


def decoded_size(image_format: str, image: Image.Image, stored_size: tuple[int, int], data: bytes,
                 target: tuple[int, int]) -> DecodedSize:
    """The decoded size of an opened (not loaded) image shrunk towards ``target``; for JPEG after ``draft``."""
    pixels = stored_size[0] * stored_size[1]
    if image_format == "png":
        bits, colour_type = data[24], data[25]  # IHDR always comes first
        file_bytes = pixels * _PNG_CHANNELS.get(colour_type, 4) * math.ceil(bits / 8)
        decoder = pixels * _PILLOW_PIXEL_BYTES.get(image.mode, 4)
    elif image_format == "heif":
        bits = 8 if image.info.get("bit_depth", 8) <= 8 else 16
        file_bytes = pixels * len(image.getbands()) * bits // 8
        decoder = round(image.size[0] * image.size[1] * _HEIF_DECODER_BYTES[bits])  # a preview if drafted
    elif image_format == "webp":
        return webp_decoded_size(stored_size, target)
    else:  # JPEG: 8 bits a sample; decoded at the size draft chose
        file_bytes = pixels * len(image.getbands())
        decoder = image.size[0] * image.size[1] * _PILLOW_PIXEL_BYTES.get(image.mode, 4)
    decoder += _shrinking_bytes(image.size, target)
    return DecodedSize(max(file_bytes, decoder), decoder)


def webp_decoded_size(size: tuple[int, int], target: tuple[int, int]) -> DecodedSize:
    decoder = size[0] * size[1] * _WEBP_DECODER_BYTES + _shrinking_bytes(size, target)
    return DecodedSize(decoder, decoder)


def _reduce_factor(size: tuple[int, int], target: tuple[int, int]) -> tuple[int, int]:
    return max(1, int(size[0] / target[0] / _REDUCING_GAP)), max(1, int(size[1] / target[1] / _REDUCING_GAP))


def _shrinking_bytes(size: tuple[int, int], target: tuple[int, int]) -> int:
    """What shrinking holds besides the decoded image: the reduced copy and one band, 4 bytes a pixel."""
    factor = _reduce_factor(size, target)
    return (-(-size[0] // factor[0]) * -(-size[1] // factor[1]) + size[0] * _BAND_ROWS) * 4


def webp_size(data: bytes) -> tuple[int, int] | None:
    """A WebP's canvas size from its header, or None when the header is damaged.

    Read here because libwebp allocates its canvases as soon as Pillow opens the file.
    """
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        return int.from_bytes(data[26:28], "little") & 0x3FFF, int.from_bytes(data[28:30], "little") & 0x3FFF
    return None


class DecodeBudget:
    """Bytes of decoded pixels one process may hold at once; a decode waits until its share is free."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self._free = capacity
        self._changed = threading.Condition()

    @contextmanager
    def reserve(self, amount: int) -> Iterator[None]:
        amount = min(amount, self.capacity)  # more than the whole budget: runs alone
        with self._changed:
            self._changed.wait_for(lambda: self._free >= amount)
            self._free -= amount
        try:
            yield
        finally:
            with self._changed:
                self._free += amount
                self._changed.notify_all()
            if amount >= _TRIM_AFTER_BYTES:
                _give_back_freed_memory()


@functools.cache
def decode_budget(capacity: int) -> DecodeBudget:
    """The process's budget for a limit: one per configured limit, shared by all threads."""
    return DecodeBudget(capacity)


def shrink_in_bands(
    band: Callable[[int, int], Image.Image], size: tuple[int, int], target: tuple[int, int],
) -> Image.Image:
    """An 8-bit image without alpha, reduced by whole blocks towards ``target``, made band by band.

    ``band(top, bottom)`` gives rows top to bottom of the full-size image; only
    one band at a time is converted (Pillow converts a whole RGBA image to
    premultiplied alpha before it resizes it, a second full-size copy).
    """
    width, height = size
    factor = _reduce_factor(size, target)
    rows = max(1, _BAND_ROWS // factor[1]) * factor[1]  # whole blocks, so bands join seamlessly
    shrunk = None
    for top in range(0, height, rows):
        piece = eight_bit(band(top, min(top + rows, height)))
        if factor != (1, 1):
            piece = piece.reduce(factor)  # alpha: averages premultiplied colours, as resize does
        piece = flatten_alpha(piece)
        if shrunk is None:
            shrunk = Image.new(piece.mode, (-(-width // factor[0]), -(-height // factor[1])))
        shrunk.paste(piece, (0, top // factor[1]))
    assert shrunk is not None
    return shrunk


def eight_bit(image: Image.Image) -> Image.Image:
    """A mode Pillow resamples well: RGB, RGBA, L, LA or CMYK (palette and 1-bit images resize as nearest)."""
    mode = image.mode
    if mode in ("RGB", "RGBA", "L", "LA", "CMYK"):
        return image
    if mode.startswith("I;16") or mode in ("I", "F"):
        return image.point(lambda value: value / 256).convert("L")  # 16-bit to 8-bit, not clipped
    if mode == "P":
        return image.convert("RGBA" if "transparency" in image.info else "RGB")
    if mode in ("PA", "RGBa", "RGBX"):
        return image.convert("RGBA" if mode != "RGBX" else "RGB")
    if mode in ("1", "La"):
        return image.convert("L" if mode == "1" else "LA")
    return image.convert("RGB")


def flatten_alpha(image: Image.Image) -> Image.Image:
    """The image laid on white, without its alpha channel."""
    if image.mode not in _WHITE:
        return image
    background = Image.new(image.mode[:-1], image.size, _WHITE[image.mode])
    background.paste(image, mask=image.getchannel("A"))
    return background
