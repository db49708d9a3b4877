"""The vocabulary of the checklist format: allowed keys, types and values, the
error type, and checks for single values (texts, keys, numbers, flags).

Import the public names from `definition`, which also describes the
normalised definition; authors read checklists/README.md.
Error paths are dotted, with zero-based list indexes: `sections[1].items[3].type`.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

ITEM_TYPES = (
    "pass_fail", "ratio", "count", "scale", "choice", "multi_choice",
    "text", "number", "date", "photo", "yes_no",
)
PHOTO_EVIDENCE = ("never", "optional", "on_fail", "always")
SEVERITIES = ("minor", "major", "critical")
SHOW_IF_OPERATORS = ("equals", "not_equals", "in", "not_in")
# Types whose answer a show_if can test.
SHOW_IF_TARGETS = ("pass_fail", "yes_no", "choice", "multi_choice", "count", "number", "scale")

CHECKLIST_KEYS = ("key", "title", "description", "applies_to", "legal_basis", "scoring", "sections")
SCORING_KEYS = ("pass_mark", "bands")
BAND_KEYS = ("min", "label")
SECTION_KEYS = ("key", "title", "description", "weight", "pass_mark", "items")
COMMON_ITEM_KEYS = (
    "key", "type", "text", "guidance", "legal_ref", "points", "allow_na",
    "critical", "required", "evidence", "finding", "show_if",
)
TYPE_ITEM_KEYS = {
    "pass_fail": (),
    "yes_no": ("pass_if",),
    "ratio": ("numerator", "denominator", "pass_at", "pass_at_most"),
    "count": ("pass_at", "pass_at_most", "unit"),
    "number": ("pass_at", "pass_at_most", "unit"),
    "scale": ("scale", "pass_at"),
    "choice": ("options",),
    "multi_choice": ("options",),
    "text": (),
    "date": (),
    "photo": (),
}
OPTION_KEYS = ("key", "label", "score", "fails")
EVIDENCE_KEYS = ("photo",)
FINDING_KEYS = ("severity", "remediation_days")
SCALE_KEYS = ("min", "max")

KEY_PATTERN = re.compile(r"[a-z0-9-]+")
LANGUAGE_PATTERN = re.compile(r"[a-z]{2,3}([-_][A-Za-z0-9]{2,8})*")
MISSING: Any = object()


@dataclass(frozen=True)
class ChecklistError:
    """One problem in one checklist file; `line` is filled in when known."""

    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self):
        return f"{self.file}: {self.path}: {self.message}"


def is_scored(item: dict) -> bool:
    """Whether a (normalised) item counts towards the score."""
    kind = item["type"]
    if kind in ("pass_fail", "scale"):
        return True
    if kind == "yes_no":
        return item.get("pass_if") is not None
    if kind in ("ratio", "count", "number"):
        return item.get("pass_at") is not None or item.get("pass_at_most") is not None
    if kind in ("choice", "multi_choice"):
        return any(o["score"] > 0 or o["fails"] for o in item.get("options") or ())
    return False


def _yaml_boolean_hint() -> str:
    return _("(YAML reads a bare yes/no/on/off as true/false: quote it)")


def _yaml_null_hint() -> str:
    return _("(YAML reads a bare null or ~ as no value: quote it)")


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _tidy(value: int | float) -> int | float:
    # 2.0 and 2 must hash alike.
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _yes_no(value: Any) -> Any:
    # YAML 1.1 reads a bare yes/no as a boolean.
    return {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value


class FieldChecker:
    """Checks single values, collecting every error instead of stopping at the first."""

    def __init__(self, source: str, blank_paths: frozenset[str] = frozenset()):
        self.source = source
        self.blank_paths = blank_paths  # values left empty in the file (`label:`), not written as null or ~
        self.errors: list[ChecklistError] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(ChecklistError(self.source, path, message))

    # ── building blocks ──────────────────────────────────────────────────
    def mapping(self, value: Any, path: str, allowed: tuple, required: tuple = ()) -> dict | None:
        if not isinstance(value, dict):
            self.error(path or "(file)", _("must be a mapping of keys to values"))
            return None
        for key in value:
            if key not in allowed:
                self.unknown_key(path, key, allowed)
        for key in required:
            if key not in value:
                self.error(_join(path, key), _("required key is missing"))
        return value

    def quote_hint(self, value: Any, path: str) -> str:
        """Why a bare word is not the text the author wrote (YAML 1.1 read it as a boolean or null), or ""."""
        if isinstance(value, bool):
            return " " + _yaml_boolean_hint()
        if value is None and path not in self.blank_paths:
            return " " + _yaml_null_hint()
        return ""

    def unknown_key(self, path: str, key: Any, allowed: tuple) -> None:
        message = _("unknown key %(key)s; allowed keys: %(allowed)s", key=repr(key), allowed=", ".join(allowed))
        self.error(_join(path, key), message + self.quote_hint(key, ""))

    def key(self, value: Any, path: str) -> str | None:
        if value is MISSING:
            return None  # reported by mapping()
        if not isinstance(value, str) or not KEY_PATTERN.fullmatch(value):
            message = _("%(value)s is not a valid key: use lowercase letters a-z, digits and hyphens",
                        value=repr(value))
            self.error(path, message + self.quote_hint(value, path))
            return None
        return value

    def text(self, value: Any, path: str) -> str | dict | None:
        """A plain string or a map of language code to string; None when absent."""
        if value is MISSING:
            return None
        if isinstance(value, str):
            if not value.strip():
                self.error(path, _("must not be empty"))
                return None
            return unicodedata.normalize("NFC", value)
        if isinstance(value, dict) and value:
            ok = True
            for lang, string in value.items():
                if string is None and isinstance(lang, str) and not LANGUAGE_PATTERN.fullmatch(lang):
                    # {vi: a, b} is {vi: a, "b": null} in YAML.
                    self.error(path, _("%(part)s has no language: a comma inside {...} splits a text; "
                                       "put the text in quotes, e.g. {vi: \"a, b\"}", part=repr(lang)))
                    ok = False
                elif not isinstance(lang, str) or not LANGUAGE_PATTERN.fullmatch(lang):
                    self.error(_join(path, lang), _("%(lang)s is not a language code such as vi or en",
                                                    lang=repr(lang)))
                    ok = False
                elif not isinstance(string, str) or not string.strip():
                    self.error(_join(path, lang), _("must be a non-empty string")
                               + self.quote_hint(string, _join(path, lang)))
                    ok = False
            return {k: unicodedata.normalize("NFC", v) for k, v in value.items()} if ok else None
        if value is None and path in self.blank_paths:
            self.error(path, _("must not be empty"))
            return None
        self.error(path, _("must be a string or a map of language code to string, e.g. {vi: ..., en: ...}")
                   + self.quote_hint(value, path))
        return None

    def number(self, value: Any, path: str, default: Any = None, low: float | None = None,
               high: float | None = None, positive: bool = False, integer: bool = False) -> Any:
        if value is MISSING:
            return default
        if integer and not (isinstance(value, int) and not isinstance(value, bool)):
            self.error(path, _("must be a whole number"))
        elif not _is_number(value):
            self.error(path, _("must be a number"))
        elif positive and value <= 0:
            self.error(path, _("must be greater than 0"))
        elif (low is not None and value < low) or (high is not None and value > high):
            if high is None:
                self.error(path, _("must be at least %(low)s", low=low))
            else:
                self.error(path, _("must be between %(low)s and %(high)s", low=low, high=high))
        else:
            return _tidy(value)
        return default

    def boolean(self, value: Any, path: str, default: bool) -> bool:
        if value is MISSING:
            return default
        if not isinstance(value, bool):
            self.error(path, _("must be true or false"))
            return default
        return value

    def choice(self, value: Any, path: str, allowed: tuple, default: Any = None) -> Any:
        if value is MISSING:
            return default
        if value not in allowed:
            self.error(path, _("%(value)s is not one of: %(allowed)s", value=repr(value), allowed=", ".join(allowed)))
            return default
        return value

    def string_list(self, value: Any, path: str) -> list[str]:
        if value is MISSING:
            return []
        if not isinstance(value, list):
            self.error(path, _("must be a list"))
            return []
        for i, entry in enumerate(value):
            if not isinstance(entry, str) or not entry.strip():
                self.error(f"{path}[{i}]", _("must be a non-empty string") + self.quote_hint(entry, f"{path}[{i}]"))
        return [unicodedata.normalize("NFC", e) for e in value if isinstance(e, str)]

    def nonempty_list(self, value: Any, path: str) -> list:
        if value is MISSING:
            return []  # reported as missing
        if not isinstance(value, list):
            self.error(path, _("must be a list"))
            return []
        if not value:
            self.error(path, _("must not be empty"))
        return value

