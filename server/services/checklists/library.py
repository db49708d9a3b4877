"""Importing checklist files as immutable, versioned definitions."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import Checklist, ChecklistStatus, ChecklistVersion, Inspection
from ...models.types import utcnow
from ..foundation import audit
from .definition import ChecklistError, content_hash
from .formats import SUFFIXES, load_checklist


@dataclass(frozen=True)
class ImportOutcome:
    path: str
    key: str | None
    action: str  # created | new_version | unchanged | invalid
    version: int | None = None
    errors: tuple[ChecklistError, ...] = ()


def checklist_files(paths: list[str | Path]) -> list[Path]:
    """Expand folders to the checklist files (YAML, XLSX) in them, in a stable order."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            # "~$name.xlsx" is the lock file Excel leaves beside an open workbook.
            files.extend(sorted(f for f in p.iterdir() if f.suffix.lower() in SUFFIXES and not f.name.startswith("~$")))
        else:
            files.append(p)
    return files


def import_checklist(path: str | Path, actor=None) -> ImportOutcome:
    """Import one file: a new version only when its content changed.

    Each file is imported in its own savepoint, so an invalid file leaves
    nothing behind.
    """
    definition, errors = load_checklist(path)
    if errors:
        return ImportOutcome(str(path), None, "invalid", errors=tuple(errors))
    return publish(definition, Path(path).name, actor, source=str(path))


def publish(definition: dict, source_name: str, actor=None, *, source: str | None = None) -> ImportOutcome:
    """Publish a validated definition: a new version of its checklist, unless a version
    with the same content exists (a published version never changes)."""
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
    where = source or source_name
    if existing is not None:
        return ImportOutcome(where, key, "unchanged", existing.number)
    last = db.session.scalar(
        sa.select(sa.func.max(ChecklistVersion.number)).where(ChecklistVersion.checklist_id == checklist.id)
    )
    version = ChecklistVersion(
        checklist=checklist,
        number=(last or 0) + 1,
        content_hash=digest,
        definition=definition,
        source_name=source_name[:255],
    )
    db.session.add(version)
    db.session.flush()
    audit.record(actor, "checklist.import", version, key=key, number=version.number, hash=digest)
    return ImportOutcome(where, key, "created" if last is None else "new_version", version.number)


def retire(checklist: Checklist, actor) -> None:
    """Take a checklist out of new plans; it stays readable and its inspections keep working."""
    if checklist.status == ChecklistStatus.RETIRED:
        return
    checklist.status, checklist.retired_at = ChecklistStatus.RETIRED, utcnow()
    audit.record(actor, "checklist.retire", checklist, key=checklist.key)


def reinstate(checklist: Checklist, actor) -> None:
    """Offer a retired checklist for new plans again."""
    if checklist.status == ChecklistStatus.PUBLISHED:
        return
    checklist.status, checklist.retired_at = ChecklistStatus.PUBLISHED, None
    audit.record(actor, "checklist.reinstate", checklist, key=checklist.key)


def all_checklists() -> list[Checklist]:
    """Every checklist with its versions, in key order."""
    return list(db.session.scalars(sa.select(Checklist).options(selectinload(Checklist.versions))
                                   .order_by(Checklist.key)))


def get_checklist(key: str) -> Checklist | None:
    return db.session.scalar(sa.select(Checklist).where(Checklist.key == key))


def get_version(key: str, number: int) -> ChecklistVersion | None:
    return db.session.scalar(sa.select(ChecklistVersion).join(Checklist)
                             .where(Checklist.key == key, ChecklistVersion.number == number))


def inspection_counts(version_ids: list[int]) -> dict[int, int]:
    """Version id -> how many inspections use it."""
    if not version_ids:
        return {}
    rows = db.session.execute(sa.select(Inspection.checklist_version_id, sa.func.count())
                              .where(Inspection.checklist_version_id.in_(version_ids))
                              .group_by(Inspection.checklist_version_id))
    return {version_id: n for version_id, n in rows}


def current_version(key: str) -> ChecklistVersion | None:
    return db.session.scalar(
        sa.select(ChecklistVersion)
        .join(Checklist)
        .where(Checklist.key == key)
        .order_by(ChecklistVersion.number.desc())
        .limit(1)
    )
