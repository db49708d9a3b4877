"""The rules for one checklist item: its type, thresholds, options and show_if.

Part of the checklist format; import the public names from `definition`.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from .schema import (
    COMMON_ITEM_KEYS, EVIDENCE_KEYS, FINDING_KEYS, ITEM_TYPES, MISSING, OPTION_KEYS,
    PHOTO_EVIDENCE, SCALE_KEYS, SEVERITIES, SHOW_IF_OPERATORS, SHOW_IF_TARGETS,
    TYPE_ITEM_KEYS, FieldChecker, _is_number, _join, _yes_no, is_scored,
)

ALL_TYPE_KEYS = tuple(dict.fromkeys(k for keys in TYPE_ITEM_KEYS.values() for k in keys))
TYPE_REQUIRED_KEYS = {"ratio": ("numerator", "denominator"), "choice": ("options",), "multi_choice": ("options",)}


def _unscored_reason(kind: str) -> str:
    if kind in ("ratio", "count", "number"):
        return _("a %(type)s item is scored only with pass_at or pass_at_most", type=kind)
    if kind == "yes_no":
        return _("a yes_no item is scored only with points or pass_if")
    if kind in ("choice", "multi_choice"):
        return _("a %(type)s item is scored only when an option has a score or fails: true", type=kind)
    return _("%(type)s items are never scored", type=kind)


class ItemChecker(FieldChecker):
    """Checks items in file order; show_if may only name an item checked before."""

    def __init__(self, source: str, blank_paths: frozenset[str] = frozenset()):
        super().__init__(source, blank_paths)
        self.all_item_keys: set[str] = set()     # every item key in the file, filled in first
        self.earlier: dict[str, dict | None] = {}  # key -> normalised item (None if invalid)
        self.item_paths: dict[str, str] = {}

    def item(self, raw: Any, path: str) -> dict | None:
        if not isinstance(raw, dict):
            self.error(path, _("must be a mapping of keys to values"))
            return None
        kind = raw.get("type", MISSING)
        known = isinstance(kind, str) and kind in ITEM_TYPES
        if kind is MISSING:
            self.error(f"{path}.type", _("required key is missing"))
        elif not known:
            self.error(f"{path}.type", _("unknown item type %(type)s; known types: %(types)s",
                                         type=repr(kind), types=", ".join(ITEM_TYPES)))
        allowed = COMMON_ITEM_KEYS + (TYPE_ITEM_KEYS[kind] if known else ALL_TYPE_KEYS)
        for key in raw:
            if key in allowed:
                continue
            if key in ALL_TYPE_KEYS:
                types = ", ".join(t for t, keys in TYPE_ITEM_KEYS.items() if key in keys)
                self.error(_join(path, key), _("%(key)s does not apply to %(type)s items; it applies to: %(types)s",
                                               key=key, type=kind, types=types))
            else:
                self.unknown_key(path, key, allowed)
        if "key" not in raw:
            self.error(f"{path}.key", _("required key is missing"))
        for key in TYPE_REQUIRED_KEYS.get(kind if known else "", ()):
            if key not in raw:
                self.error(f"{path}.{key}", _("required key is missing: a %(type)s item needs %(key)s",
                                              type=kind, key=key))

        get = lambda k: raw.get(k, MISSING)  # noqa: E731
        own_key = self.key(get("key"), f"{path}.key")
        text = self.text(get("text"), f"{path}.text")
        out = {
            "key": own_key,
            "type": kind if known else None,
            "text": own_key if text is None else text,
            "guidance": self.text(get("guidance"), f"{path}.guidance"),
            "legal_ref": self.text(get("legal_ref"), f"{path}.legal_ref"),
        }
        if not known:
            return None
        out.update(self.type_fields(kind, raw, path))
        if kind == "yes_no" and "pass_if" not in raw and _is_number(raw.get("points")) and raw["points"] > 0:
            # A Yes/No question worth points: "yes" earns them, as on every Yes/No form.
            out["pass_if"] = "yes"
        scored = is_scored(out)
        out["scored"] = scored
        out["points"] = self.number(get("points"), f"{path}.points", 1 if scored else 0, 0)
        if not scored and out["points"]:
            self.error(f"{path}.points", _("has no effect: %(reason)s", reason=_unscored_reason(kind)))
        out["critical"] = self.boolean(get("critical"), f"{path}.critical", False)
        if out["critical"] and not scored:
            self.error(f"{path}.critical", _("has no effect: %(reason)s", reason=_unscored_reason(kind)))
        out["allow_na"] = self.boolean(get("allow_na"), f"{path}.allow_na", False)
        out["required"] = self.boolean(get("required"), f"{path}.required", scored)
        out["evidence"] = self.evidence(get("evidence"), f"{path}.evidence")
        out["finding"] = self.finding(get("finding"), f"{path}.finding")
        out["show_if"] = self.show_if(get("show_if"), f"{path}.show_if", own_key)
        return out if own_key is not None else None

    def type_fields(self, kind: str, raw: dict, path: str) -> dict:
        get = lambda k: raw.get(k, MISSING)  # noqa: E731
        if kind == "yes_no":
            return {"pass_if": self.choice(_yes_no(get("pass_if")), f"{path}.pass_if", ("yes", "no"))}
        if kind == "ratio":
            return {
                "numerator": self.text(get("numerator"), f"{path}.numerator"),
                "denominator": self.text(get("denominator"), f"{path}.denominator"),
                **self.thresholds(raw, path, 0, 100),
            }
        if kind in ("count", "number"):
            low = 0 if kind == "count" else None
            return {**self.thresholds(raw, path, low, None), "unit": self.text(get("unit"), f"{path}.unit")}
        if kind == "scale":
            scale = self.scale(get("scale"), f"{path}.scale")
            at = self.number(get("pass_at"), f"{path}.pass_at", None, scale["min"], scale["max"])
            return {"scale": scale, "pass_at": at}
        if kind in ("choice", "multi_choice"):
            return {"options": self.options(get("options"), f"{path}.options")}
        return {}

    def thresholds(self, raw: dict, path: str, low: float | None, high: float | None) -> dict:
        at = self.number(raw.get("pass_at", MISSING), f"{path}.pass_at", None, low, high)
        at_most = self.number(raw.get("pass_at_most", MISSING), f"{path}.pass_at_most", None, low, high)
        if at is not None and at_most is not None and at > at_most:
            self.error(f"{path}.pass_at_most", _("must not be below pass_at (%(pass_at)s), or the item can never pass",
                                                 pass_at=at))
        return {"pass_at": at, "pass_at_most": at_most}

    def scale(self, value: Any, path: str) -> dict:
        scale = {"min": 1, "max": 5}
        if value is MISSING or self.mapping(value, path, SCALE_KEYS) is None:
            return scale
        low = self.number(value.get("min", MISSING), f"{path}.min", 1, integer=True)
        high = self.number(value.get("max", MISSING), f"{path}.max", 5, integer=True)
        if low >= high:
            self.error(path, _("min (%(min)s) must be below max (%(max)s)", min=low, max=high))
            return scale
        return {"min": low, "max": high}

    def options(self, value: Any, path: str) -> list[dict]:
        out: list[dict] = []
        seen: dict[str, str] = {}
        for i, raw in enumerate(self.nonempty_list(value, path)):
            option_path = f"{path}[{i}]"
            if self.mapping(raw, option_path, OPTION_KEYS, ("key", "label")) is None:
                continue
            key = self.key(raw.get("key", MISSING), f"{option_path}.key")
            if key is not None and key in seen:
                self.error(f"{option_path}.key", _("duplicate option key %(key)s (first used at %(first)s)",
                                                   key=key, first=seen[key]))
            elif key is not None:
                seen[key] = option_path
            out.append({
                "key": key,
                "label": self.text(raw.get("label", MISSING), f"{option_path}.label"),
                "score": self.number(raw.get("score", MISSING), f"{option_path}.score", 0, 0),
                "fails": self.boolean(raw.get("fails", MISSING), f"{option_path}.fails", False),
            })
        if out and all(o["fails"] for o in out):
            self.error(path, _("every option fails, so the item can never pass"))
        return out

    def evidence(self, value: Any, path: str) -> dict:
        if value is MISSING or self.mapping(value, path, EVIDENCE_KEYS) is None:
            return {"photo": "never"}
        return {"photo": self.choice(value.get("photo", MISSING), f"{path}.photo", PHOTO_EVIDENCE, "never")}

    def finding(self, value: Any, path: str) -> dict | None:
        if value is MISSING or self.mapping(value, path, FINDING_KEYS, ("severity",)) is None:
            return None
        return {
            "severity": self.choice(value.get("severity", MISSING), f"{path}.severity", SEVERITIES),
            "remediation_days": self.number(value.get("remediation_days", MISSING), f"{path}.remediation_days",
                                            None, positive=True, integer=True),
        }

    def show_if(self, value: Any, path: str, own_key: str | None) -> dict | None:
        if value is MISSING:
            return None
        if not isinstance(value, dict):
            self.error(path, _("must be a mapping such as {item: other-item, equals: value}"))
            return None
        operators = [k for k in value if k in SHOW_IF_OPERATORS]
        unknown = [k for k in value if k != "item" and k not in SHOW_IF_OPERATORS]
        for key in unknown:
            self.error(_join(path, key), _("unknown show_if operator %(op)s; operators: %(ops)s",
                                           op=repr(key), ops=", ".join(SHOW_IF_OPERATORS)))
        if "item" not in value:
            self.error(f"{path}.item", _("required key is missing"))
        if len(operators) > 1 or not (operators or unknown):
            self.error(path, _("needs exactly one operator of: %(ops)s", ops=", ".join(SHOW_IF_OPERATORS)))
        target = self.show_if_target(value.get("item", MISSING), f"{path}.item", own_key)
        if len(operators) != 1:
            return None
        operator = operators[0]
        raw_value = value[operator]
        if operator in ("in", "not_in"):
            if not isinstance(raw_value, list) or not raw_value:
                self.error(_join(path, operator), _("must be a non-empty list"))
                return None
            values = [_yes_no(v) for v in raw_value]
        else:
            values = [_yes_no(raw_value)]
        if target is not None:
            self.check_show_if_values(target, values, _join(path, operator))
        return {"item": value.get("item"), "operator": operator,
                "value": values if operator in ("in", "not_in") else values[0]}

    def show_if_target(self, key: Any, path: str, own_key: str | None) -> dict | None:
        """The earlier item a show_if names, or None (with an error unless it was itself invalid)."""
        if key is MISSING:
            return None
        if not isinstance(key, str):
            self.error(path, _("must be the key of an item above this one") + self.quote_hint(key, path))
        elif key == own_key:
            self.error(path, _("an item cannot depend on itself"))
        elif key in self.earlier:
            target = self.earlier[key]
            if target is not None and target["type"] not in SHOW_IF_TARGETS:
                self.error(path, _("show_if cannot test a %(type)s item; it can test: %(types)s",
                                   type=target["type"], types=", ".join(SHOW_IF_TARGETS)))
                return None
            return target
        elif key in self.all_item_keys:
            self.error(path, _("names item %(item)s, which comes later: show_if may only name an item above it",
                               item=key))
        else:
            self.error(path, _("names item %(item)s, which does not exist in this checklist", item=key))
        return None

    def check_show_if_values(self, target: dict, values: list, path: str) -> None:
        kind = target["type"]
        if kind in ("count", "number", "scale"):
            if not all(_is_number(v) for v in values):
                self.error(path, _("must compare with a number: %(item)s is a %(type)s item",
                                   item=target["key"], type=kind))
            return
        allowed = {"pass_fail": ("pass", "fail"), "yes_no": ("yes", "no")}.get(kind)
        if allowed is None:  # choice, multi_choice
            allowed = tuple(o["key"] for o in target["options"] if o["key"] is not None)
            if not allowed:
                return  # the target's own options are in error
        for v in values:
            if v not in allowed:
                self.error(path, _("%(value)s is not a possible answer of %(item)s; possible: %(allowed)s",
                                   value=repr(v), item=target["key"], allowed=", ".join(allowed)))
