"""What a version holds and how two versions differ: item count, maximum score and
languages; the difference item by item, matched by stable item key.

Pure functions of definitions (no database).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from .definition import iter_items

# Fields whose change rewords an item; every other field changes how it is scored
# or asked (points, thresholds, critical, evidence, conditions, …).
WORDING = ("text", "guidance", "legal_ref", "unit", "numerator", "denominator")
SCORING = ("type", "points", "critical", "allow_na", "required", "pass_if", "pass_at", "pass_at_most", "scale",
           "evidence", "finding", "show_if")


def max_score(definition: dict) -> float:
    """The most an inspection can earn: every scored item's points × its section's weight."""
    total = sum(item["points"] * section["weight"] for section, item in iter_items(definition) if item["scored"])
    return int(total) if float(total).is_integer() else round(total, 2)


def item_count(definition: dict) -> int:
    return sum(1 for _ in iter_items(definition))


def languages(definition: dict) -> list[str]:
    """The languages the texts are written in, Vietnamese and English first; [] when all are plain strings."""
    found: dict[str, None] = {}

    def visit(value: Any) -> None:
        if isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()) \
                and all(isinstance(k, str) and len(k) <= 8 for k in value):
            found.update(dict.fromkeys(value))
        elif isinstance(value, dict):
            for v in value.values():
                visit(v)
        elif isinstance(value, list):
            for v in value:
                visit(v)

    visit({k: v for k, v in definition.items() if k != "sections"})
    for section in definition["sections"]:
        visit({k: v for k, v in section.items() if k != "items"})
        for item in section["items"]:
            visit({k: item.get(k) for k in (*WORDING, "options")})
    return sorted(found, key=lambda lang: ({"vi": 0, "en": 1}.get(lang, 2), lang))


@dataclass
class Change:
    """One item (or setting) that differs: `kinds` ⊆ added, removed, reworded, rescored, moved."""

    key: str
    kinds: list[str]
    old: dict | None = None
    new: dict | None = None
    old_section: str | None = None
    new_section: str | None = None
    fields: list[tuple[str, Any, Any]] = field(default_factory=list)  # (field, before, after)


def diff(old: dict, new: dict) -> dict:
    """{"settings": [(field, before, after)], "sections": [Change], "items": [Change]} from `old` to `new`."""
    settings = [(name, old.get(name), new.get(name))
                for name in ("title", "description", "applies_to", "legal_basis") if old.get(name) != new.get(name)]
    for name in ("pass_mark", "bands"):
        if old["scoring"][name] != new["scoring"][name]:
            settings.append((f"scoring.{name}", old["scoring"][name], new["scoring"][name]))
    return {"settings": settings, "sections": _sections(old, new), "items": _items(old, new)}


def _sections(old: dict, new: dict) -> list[Change]:
    before = {s["key"]: s for s in old["sections"]}
    after = {s["key"]: s for s in new["sections"]}
    changes = []
    for key, section in after.items():
        if key not in before:
            changes.append(Change(key, ["added"], new=section))
            continue
        fields = [(n, before[key].get(n), section.get(n)) for n in ("title", "description", "weight", "pass_mark")
                  if before[key].get(n) != section.get(n)]
        kinds = []
        if any(n in ("title", "description") for n, *_ in fields):
            kinds.append("reworded")
        if any(n in ("weight", "pass_mark") for n, *_ in fields):
            kinds.append("rescored")
        if kinds:
            changes.append(Change(key, kinds, before[key], section, fields=fields))
    changes.extend(Change(key, ["removed"], old=s) for key, s in before.items() if key not in after)
    return changes


def _items(old: dict, new: dict) -> list[Change]:
    before = {item["key"]: (section, item) for section, item in iter_items(old)}
    after = {item["key"]: (section, item) for section, item in iter_items(new)}
    common_old = [k for k in before if k in after]
    common_new = [k for k in after if k in before]
    # Items outside the longest common order moved (one item moved up is one move, not many).
    kept: set[str] = set()
    for block in difflib.SequenceMatcher(a=common_old, b=common_new, autojunk=False).get_matching_blocks():
        kept.update(common_old[block.a:block.a + block.size])
    changes = []
    for key, (section, item) in after.items():
        if key not in before:
            changes.append(Change(key, ["added"], new=item, new_section=section["key"]))
            continue
        old_section, old_item = before[key]
        kinds, fields = [], []
        for name in WORDING:
            fields.extend(_text_changes(name, old_item.get(name), item.get(name)))
        old_labels = {o["key"]: o["label"] for o in old_item.get("options") or ()}
        new_labels = {o["key"]: o["label"] for o in item.get("options") or ()}
        for option, label in new_labels.items():
            if option in old_labels:
                fields.extend(_text_changes(f"options.{option}.label", old_labels[option], label))
        if fields:
            kinds.append("reworded")
        scoring = [(n, old_item.get(n), item.get(n)) for n in SCORING if old_item.get(n) != item.get(n)]
        old_rules = {o["key"]: (o["score"], o["fails"]) for o in old_item.get("options") or ()}
        new_rules = {o["key"]: (o["score"], o["fails"]) for o in item.get("options") or ()}
        if old_rules != new_rules:
            scoring.append(("options", _options(old_item), _options(item)))
        if section["weight"] != old_section["weight"] and item["scored"]:
            scoring.append(("weight", old_section["weight"], section["weight"]))
        if scoring:
            kinds.append("rescored")
            fields.extend(scoring)
        if old_section["key"] != section["key"] or key not in kept:
            kinds.append("moved")
        if kinds:
            changes.append(Change(key, kinds, old_item, item, old_section["key"], section["key"], fields))
    changes.extend(Change(key, ["removed"], old=item, old_section=section["key"])
                   for key, (section, item) in before.items() if key not in after)
    return changes


def _text_changes(name: str, old: Any, new: Any) -> list[tuple[str, Any, Any]]:
    """A reworded text, language by language when both are written per language."""
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        return [(f"{name}.{lang}", old.get(lang), new.get(lang))
                for lang in dict.fromkeys([*old, *new]) if old.get(lang) != new.get(lang)]
    return [(name, old, new)]


def _options(item: dict) -> str:
    parts = []
    for o in item.get("options") or ():
        parts.append(o["key"] + (f" ({o['score']:g})" if o["score"] else "") + (" ✗" if o["fails"] else ""))
    return ", ".join(parts)
