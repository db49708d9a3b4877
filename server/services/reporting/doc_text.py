"""How an administrative document writes its dates, times, counts and
recipients (thể thức văn bản, NĐ 30/2020/NĐ-CP), in Vietnamese and in English.

Vietnamese: "ngày 03 tháng 12 năm 2026" — a zero before days 1–9 and months
1–2 only (tháng 3 … tháng 12 are written as they are); "08 giờ 30 phút";
counts below ten with a leading zero ("02 bản"). English documents read as
English: "3 December 2026", "08:30", "2 copies".
"""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from ..foundation import settings as org_settings


def _vi(locale: str) -> bool:
    return str(locale).startswith("vi")


def _local(moment):
    if isinstance(moment, datetime):
        return moment.astimezone(ZoneInfo(org_settings.get("BABEL_DEFAULT_TIMEZONE")))
    return moment


def day_text(day: date | datetime | None, locale: str) -> str:
    """"ngày 03 tháng 12 năm 2026" / "3 December 2026" ("…" when unknown)."""
    if day is None:
        return "ngày … tháng … năm …" if _vi(locale) else "…"
    day = _local(day)
    if isinstance(day, datetime):
        day = day.date()
    if _vi(locale):
        month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
        return f"ngày {day.day:02d} tháng {month} năm {day.year}"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def time_text(moment: datetime | time | None, locale: str) -> str:
    """"08 giờ 30 phút" / "08:30"."""
    if moment is None:
        return "… giờ … phút" if _vi(locale) else "…"
    moment = _local(moment)
    if _vi(locale):
        return f"{moment.hour:02d} giờ {moment.minute:02d} phút"
    return f"{moment.hour:02d}:{moment.minute:02d}"


def moment_text(moment: datetime | None, locale: str) -> str:
    """"08 giờ 30 phút, ngày 03 tháng 12 năm 2026" / "08:30 on 3 December 2026"."""
    if _vi(locale):
        return f"{time_text(moment, locale)}, {day_text(moment, locale)}"
    return f"{time_text(moment, locale)} on {day_text(moment, locale)}"


def count_text(n: int, locale: str) -> str:
    """A count as a document writes it: "02" below ten in Vietnamese, "2" in English."""
    return f"{n:02d}" if _vi(locale) and 0 <= n < 10 else str(n)


def date_line(place: str, day, locale: str) -> str:
    """"Hà Nội, ngày 03 tháng 12 năm 2026" / "Hanoi, 3 December 2026"."""
    return f"{place}, {day_text(day, locale)}"


def recipients(lines: list[str], *, add: list[str] = (), leave_out: list[str] = ()) -> list[str]:
    """Nơi nhận as the decree punctuates it: "- Như trên;" … "- Lưu: VT, ….".

    `add` goes before the archive line ("Lưu: …", kept last); a line naming
    one of `leave_out` (the signer) is dropped: nobody sends a document to
    themselves."""
    skip = {s.strip().casefold() for s in leave_out if s and s.strip()}
    kept = [line.strip().rstrip(";.").strip() for line in lines if line and line.strip()]
    archive = [line for line in kept if line.casefold().startswith(("lưu", "filed"))]
    body = [line for line in kept if line not in archive]
    for line in add:
        line = (line or "").strip()
        if line and line.casefold() not in {b.casefold() for b in body}:
            body.append(line)
    body = [line for line in body if line.casefold() not in skip]
    out = body + archive
    return [f"- {line}{'.' if i == len(out) - 1 else ';'}" for i, line in enumerate(out)]
