"""The photo pipeline, tried on real images of every kind it meets."""
from __future__ import annotations

import hashlib
import io
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms, JpegImagePlugin

from tests.imagegen import (
    BACKGROUND, MARKER, encode, exif_block, gradient, jpeg_claiming_size, marker_image,
    photo, png_header_only, rgb_profile_with_red_and_green_swapped, solid_png_bomb,
)
from server.services.evidence.photo_memory import DecodeBudget
from server.services.evidence.photos import (
    ACCEPTED_FORMATS, GpsPosition, PhotoRejected, ProcessedPhoto, process_photo, sniff_format,
)

# Stored pixels = displayed pixels put through the inverse of the orientation's transform.
INVERSE_OF_ORIENTATION = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}
HANOI_EXIF = dict(lat=(21, 1, 42.6), lon=(105, 51, 15.12), altitude=12.5)


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def is_close(colour, expected, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected))


def rejection(data: bytes, **options) -> PhotoRejected:
    with pytest.raises(PhotoRejected) as caught:
        process_photo(data, **options)
    return caught.value


# --- formats --------------------------------------------------------------

@pytest.mark.parametrize(
    ("fmt", "expected_format", "expected_mime"),
    [
        ("JPEG", "jpeg", "image/jpeg"),
        ("PNG", "png", "image/png"),
        ("WEBP", "webp", "image/webp"),
        ("HEIF", "heif", "image/heic"),
    ],
)
def test_each_accepted_format_gives_jpeg_display_copy_and_thumbnail(fmt, expected_format, expected_mime):
    data = photo(fmt, (120, 80))

    result = process_photo(data)

    assert isinstance(result, ProcessedPhoto)
    assert (result.format, result.mime_type) == (expected_format, expected_mime)
    assert (result.width, result.height) == (120, 80)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.original == data
    for output, size in ((result.display, result.display_size), (result.thumbnail, result.thumb_size)):
        image = opened(output)
        assert image.format == "JPEG"
        assert image.size == size


def test_png_with_alpha_is_flattened_onto_white():
    image = Image.new("RGBA", (40, 20), (0, 0, 0, 0))
    image.paste((0, 0, 255, 255), (20, 0, 40, 20))

    display = opened(process_photo(encode(image, "PNG")).display)

    assert display.mode == "RGB"
    assert is_close(display.getpixel((5, 10)), (255, 255, 255), 8)
    assert is_close(display.getpixel((35, 10)), (0, 0, 255))


def test_webp_with_alpha_is_flattened_onto_white():
    image = Image.new("RGBA", (40, 20), (0, 0, 0, 0))

    display = opened(process_photo(encode(image, "WEBP", lossless=True)).display)

    assert is_close(display.getpixel((20, 10)), (255, 255, 255), 8)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: encode(gradient().convert("P"), "PNG"), id="palette-png"),
        pytest.param(lambda: encode(gradient().convert("L"), "PNG"), id="grey-png"),
        pytest.param(lambda: encode(gradient().convert("1"), "PNG"), id="1-bit-png"),
        pytest.param(lambda: encode(gradient().convert("L"), "JPEG"), id="grey-jpeg"),
        pytest.param(lambda: encode(gradient().convert("CMYK"), "JPEG"), id="cmyk-jpeg"),
        pytest.param(lambda: encode(gradient().convert("LA"), "PNG"), id="grey-alpha-png"),
    ],
)
def test_other_colour_modes_are_accepted_and_give_rgb_or_grey_jpeg(make):
    result = process_photo(make())

    assert opened(result.display).mode in ("RGB", "L")
    assert opened(result.thumbnail).mode in ("RGB", "L")


def test_16_bit_grey_png_is_scaled_to_8_bits_not_clipped():
    image = Image.new("I;16", (40, 20), 32768)  # mid grey in 16 bits

    display = opened(process_photo(encode(image, "PNG")).display)

    assert abs(display.getpixel((20, 10)) - 128) <= 2


def test_multi_picture_jpeg_from_a_phone_uses_its_first_picture():
    first, second = marker_image(), Image.new("RGB", (40, 20), (0, 0, 255))
    data = encode(first, "MPO", save_all=True, append_images=[second])
    assert opened(data).format == "MPO"

    result = process_photo(data)

    assert result.format == "jpeg"
    assert is_close(opened(result.display).getpixel((2, 2)), MARKER)


def test_format_comes_from_the_bytes_so_a_png_named_jpg_is_accepted_as_png():
    # process_photo takes no name and no content type: nothing but the bytes can decide.
    result = process_photo(photo("PNG"))

    assert (result.format, result.mime_type) == ("png", "image/png")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xff\xd8\xff\xe0rest", "jpeg"),
        (b"\x89PNG\r\n\x1a\nrest", "png"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "heif"),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic", "heif"),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf", "avif"),
        (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2", None),  # an MP4 video
        (b"GIF89a\x01\x00", "gif"),
        (b"II*\x00\x08\x00\x00\x00", "tiff"),
        (b"<?xml version='1.0'?>\n<svg xmlns='http://www.w3.org/2000/svg'/>", "svg"),
        (b"%PDF-1.7\n", None),
        (b"BM is not always a bitmap", None),
        (b"", None),
    ],
)
def test_sniff_format_reads_the_leading_bytes(data, expected):
    assert sniff_format(data) == expected


def test_accepted_formats_are_jpeg_png_webp_and_heif():
    assert ACCEPTED_FORMATS == {"jpeg", "png", "webp", "heif"}


# --- rejections -----------------------------------------------------------

def test_zero_bytes_are_rejected_as_empty():
    assert rejection(b"").code == "empty"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"Bien ban kiem tra\nnot a photo\n" * 10, id="text-named-jpg"),
        pytest.param(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n", id="pdf"),
        pytest.param(b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 64, id="mp4"),
    ],
)
def test_files_that_are_no_image_are_rejected_as_not_an_image(data):
    assert rejection(data).code == "not_an_image"


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        pytest.param(
            b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
            b'<script>alert(1)</script></svg>', "svg", id="svg"),
        pytest.param(photo("GIF"), "gif", id="gif"),
        pytest.param(photo("TIFF"), "tiff", id="tiff"),
        pytest.param(photo("BMP"), "bmp", id="bmp"),
        pytest.param(photo("AVIF"), "avif", id="avif"),
    ],
)
def test_images_in_other_formats_are_rejected_as_unsupported(data, fmt):
    error = rejection(data)

    assert error.code == "unsupported_format"
    assert error.params["format"] == fmt
    assert fmt.upper() in str(error)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_truncated_files_are_rejected_as_corrupt(fmt):
    data = photo(fmt, (200, 150))

    assert rejection(data[: len(data) // 2]).code == "corrupt"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\xff\xd8\xff" + bytes(range(256)) * 4, id="jpeg-magic-then-garbage"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, id="png-magic-then-zeros"),
        pytest.param(b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x01" * 32, id="webp-magic-then-garbage"),
        pytest.param(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x07" * 64, id="heic-garbage"),
    ],
)
def test_files_with_an_image_signature_but_damaged_content_are_rejected_as_corrupt(data):
    assert rejection(data).code == "corrupt"


def test_rejections_carry_a_message_for_people():
    error = rejection(b"plain text")

    assert isinstance(error, ValueError)
    assert str(error) == error.message == "The file is not an image."


# --- pixel limit ----------------------------------------------------------

@pytest.mark.parametrize(
    ("width", "height"),
    [
        pytest.param(9_000, 7_000, id="63MP-over-our-limit"),
        pytest.param(10_000, 10_000, id="100MP-where-pillow-warns"),
        pytest.param(100_000, 100_000, id="10GP-where-pillow-refuses"),
    ],
)
def test_a_png_header_claiming_too_many_pixels_is_rejected_before_decoding(width, height):
    assert rejection(png_header_only(width, height)).code == "too_many_pixels"


def test_a_jpeg_header_claiming_too_many_pixels_is_rejected_before_decoding():
    assert rejection(jpeg_claiming_size(65_000, 65_000)).code == "too_many_pixels"


def test_a_real_solid_colour_png_bomb_is_rejected():
    data = solid_png_bomb(8_000, 7_000)  # 56 MP in about 55 KB
    assert len(data) < 100_000

    error = rejection(data)

    assert error.code == "too_many_pixels"
    assert error.params == {"pixels": 56_000_000, "max_pixels": 50_000_000}


def test_the_pixel_limit_is_a_parameter():
    data = photo("JPEG", (100, 100))

    assert rejection(data, max_pixels=9_999).code == "too_many_pixels"
    assert process_photo(data, max_pixels=10_000).width == 100


# --- decoded size ---------------------------------------------------------

@pytest.mark.parametrize(
    ("bit_depth", "colour_type", "decoded_mb"),
    [
        pytest.param(16, 6, 392, id="16-bit-RGBA-8-bytes-a-pixel"),
        pytest.param(16, 2, 294, id="16-bit-RGB-6-bytes-a-pixel"),
    ],
)
def test_a_png_under_the_pixel_limit_but_too_big_once_decoded_is_refused_before_decoding(
        bit_depth, colour_type, decoded_mb):
    data = png_header_only(7_000, 7_000, bit_depth=bit_depth, colour_type=colour_type)  # 49 MP, no pixel data

    error = rejection(data)

    assert error.code == "decoded_too_large"
    assert error.params == {"decoded_bytes": decoded_mb * 1_000_000, "max_decoded_bytes": 250_000_000}
    assert str(error) == (f"The image would take {decoded_mb} MB of memory once opened, more than the 250 MB "
                          "allowed; please send a smaller photo.")


def test_a_small_rgba_png_counts_its_pixels_and_the_copy_shrinking_makes_against_the_decoded_limit():
    data = solid_png_bomb(2_000, 2_000, colour_type=6)  # 16 MB of pixels in a few KB
    assert len(data) < 50_000

    error = rejection(data, max_decoded_bytes=20_000_000)

    assert error.code == "decoded_too_large"
    assert error.message.startswith("The image would take 21 MB of memory once opened, more than the 20 MB allowed")
    assert process_photo(data, max_decoded_bytes=21_000_000).display_size == (1000, 1000)


def test_a_webp_too_big_once_decoded_is_refused_before_libwebp_allocates_it():
    data = encode(Image.new("RGB", (4_000, 4_000), (10, 20, 30)), "WEBP", lossless=True)

    assert rejection(data).code == "decoded_too_large"  # 16 MP x 16 bytes of decoder buffers


def test_a_12_mp_phone_jpeg_is_within_the_decoded_limit():
    result = process_photo(photo("JPEG", (4_000, 3_000)), max_decoded_bytes=36_000_000)  # 3 bytes a pixel

    assert (result.width, result.height) == (4000, 3000)


def test_a_48_mp_phone_jpeg_passes_the_default_limits():
    result = process_photo(jpeg_claiming_size(8_064, 6_048))  # 146 MB of pixels at 3 bytes each

    assert (result.width, result.height) == (8064, 6048)


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P", "I;16"])
def test_large_images_in_any_mode_shrink_band_by_band_to_the_same_picture(mode):
    size = (2_600, 1_300)
    if mode == "I;16":
        expected = Image.linear_gradient("L").resize(size)
        source = expected.convert("I").point(lambda value: value * 256).convert("I;16")
    else:
        source = gradient(size, "RGBA")
        source.putalpha(Image.linear_gradient("L").resize(size))
        source = source.convert(mode)
        expected = Image.new("RGB", size, (255, 255, 255))
        expected.paste(source.convert("RGBA"), mask=source.convert("RGBA").getchannel("A"))
    expected = expected.resize((1000, 500), Image.Resampling.HAMMING)

    display = opened(process_photo(encode(source, "PNG")).display)

    assert display.size == (1000, 500)
    shown = display.convert(expected.mode)
    for point in ((5, 5), (500, 250), (990, 490), (250, 400)):
        colour, wanted = shown.getpixel(point), expected.getpixel(point)
        assert is_close(colour, wanted, tolerance=8) if expected.mode == "RGB" else abs(colour - wanted) <= 8


def test_a_decode_waits_while_others_hold_the_budget_but_a_small_one_passes_beside():
    budget, order = DecodeBudget(100), []
    holding, release = threading.Event(), threading.Event()

    def large_holder():
        with budget.reserve(80):
            holding.set()
            release.wait(5)
            order.append("large released")

    def asker(amount):
        with budget.reserve(amount):
            order.append(f"{amount} decoded")

    first = threading.Thread(target=large_holder)
    first.start()
    holding.wait(5)
    waiting = threading.Thread(target=asker, args=(30,))
    waiting.start()
    asker(20)
    time.sleep(0.05)
    assert order == ["20 decoded"]
    release.set()
    first.join(5)
    waiting.join(5)
    assert order == ["20 decoded", "large released", "30 decoded"]


def test_a_decode_larger_than_the_whole_budget_runs_alone():
    budget = DecodeBudget(100)

    with budget.reserve(500):
        assert budget._free == 0
    assert budget._free == 100


# --- orientation ----------------------------------------------------------

@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied(fmt, orientation):
    shown = marker_image((40, 20))
    inverse = INVERSE_OF_ORIENTATION[orientation]
    stored = shown.transpose(inverse) if inverse is not None else shown
    data = encode(stored, fmt, exif=exif_block(orientation=orientation), **({"quality": 95} if fmt != "PNG" else {}))

    result = process_photo(data)

    assert (result.width, result.height) == (40, 20)
    for output, size in ((result.display, result.display_size), (result.thumbnail, result.thumb_size)):
        image = opened(output).convert("RGB")
        assert image.size == size == (40, 20)
        assert is_close(image.getpixel((2, 2)), MARKER)
        for corner in ((37, 2), (2, 17), (37, 17)):
            assert is_close(image.getpixel(corner), BACKGROUND)


def test_heif_rotation_is_applied_once_by_libheif():
    data = encode(marker_image((40, 20)), "HEIF", exif=exif_block(orientation=6), quality=95)
    decoded_by_libheif = opened(data).convert("RGB")

    result = process_photo(data)

    display = opened(result.display).convert("RGB")
    assert display.size == decoded_by_libheif.size == (result.width, result.height)
    assert is_close(display.getpixel((2, 2)), decoded_by_libheif.getpixel((2, 2)))


def test_portrait_photo_stored_sideways_gets_a_portrait_display_copy():
    data = photo("JPEG", (2000, 1000), exif=exif_block(orientation=6))

    result = process_photo(data, display_size=1600)

    assert (result.width, result.height) == (1000, 2000)
    assert result.display_size == (800, 1600)
    assert result.thumb_size == (160, 320)


# --- sizes and speed ------------------------------------------------------

@pytest.mark.parametrize(
    ("size", "display", "thumb"),
    [
        ((3000, 2000), (1600, 1067), (320, 213)),
        ((2000, 3000), (1067, 1600), (213, 320)),
        ((1601, 10), (1600, 10), (320, 2)),
        ((1000, 800), (1000, 800), (320, 256)),
        ((100, 50), (100, 50), (100, 50)),
    ],
)
def test_display_copy_and_thumbnail_fit_their_long_edge_without_upscaling(size, display, thumb):
    result = process_photo(photo("JPEG", size), display_size=1600)

    assert (result.display_size, result.thumb_size) == (display, thumb)
    assert opened(result.display).size == display
    assert opened(result.thumbnail).size == thumb


def test_sizes_are_parameters():
    result = process_photo(photo("PNG", (1000, 500)), display_size=800, thumb_size=100)

    assert (result.display_size, result.thumb_size) == ((800, 400), (100, 50))


def test_a_large_jpeg_is_decoded_at_reduced_scale_not_in_full(monkeypatch):
    decoded_sizes = []
    original_load = JpegImagePlugin.JpegImageFile.load

    def recording_load(self):
        pixels = original_load(self)
        decoded_sizes.append(self.size)
        return pixels

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "load", recording_load)

    at_1600 = process_photo(photo("JPEG", (4000, 3000)), display_size=1600)
    assert at_1600.display_size == (1600, 1200)
    assert decoded_sizes and max(w * h for w, h in decoded_sizes) == 2000 * 1500  # 1/2 scale

    decoded_sizes.clear()
    by_default = process_photo(photo("JPEG", (4000, 3000)))
    assert by_default.display_size == (1000, 750)
    assert set(decoded_sizes) == {(1000, 750)}  # 1/4 scale: already the display size


# --- metadata -------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_exif_time_and_gps_are_read_from_the_original(fmt):
    exif = exif_block(taken_at="2025:07:01 09:30:15", offset="+07:00", subsec="25", **HANOI_EXIF)

    result = process_photo(photo(fmt, exif=exif))

    assert result.taken_at == datetime(2025, 7, 1, 9, 30, 15, 250000, tzinfo=timezone(timedelta(hours=7)))
    assert result.gps == GpsPosition(pytest.approx(21.0285), pytest.approx(105.8542), 12.5)


def test_taken_at_without_offset_is_naive_camera_time():
    result = process_photo(photo(exif=exif_block(taken_at="2025:07:01 09:30:15")))

    assert result.taken_at == datetime(2025, 7, 1, 9, 30, 15)
    assert result.taken_at.tzinfo is None


def test_south_and_west_references_and_altitude_below_sea_level_are_negative():
    exif = exif_block(lat=(33, 52, 4.0), lat_ref="S", lon=(70, 30, 0.0), lon_ref="W",
                      altitude=28.0, altitude_ref=1)

    result = process_photo(photo(exif=exif))

    assert result.gps.lat == pytest.approx(-(33 + 52 / 60 + 4 / 3600))
    assert result.gps.lon == pytest.approx(-70.5)
    assert result.gps.alt == -28.0


@pytest.mark.parametrize(
    "exif",
    [
        pytest.param(exif_block(taken_at="0000:00:00 00:00:00"), id="zero-date"),
        pytest.param(exif_block(taken_at="    :  :     :  :  "), id="blank-date"),
        pytest.param(exif_block(lat=(0, 0, 0), lon=(0, 0, 0)), id="zero-position-no-fix"),
        pytest.param(exif_block(lat=(95, 0, 0), lon=(10, 0, 0)), id="latitude-out-of-range"),
    ],
)
def test_impossible_metadata_reads_as_absent_and_the_photo_is_kept(exif):
    result = process_photo(photo(exif=exif))

    assert (result.taken_at, result.gps) == (None, None)


def test_photo_without_metadata_has_no_time_and_no_position():
    result = process_photo(photo("PNG"))

    assert (result.taken_at, result.gps) == (None, None)


def test_display_copy_and_thumbnail_carry_no_metadata():
    exif = exif_block(orientation=1, taken_at="2025:07:01 09:30:15", **HANOI_EXIF)
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(gradient((400, 300)), "JPEG", exif=exif, icc_profile=srgb,
                  comment=b"secret comment", xmp=b"<x:xmpmeta>secret xmp</x:xmpmeta>", dpi=(300, 300))
    assert opened(data).getexif()

    result = process_photo(data)

    for output in (result.display, result.thumbnail):
        image = opened(output)
        assert not image.getexif()
        assert not {"exif", "icc_profile", "xmp", "comment"} & image.info.keys()
        for leak in (b"Exif\x00\x00", b"ICC_PROFILE", b"secret", b"http://ns.adobe.com"):
            assert leak not in output
    assert result.original == data  # the original keeps everything


def test_an_embedded_colour_profile_is_converted_to_srgb():
    red = Image.new("RGB", (40, 20), (255, 0, 0))
    data = encode(red, "PNG", icc_profile=rgb_profile_with_red_and_green_swapped())

    display = opened(process_photo(data).display)

    assert is_close(display.getpixel((20, 10)), (0, 255, 0))


def test_an_unreadable_colour_profile_is_ignored():
    data = encode(Image.new("RGB", (40, 20), (255, 0, 0)), "PNG", icc_profile=b"not a profile" * 10)

    display = opened(process_photo(data).display)

    assert is_close(display.getpixel((20, 10)), (255, 0, 0))


# --- robustness -----------------------------------------------------------

SEEDS = {fmt: photo(fmt, (48, 32), exif=exif_block(orientation=6, taken_at="2025:07:01 09:30:15",
                                                   **HANOI_EXIF))
         for fmt in ("JPEG", "PNG", "WEBP")}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fmt=st.sampled_from(sorted(SEEDS)),
    changes=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=8),
    cut=st.none() | st.integers(min_value=1),
)
def test_damaged_files_give_a_photo_or_a_rejection_never_another_error(fmt, changes, cut):
    data = bytearray(SEEDS[fmt])
    for position, value in changes:
        data[position % len(data)] = value
    if cut is not None:
        data = data[: cut % len(data) + 1]

    try:
        result = process_photo(bytes(data))
    except PhotoRejected as rejected:
        assert rejected.code in {"empty", "not_an_image", "unsupported_format", "too_many_pixels", "corrupt"}
    else:
        assert result.format in ACCEPTED_FORMATS
        assert opened(result.display).format == "JPEG"
