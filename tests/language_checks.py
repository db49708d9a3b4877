"""What 'reads in one language' means, for the server's pages and the field app alike.

In Vietnamese no stored code shows as a value (announced, in_progress,
service_centre...) and no English text that the catalogue translates is left in
English; in English no Vietnamese translation of the catalogue shows and no code
with an underscore.
"""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

PO = Path(__file__).resolve().parent.parent / "server/translations/vi/LC_MESSAGES/messages.po"

# Codes stored in the database or the checklists, shown to nobody as they are.
CODES = {
    "planned", "in_progress", "submitted", "returned", "approved", "concluded", "cancelled",  # inspection
    "announced", "unannounced",  # kind
    "minor", "major", "critical",  # severity
    "pass", "fail", "incomplete", "unanswered", "unscored",  # result, outcome
    "open", "awaiting_verification", "closed", "cannot_do", "reopened",  # action
    "low", "normal", "high",  # priority
    "uniform", "stratified", "weighted",  # draw method
    "commune", "ward", "province", "department", "service_centre", "district",  # unit kinds
}
# What people typed in the walk's world (tests/portal_world.py) is shown as typed, in
# whatever language it was typed; these texts happen to match a catalogue translation.
TYPED = {"Báo cáo tự kiểm tra"}
WORD = re.compile(r"[A-Za-z_]+")
# Text that is the same in both languages or is not language (units, symbols, codes a person types).
NEUTRAL = re.compile(r"^[\W\d_]*$")


def load_catalogue() -> dict[str, str]:
    """English msgid -> Vietnamese, for the messages whose translation differs from the English."""
    with open(PO, "rb") as f:
        entries = read_po(f)
    out = {}
    for m in entries:
        if m.id and isinstance(m.id, str) and m.string and m.string != m.id and "%(" not in m.id:
            out[m.id] = m.string
    return out


def vietnamese_texts(catalogue: dict[str, str]) -> set[str]:
    """Vietnamese texts of the catalogue that cannot be English words too."""
    return {v for v in catalogue.values() if not v.isascii()} - TYPED


def problems_in_vietnamese(url: str, texts: list[str], catalogue: dict[str, str]) -> list[str]:
    found = []
    for text in texts:
        codes = CODES & set(WORD.findall(text))
        if codes:
            found.append(f"{url}: code {sorted(codes)} in {text!r}")
        if text in catalogue:
            found.append(f"{url}: English {text!r} (catalogue: {catalogue[text]!r})")
    return found


def problems_in_english(url: str, texts: list[str], vietnamese: set[str]) -> list[str]:
    found = []
    for text in texts:
        codes = {c for c in CODES if "_" in c} & set(WORD.findall(text))
        if codes:
            found.append(f"{url}: code {sorted(codes)} in {text!r}")
        if text in vietnamese:
            found.append(f"{url}: Vietnamese {text!r}")
    return found
