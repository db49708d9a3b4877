"""Answers and outcomes as people read them, shared by the minutes and the exports."""
from __future__ import annotations

from flask_babel import gettext as _

from .checklist_format import localize


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
            return f"{num}/{den} ({round(100 * num / den, 1):g}%)"
        return f"{num}/{den}"
    if kind in ("choice", "multi_choice"):
        labels = {o["key"]: localize(o["label"], locale) for o in item.get("options") or ()}
        chosen = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(v, str(v)) for v in chosen)
    if kind == "photo":
        return ""
    return str(value)
