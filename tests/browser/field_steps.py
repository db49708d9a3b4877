"""Steps of conducting an inspection in the field app, shared by the browser tests."""
from __future__ import annotations

import gzip
import io
from pathlib import Path

from PIL import Image
from PIL.TiffImagePlugin import IFDRational
from playwright.sync_api import Page, expect

from tests.browser.a11y import assert_accessible
from tests.browser.conftest import SCREENS
from tests.fieldwork_data import BA_DINH

GEO = {"geolocation": {"latitude": BA_DINH[0], "longitude": BA_DINH[1], "accuracy": 20},
       "permissions": ["geolocation"]}


def phone_photo(path: Path, *, size=(4000, 3000), seed_color=(90, 140, 200)) -> Path:
    """A 12-megapixel 'phone photo': a gradient with sensor-like noise, EXIF time and GPS."""
    base = Image.linear_gradient("L").resize(size)
    noise = Image.effect_noise(size, 24)
    image = Image.merge("RGB", (Image.blend(base, noise, 0.35), Image.blend(noise, base, 0.6),
                                Image.new("L", size, seed_color[2]).point(lambda v: v)))
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "2026:11:20 09:15:00"

    def dms(value):
        d = int(value)
        m = int((value - d) * 60)
        return (IFDRational(d, 1), IFDRational(m, 1), IFDRational(round(((value - d) * 60 - m) * 6000), 100))

    exif[0x8825] = {1: "N", 2: dms(BA_DINH[0]), 3: "E", 4: dms(BA_DINH[1])}
    image.save(path, "JPEG", quality=92, exif=exif)
    return path


def screenshot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar would land mid-page otherwise
    page.screenshot(path=str(SCREENS / f"field-{name}.png"), full_page=True)


def open_app(page: Page) -> None:
    page.goto("/app")
    page.wait_for_selector("body[data-ready='1']")
    assert_accessible(page, "the field app's home")


def open_inspection(page: Page, uuid: str, part: str = "") -> None:
    view = f"#/i/{uuid}{part}"
    page.evaluate("h => { location.hash = h; }", view)
    page.wait_for_selector(f"body[data-view='{view}'] .screen h1")
    assert_accessible(page, view)


def check_in(page: Page, uuid: str) -> None:
    open_inspection(page, uuid)
    page.click("button[name=checkin]:not([disabled])")
    page.wait_for_selector(".checkin.done")


def answer(page: Page, uuid: str, photo: Path, shots: str | None = None) -> None:
    """Fill both sections: a failed item with its photo, and passing answers elsewhere."""
    open_inspection(page, uuid, "/s/co-so")
    page.check("input[name='a-bien-hieu'][value='fail']")
    expect(page.locator("#item-bien-hieu .warn").first).to_be_visible()  # a photo is required
    page.set_input_files("#item-bien-hieu input[name=camera]", str(photo))
    page.wait_for_selector("#item-bien-hieu .thumb img")
    page.check("input[name='a-wifi'][value='no']")
    page.fill("textarea[name='a-ghi-chu-wifi']", "Bộ phát hỏng")  # shown by show_if
    page.check("input[name='a-wifi'][value='yes']")
    expect(page.locator("#item-ghi-chu-wifi")).to_be_hidden()
    if shots:
        screenshot(page, f"{shots}-section")
    open_inspection(page, uuid, "/s/ho-so")
    page.fill("input[name='a-dung-han-n']", "120")
    page.fill("input[name='a-dung-han-d']", "100")
    expect(page.locator("#item-dung-han .error")).to_be_visible()  # numerator > denominator
    if shots:
        screenshot(page, f"{shots}-validation")
    page.fill("input[name='a-dung-han-n']", "96")
    expect(page.locator("#item-dung-han .error")).to_be_hidden()
    page.fill("input[name='a-vang']", "0")
    page.check("input[name='a-hai-long'][value='5']")
    page.check("input[name='a-hinh-thuc'][value='truc-tiep']")
    page.click("#item-hai-long summary")
    page.fill("textarea[name='note-hai-long']", "Người dân khen")


def add_finding(page: Page, uuid: str, photo: Path) -> None:
    open_inspection(page, uuid, "/findings")
    page.click("button[name=add-finding]")
    expect(page.locator(".finding")).to_have_count(1)
    page.select_option(".finding select[name=item_key]", "bien-hieu")
    page.check(".finding input[value=major]")
    page.fill(".finding textarea[name=description]", "Biển hiệu bị che khuất")
    page.set_input_files(".finding input[name=gallery]", str(photo))
    page.wait_for_selector(".finding .thumb img")


def sign(page: Page, side: str) -> None:
    pad = page.locator(f"#pad-{side}")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 100)
    page.mouse.down()
    for x, y in ((80, 40), (140, 120), (200, 50), (260, 110)):
        page.mouse.move(box["x"] + x, box["y"] + y, steps=4)
    page.mouse.up()
    page.click(f"button[name=save-sign-{side}]")
    expect(page.locator(f"#pad-{side}")).to_have_count(0)  # replaced by the saved signature


def add_attendees(page: Page) -> None:
    """On the minutes screen: one member of the team and one person of the unit attend."""
    names = page.locator("input[name=attendee-name]")
    page.click("button[name=add-team]")
    expect(names).to_have_count(1)
    names.last.fill("Nguyễn Văn Kiểm")
    page.click("button[name=add-unit]")
    expect(names).to_have_count(2)
    names.last.fill("Trần Thị Đơn")


def fill_minutes(page: Page, uuid: str, shots: str | None = None) -> None:
    open_inspection(page, uuid, "/minutes")
    names = page.locator("input[name=attendee-name]")
    page.click("button[name=add-team]")
    expect(names).to_have_count(1)
    names.last.fill("Nguyễn Văn Kiểm")
    page.locator("input[name=attendee-position]").last.fill("Trưởng đoàn")
    page.click("button[name=add-unit]")
    expect(names).to_have_count(2)
    expect(page.locator("select[name=side]").last).to_have_value("unit")
    names.last.fill("Trần Thị Đơn")
    page.click("button[name=now-ended_at]")
    page.fill("input[name=sign-lead-name]", "Nguyễn Văn Kiểm")
    if shots:
        screenshot(page, f"{shots}-minutes")
    sign(page, "lead")
    page.wait_for_selector("img.signature")
    page.fill("input[name=sign-unit-name]", "Trần Thị Đơn")
    sign(page, "unit")
    expect(page.locator("img.signature")).to_have_count(2)


def submit(page: Page, uuid: str, shots: str | None = None, reason: str | None = None) -> None:
    open_inspection(page, uuid, "/submit")
    if reason is not None:
        page.fill("textarea[name=reason]", reason)
    missing = page.locator("ul.missing")
    expect(missing, missing.all_inner_texts() and str(missing.all_inner_texts())).to_have_count(0)
    if shots:
        screenshot(page, f"{shots}-submit")
    page.click("button[name=submit]")
    expect(page.locator("dialog.ask")).to_be_visible()  # what will be sent, before it goes
    assert_accessible(page, "the confirmation before sending")
    if shots:
        page.screenshot(path=str(SCREENS / f"field-{shots}-confirm.png"))
    page.click("dialog.ask button[name=ask-ok]")


def wait_until_sent(page: Page, timeout_ms: int = 30_000) -> None:
    page.wait_for_selector(".sync.state-done", timeout=timeout_ms)
    assert_accessible(page, "the submit screen once sent")


def first_load_bytes(responses) -> tuple[int, int]:
    """(raw, gzipped) bytes of the HTML, JS, CSS and catalogue of a first load."""
    raw = zipped = 0
    seen = set()
    for response in responses:
        if not 200 <= response.status < 300 or response.url in seen:
            continue  # redirects; the service worker's own copies of the same files
        seen.add(response.url)
        body = response.body()
        raw += len(body)
        zipped += len(gzip.compress(body, 9))
    return raw, zipped


def jpeg_size(data: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(data)).size
