"""Importing checklist files as immutable, versioned definitions."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from ...extensions import db
from ...models import Checklist, ChecklistVersion
from ..foundation import audit
from .definition import ChecklistError, content_hash, load_checklist_file


@dataclass(frozen=True)
class ImportOutcome:
    path: str
    key: str | None
    action: str  # created | new_version | unchanged | invalid
    version: int | None = None
    errors: tuple[ChecklistError, ...] = ()


def checklist_files(paths: list[str | Path]) -> list[Path]:
    """Expand folders to the YAML files in them, in a stable order."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted([*p.glob("*.yaml"), *p.glob("*.yml")]))
        else:
            files.append(p)
    return files


def import_checklist(path: str | Path, actor=None) -> ImportOutcome:
    """Import one file: a new version only when its content changed.

    Each file is imported in its own savepoint, so an invalid file leaves
    nothing behind.
    """
    definition, errors = load_checklist_file(path)
    if errors:
        return ImportOutcome(str(path), None, "invalid", errors=tuple(errors))
    digest = content_hash(definition)
    key = definition["key"]
    checklist = db.session.scalar(sa.select(Checklist).where(Checklist.key == key))
    if checklist is None:
        checklist = Checklist(key=key)
        db.session.add(checklist)
        db.session.flush()
    existing = db.session.scalar(
        sa.select(ChecklistVersion).where(
            ChecklistVersion.checklist_id == checklist.id, ChecklistVersion.content_hash == digest
        )
    )
    if existing is not None:
        return ImportOutcome(str(path), key, "unchanged", existing.number)
    last = db.session.scalar(
        sa.select(sa.func.max(ChecklistVersion.number)).where(ChecklistVersion.checklist_id == checklist.id)
    )
    version = ChecklistVersion(
        checklist=checklist,
        number=(last or 0) + 1,
        content_hash=digest,
        definition=definition,
        source_name=Path(path).name,
    )
    db.session.add(version)
    db.session.flush()
    audit.record(actor, "checklist.import", version, key=key, number=version.number, hash=digest)
    return ImportOutcome(str(path), key, "created" if last is None else "new_version", version.number)


def current_version(key: str) -> ChecklistVersion | None:
    return db.session.scalar(
        sa.select(ChecklistVersion)
        .join(Checklist)
        .where(Checklist.key == key)
        .order_by(ChecklistVersion.number.desc())
        .limit(1)
    )
