"""Checklist files: parse, validate and normalise; the public API of the format.

The format is documented for authors in checklists/README.md. Validation
reports every error at once, each with its file, a dotted path with
zero-based indexes (`sections[1].items[3].type`) and, when read from a file,
its line. A valid file becomes a *normalised definition*, in which every
optional field is present, so consumers never need `.get()` chains:

    checklist: key, title, description (None), applies_to ([]), legal_basis ([]),
               scoring {pass_mark (0), bands ([] or [{min, label}], highest first)},
               sections
    section:   key, title, description (None), weight (1), pass_mark (None), items
    item:      key, type, text (the key when absent), guidance (None), legal_ref (None),
               scored (derived), points (1 if scored else 0), critical (False),
               allow_na (False), required (= scored), evidence {photo ("never")},
               finding (None or {severity, remediation_days (None)}),
               show_if (None or {item, operator, value}), and by type:
      ratio        numerator, denominator, pass_at, pass_at_most   (percent, None if absent)
      count/number pass_at, pass_at_most, unit (None)
      scale        scale {min (1), max (5)}, pass_at (None)
      choice/multi_choice  options [{key, label, score (0), fails (False)}]
      yes_no       pass_if ("yes" | "no"; "yes" when points are given without it; None: unscored)

Texts stay as written (a string or {language: string}), in Unicode NFC;
integral floats become ints so that `2.0` and `2` hash alike.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from flask_babel import gettext as _

from .items import ItemChecker
from .schema import (  # noqa: F401  (re-exported: import them from here)
    BAND_KEYS, CHECKLIST_KEYS, ITEM_TYPES, MISSING, PHOTO_EVIDENCE, SCORING_KEYS, SECTION_KEYS,
    SEVERITIES, SHOW_IF_OPERATORS, ChecklistError, _join, is_scored,
)

__all__ = [
    "ITEM_TYPES", "PHOTO_EVIDENCE", "SEVERITIES", "SHOW_IF_OPERATORS", "ChecklistError",
    "content_hash", "is_scored", "item_index", "iter_items", "load_checklist_file", "load_checklist_text",
    "localize", "validate_definition",
]


def load_checklist_file(path: str | Path) -> tuple[dict | None, list[ChecklistError]]:
    """Read a YAML checklist file (UTF-8) and validate it: (definition or None, errors)."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return None, [ChecklistError(source, "(file)", _("the file is not UTF-8 text"))]
    except OSError as exc:
        return None, [ChecklistError(source, "(file)", _("cannot read the file: %(reason)s",
                                                         reason=exc.strerror or str(exc)))]
    return load_checklist_text(text, source)


def load_checklist_text(text: str, source: str) -> tuple[dict | None, list[ChecklistError]]:
    """Validate a checklist's YAML text; `source` names it in the errors."""
    loader = _ChecklistLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except _TooDeep as exc:
        return None, [_too_deep(source, exc.mark)]
    except RecursionError:  # only if the caller's own stack was already deep
        return None, [_too_deep(source, None)]
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_error(source, exc)]
    except yaml.YAMLError as exc:
        return None, [ChecklistError(source, "(file)", _("YAML error: %(problem)s", problem=str(exc)))]
    finally:
        loader.dispose()
    if node is None:
        return None, [ChecklistError(source, "(file)", _("the file is empty"))]
    lines: dict[str, int] = {}
    blank: set[str] = set()
    errors = _walk_nodes(node, "", lines, blank, source)
    definition, more = validate_definition(data, source, blank_paths=frozenset(blank))
    errors = [e if e.line is not None else replace(e, line=_line_of(e.path, lines)) for e in errors + more]
    errors.sort(key=lambda e: e.line or 0)  # file order; stable within a line
    return (None if errors else definition), errors


def validate_definition(data: Any, source: str, *, blank_paths: frozenset[str] = frozenset()
                        ) -> tuple[dict | None, list[ChecklistError]]:
    """Validate parsed YAML data: (normalised definition, []) or (None, every error found).

    `blank_paths`: where the file left a value empty (`label:`), so that it is
    reported as empty rather than as a bare null to quote.
    """
    checker = _DefinitionChecker(source, blank_paths)
    definition = checker.checklist(data)
    if checker.errors:
        return None, checker.errors
    return definition, []


def content_hash(definition: dict) -> str:
    """SHA-256 (hex) of the definition's canonical JSON: equal content, equal hash."""
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def localize(text: str | dict | None, locale: str, fallback: str = "vi") -> str:
    """A text in `locale` (or its base language), else `fallback`, else its first language."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    locale = str(locale or "").replace("_", "-")
    for lang in (locale, locale.split("-")[0], fallback):
        if lang and lang in text:
            return text[lang]
    return next(iter(text.values()), "")


def iter_items(definition: dict) -> Iterator[tuple[dict, dict]]:
    """(section, item) pairs in file order."""
    for section in definition["sections"]:
        for item in section["items"]:
            yield section, item


def item_index(definition: dict) -> dict[str, tuple[dict, dict]]:
    """Item key -> (section, item)."""
    return {item["key"]: (section, item) for section, item in iter_items(definition)}


# ── internals ────────────────────────────────────────────────────────────────

_LAST_SEGMENT = re.compile(r"(\.[^.\[]*|\[\d+\])$")
_NULL_TAG = "tag:yaml.org,2002:null"

# The format nests at most eight lists and mappings (an option's label map);
# refusing far deeper files early keeps PyYAML's recursive composer away
# from Python's recursion limit.
MAX_NESTING = 32


class _TooDeep(Exception):
    def __init__(self, mark: yaml.Mark | None):
        super().__init__("nested too deeply")
        self.mark = mark


class _ChecklistLoader(yaml.SafeLoader):
    """The safe loader, refusing lists and mappings nested deeper than MAX_NESTING."""

    def __init__(self, stream):
        super().__init__(stream)
        self.nesting = 0

    def _nested(self, compose, anchor):
        self.nesting += 1
        try:
            if self.nesting > MAX_NESTING:
                raise _TooDeep(self.peek_event().start_mark)
            return compose(anchor)
        finally:
            self.nesting -= 1

    def compose_sequence_node(self, anchor):
        return self._nested(super().compose_sequence_node, anchor)

    def compose_mapping_node(self, anchor):
        return self._nested(super().compose_mapping_node, anchor)


def _too_deep(source: str, mark: yaml.Mark | None) -> ChecklistError:
    if mark is None:
        return ChecklistError(source, "(file)", _(
            "lists and mappings are nested more than %(limit)s levels deep; a checklist never needs that many",
            limit=MAX_NESTING))
    return ChecklistError(source, "(file)", _(
        "lists and mappings are nested more than %(limit)s levels deep at line %(line)s, column %(column)s; "
        "a checklist never needs that many", limit=MAX_NESTING, line=mark.line + 1, column=mark.column + 1),
        mark.line + 1)


def _syntax_error(source: str, exc: yaml.MarkedYAMLError) -> ChecklistError:
    """Where the parser gave up and, when it names one, where the broken construct starts
    (the opening quote of an unterminated string, the bracket of an unclosed list)."""
    mark, start = exc.problem_mark or exc.context_mark, exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
    problem = exc.problem or exc.context or ""
    if start is None or start is mark or (start.line, start.column) == (mark.line, mark.column):
        message = _("YAML syntax error at line %(line)s, column %(column)s: %(problem)s",
                    line=line, column=column, problem=problem)
    else:
        message = _("YAML syntax error at line %(line)s, column %(column)s: %(problem)s; it starts at "
                    "line %(start_line)s, column %(start_column)s (%(context)s)",
                    line=line, column=column, problem=problem, start_line=start.line + 1,
                    start_column=start.column + 1, context=exc.context or "")
    return ChecklistError(source, "(file)", message, line)


def _line_of(path: str, lines: dict[str, int]) -> int | None:
    """The line of `path`, or of its nearest ancestor present in the file."""
    while path:
        if path in lines:
            return lines[path]
        trimmed = _LAST_SEGMENT.sub("", path)
        if trimmed == path:
            break
        path = trimmed
    return None


def _walk_nodes(node: yaml.Node, path: str, lines: dict[str, int], blank: set[str],
                source: str) -> list[ChecklistError]:
    """Record the line of every path and the paths left empty; report keys repeated
    in one mapping (YAML keeps the last)."""
    errors: list[ChecklistError] = []
    stack = [(node, path)]
    visited: set[int] = set()  # an alias may point back up the tree
    while stack:
        node, path = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG and not node.value:
            blank.add(path)
        elif isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
                child = _join(path, key)
                line = key_node.start_mark.line + 1
                if key in seen:
                    errors.append(ChecklistError(source, child, _(
                        "key %(key)s appears twice in the same mapping; YAML would keep only the last",
                        key=key), line))
                seen.add(key)
                lines.setdefault(child, line)
                stack.append((value_node, child))
        elif isinstance(node, yaml.SequenceNode):
            for i, value_node in enumerate(node.value):
                child = f"{path}[{i}]"
                lines.setdefault(child, value_node.start_mark.line + 1)
                stack.append((value_node, child))
    return errors


class _DefinitionChecker(ItemChecker):
    """The checklist as a whole: top-level keys, scoring and sections."""

    def checklist(self, data: Any) -> dict | None:
        raw = self.mapping(data, "", CHECKLIST_KEYS, ("key", "title", "sections"))
        if raw is None:
            return None
        get = lambda k: raw.get(k, MISSING)  # noqa: E731
        out = {
            "key": self.key(get("key"), "key"),
            "title": self.text(get("title"), "title"),
            "description": self.text(get("description"), "description"),
            "applies_to": self.string_list(get("applies_to"), "applies_to"),
            "legal_basis": self.string_list(get("legal_basis"), "legal_basis"),
            "scoring": self.scoring(get("scoring"), "scoring"),
            "sections": [],
        }
        raw_sections = self.nonempty_list(get("sections"), "sections")
        # Known up front, so that a show_if naming a later item says so.
        self.all_item_keys = {i.get("key") for s in raw_sections if isinstance(s, dict)
                              for i in (s.get("items") if isinstance(s.get("items"), list) else ())
                              if isinstance(i, dict) and isinstance(i.get("key"), str)}
        seen_sections: dict[str, str] = {}
        for i, raw_section in enumerate(raw_sections):
            path = f"sections[{i}]"
            section = self.section(raw_section, path)
            if section is None:
                continue
            if section["key"] in seen_sections:
                self.error(f"{path}.key", _("duplicate section key %(key)s (first used at %(first)s)",
                                            key=section["key"], first=seen_sections[section["key"]]))
            elif section["key"] is not None:
                seen_sections[section["key"]] = path
            out["sections"].append(section)
        return out

    def scoring(self, value: Any, path: str) -> dict:
        out = {"pass_mark": 0, "bands": []}
        if value is MISSING or self.mapping(value, path, SCORING_KEYS) is None:
            return out
        out["pass_mark"] = self.number(value.get("pass_mark", MISSING), f"{path}.pass_mark", 0, 0, 100)
        bands = value.get("bands", MISSING)
        if bands is MISSING:
            return out
        if not isinstance(bands, list):
            self.error(f"{path}.bands", _("must be a list"))
            return out
        previous = None
        for i, band in enumerate(bands):
            band_path = f"{path}.bands[{i}]"
            if self.mapping(band, band_path, BAND_KEYS, BAND_KEYS) is None:
                continue
            low = self.number(band.get("min", MISSING), f"{band_path}.min", None, 0, 100)
            label = self.text(band.get("label", MISSING), f"{band_path}.label")
            if low is not None and previous is not None and low >= previous:
                self.error(f"{band_path}.min", _("bands must be listed highest first: %(min)s is not below %(prev)s",
                                                 min=low, prev=previous))
            previous = low if low is not None else previous
            out["bands"].append({"min": low, "label": label})
        return out

    def section(self, raw: Any, path: str) -> dict | None:
        if self.mapping(raw, path, SECTION_KEYS, ("key", "title", "items")) is None:
            return None
        get = lambda k: raw.get(k, MISSING)  # noqa: E731
        out = {
            "key": self.key(get("key"), f"{path}.key"),
            "title": self.text(get("title"), f"{path}.title"),
            "description": self.text(get("description"), f"{path}.description"),
            "weight": self.number(get("weight"), f"{path}.weight", 1, positive=True),
            "pass_mark": self.number(get("pass_mark"), f"{path}.pass_mark", None, 0, 100),
            "items": [],
        }
        for i, raw_item in enumerate(self.nonempty_list(get("items"), f"{path}.items")):
            item_path = f"{path}.items[{i}]"
            item = self.item(raw_item, item_path)
            key = raw_item.get("key") if isinstance(raw_item, dict) else None
            # Unique across the whole checklist: exports merge versions by item key.
            if isinstance(key, str) and key in self.earlier:
                self.error(f"{item_path}.key", _("duplicate item key %(key)s (first used at %(first)s): item keys "
                                                 "must be unique in the whole checklist",
                                                 key=key, first=self.item_paths[key]))
            elif isinstance(key, str):
                self.earlier[key] = item
                self.item_paths[key] = item_path
            if item is not None:
                out["items"].append(item)
        return out
