"""Answers and outcomes as people read them, shared by the minutes and the exports."""
from __future__ import annotations

from babel.numbers import format_decimal, format_percent
from flask_babel import get_locale
from flask_babel import gettext as _

from ..checklists.definition import item_index, iter_items, localize

# How many items a deciding rule names before it only counts the rest.
NAMED_ITEMS = 5


def _count(value, locale: str) -> str:
    return format_decimal(value, format="#,##0.##", locale=locale) if isinstance(value, (int, float)) else str(value)


def _percent(value: float, locale: str, digits: int = 1) -> str:
    """A share as the reader writes it: 96,5 % in Vietnamese, 96.5% in English."""
    decimals = "." + "#" * digits
    pattern = f"#,##0{decimals}\u00a0%" if str(locale).startswith("vi") else f"#,##0{decimals}%"
    return format_percent(round(value, digits) / 100, format=pattern, locale=locale)


def outcome_labels() -> dict[str, str]:
    return {"pass": _("Pass"), "fail": _("Fail"), "na": _("Not applicable"), "unanswered": _("Not answered"),
            "unscored": "", "hidden": ""}


def answer_words() -> dict[str, str]:
    """The translated words answers are made of (looked up once per export, not per row)."""
    return {"pass": _("Pass"), "fail": _("Fail"), "na": _("Not applicable"), "yes": _("Yes"), "no": _("No")}


def answer_text(item: dict, value, na: bool, locale: str, words: dict[str, str] | None = None) -> str:
    """One answer as text: 12/15 (80%), an option's label, Pass / Fail..."""
    words = words or answer_words()
    if na:
        return words["na"]
    if value is None or value == "":
        return ""
    kind = item["type"]
    if kind == "pass_fail":
        return words.get(value, str(value)) if value in ("pass", "fail") else str(value)
    if kind == "yes_no":
        return words["yes"] if value in ("yes", True) else words["no"]
    if kind == "ratio" and isinstance(value, dict):
        num, den = value.get("numerator"), value.get("denominator")
        if den:
            return f"{_count(num, locale)}/{_count(den, locale)} ({_percent(100 * num / den, locale)})"
        return f"{num}/{den}"
    if kind in ("choice", "multi_choice"):
        labels = {o["key"]: localize(o["label"], locale) for o in item.get("options") or ()}
        chosen = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(v, str(v)) for v in chosen)
    if kind == "photo":
        return ""
    return str(value)


def score_titles(definition: dict, locale: str) -> dict[str, dict[str, str]]:
    """Item and section titles by key, in `locale`: what `decision_text` names."""
    return {"items": {item["key"]: localize(item["text"], locale) for _section, item in iter_items(definition)},
            "sections": {s["key"]: localize(s["title"], locale) for s in definition.get("sections") or ()}}


def _figure(value) -> str:
    return "" if value is None else f"{value:g}"


def _shown_percent(value, locale: str) -> str:
    # As precise as the rule: a score of 79.995 % is below a pass mark of 80 %.
    return "" if value is None else _percent(float(value), locale, digits=3)


def _quoted(keys, titles: dict[str, str]) -> str:
    named = ", ".join(f"“{titles.get(k, k)}”" for k in keys[:NAMED_ITEMS])
    return named + (f", … (+{len(keys) - NAMED_ITEMS})" if len(keys) > NAMED_ITEMS else "")


def decision_text(decided_by: dict | None, titles: dict[str, dict[str, str]]) -> str:
    """The rule that decided a score's result (scoring._decide), as a sentence in the current language.

    Items and sections are named by their titles (see `score_titles`), never by key.
    """
    if not decided_by:
        return ""
    rule = decided_by.get("rule")
    items, sections = titles.get("items") or {}, titles.get("sections") or {}
    if rule == "critical_item_failed":
        keys = list(decided_by.get("items") or [decided_by.get("item")])
        if len(keys) == 1:
            return _("The critical item %(items)s failed.", items=_quoted(keys, items))
        return _("The critical items %(items)s failed.", items=_quoted(keys, items))
    if rule == "unanswered_required":
        keys = list(decided_by.get("items") or [decided_by.get("item")])
        if len(keys) == 1:
            return _("The required item %(items)s is not answered.", items=_quoted(keys, items))
        return _("The required items %(items)s are not answered.", items=_quoted(keys, items))
    if rule == "nothing_scored":
        return _("Nothing was scored, so the inspection passes.")
    # Percents as the reader writes them (60 % in Vietnamese, 60% in English).
    locale = str(get_locale() or "vi")
    figures = {"percent": _shown_percent(decided_by.get("percent"), locale),
               "pass_mark": _shown_percent(decided_by.get("pass_mark"), locale)}
    if rule == "below_pass_mark":
        return _("The score of %(percent)s is below the pass mark of %(pass_mark)s.", **figures)
    if rule == "pass_mark_met":
        return _("The score of %(percent)s reaches the pass mark of %(pass_mark)s.", **figures)
    if rule == "section_below_pass_mark":
        first = decided_by.get("section")
        text = _("The section “%(section)s” scored %(percent)s, below its own pass mark of %(pass_mark)s.",
                 section=sections.get(first, first), **figures)
        others = [k for k in decided_by.get("sections") or () if k != first]
        if others:
            text += " " + _("Also below their own pass marks: %(sections)s.", sections=_quoted(others, sections))
        return text
    return str(rule or "")


def band_text(band: dict | None, locale: str) -> str:
    """The band a score reached, in `locale` ("" when the checklist has no bands)."""
    return localize(band.get("label"), locale) if band else ""


def shown_band(score: dict | None) -> dict | None:
    """The band to show beside a result: none when a critical item failed the
    inspection, where a points band ("Khá") would contradict "Không đạt"."""
    score = score or {}
    if (score.get("decided_by") or {}).get("rule") == "critical_item_failed":
        return None
    return score.get("band")


def score_words(score: dict | None, definition: dict, locale: str | None = None) -> dict[str, str]:
    """A stored score's deciding rule and band in words, in `locale` (default: the reader's):
    {"decision": ..., "band": ...}."""
    score = score or {}
    locale = locale or str(get_locale() or "vi")
    return {"decision": decision_text(score.get("decided_by"), score_titles(definition, locale)),
            "band": band_text(shown_band(score), locale)}


def measured_texts(definition: dict, snapshot: list[dict], locale: str | None = None) -> dict[str, str]:
    """What was measured for each item of a finding snapshot (an action's
    `finding_snapshot`), by item key: "48/50 (96%)", "Fail", an option's label."""
    locale = locale or str(get_locale() or "vi")
    items = item_index(definition)
    words = answer_words()
    found: dict[str, str] = {}
    for entry in snapshot or ():
        key, answer = entry.get("item_key"), entry.get("answer")
        if key in items and answer:
            text = answer_text(items[key][1], answer.get("value"), bool(answer.get("na")), locale, words)
            if text:
                found[key] = text
    return found


def found_texts(definition: dict, answers, keys, locale: str | None = None) -> dict[str, dict[str, str]]:
    """For the items `keys` (those findings are about), the item's text and the
    answer measured: {key: {"item": ..., "value": "48/50 (96%)"}}. `answers`: Answer rows."""
    locale = locale or str(get_locale() or "vi")
    items = item_index(definition)
    by_key = {a.item_key: a for a in answers}
    words = answer_words()
    found: dict[str, dict[str, str]] = {}
    for key in keys:
        answer = by_key.get(key)
        if key in items and answer is not None:
            item = items[key][1]
            found[key] = {"item": localize(item["text"], locale),
                          "value": answer_text(item, answer.value, answer.na, locale, words)}
    return {k: v for k, v in found.items() if v["value"]}
