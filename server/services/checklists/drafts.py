"""Uploads waiting to be published: a valid checklist kept on the server between
its preview and its publication, owned by whoever uploaded it.

A draft is a JSON file under the instance folder, named by a random token; the
publish request names the token, never carries the checklist itself. Drafts
older than a day are removed when a new one is saved.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

MAX_AGE_S = 24 * 3600
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


@dataclass(frozen=True)
class Draft:
    token: str
    owner_id: int
    source_name: str
    definition: dict
    saved_at: float


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "checklist-drafts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save(definition: dict, *, owner_id: int, source_name: str) -> Draft:
    """Keep a validated definition for its owner; the token names it from now on."""
    folder = _folder()
    now = time.time()
    for old in folder.glob("*.json"):
        try:
            if now - old.stat().st_mtime > MAX_AGE_S:
                old.unlink()
        except OSError:
            pass  # another request removed it first
    token = secrets.token_urlsafe(24)
    draft = Draft(token, owner_id, source_name, definition, now)
    temporary = folder / f".{token}.tmp"
    temporary.write_text(json.dumps({"owner_id": owner_id, "source_name": source_name, "saved_at": now,
                                     "definition": definition}, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, folder / f"{token}.json")
    return draft


def load(token: str, *, owner_id: int) -> Draft | None:
    """The owner's draft named `token`; None if there is none (or it is someone else's, or too old)."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    path = _folder() / f"{token}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("owner_id") != owner_id or time.time() - data.get("saved_at", 0) > MAX_AGE_S:
        return None
    return Draft(token, owner_id, data["source_name"], data["definition"], data["saved_at"])


def discard(token: str) -> None:
    if _TOKEN.fullmatch(token or ""):
        (_folder() / f"{token}.json").unlink(missing_ok=True)
