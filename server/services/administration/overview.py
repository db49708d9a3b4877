"""What the administrator's home shows: counts, and what needs attention.

Each part is read on its own so that one failing (a storage that cannot be
listed, say) leaves the others on the page.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

from ...extensions import db
from ...models import AuditEvent, Inspection, RemediationAction, Team, Unit, User
from ..directory import auth as auth_service
from ..evidence import files as evidence_files
from ..foundation import audit
from ..reporting import export_jobs
from . import backup as backup_service

# A backup older than this is shown as a warning.
BACKUP_WARN_AFTER = timedelta(days=7)


@dataclass
class Counts:
    users_active: int
    users_inactive: int
    teams: int
    units: int
    inspections: int
    open_actions: int


@dataclass
class AuditState:
    sealed: int
    pending: int
    last_check: AuditEvent | None


@dataclass
class Attention:
    locked: list[tuple[str, datetime]] = field(default_factory=list)
    missing_files: int | None = None  # None: the storage could not be checked
    orphan_files: int | None = None
    failed_jobs: list[dict] = field(default_factory=list)
    waiting_jobs: list[dict] = field(default_factory=list)


def counts() -> Counts:
    by_active = dict(db.session.execute(sa.select(User.active, sa.func.count()).group_by(User.active)).all())
    return Counts(
        users_active=by_active.get(True, 0),
        users_inactive=by_active.get(False, 0),
        teams=db.session.scalar(sa.select(sa.func.count()).select_from(Team)),
        units=db.session.scalar(sa.select(sa.func.count()).select_from(Unit).where(Unit.valid_to.is_(None))),
        inspections=db.session.scalar(sa.select(sa.func.count()).select_from(Inspection)),
        open_actions=db.session.scalar(
            sa.select(sa.func.count()).select_from(RemediationAction).where(RemediationAction.closed_at.is_(None))),
    )


def audit_state() -> AuditState:
    sealed, pending = db.session.execute(
        sa.select(sa.func.count(AuditEvent.seq), sa.func.count() - sa.func.count(AuditEvent.seq))
    ).one()
    last = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "audit.verify").order_by(AuditEvent.id.desc()).limit(1))
    return AuditState(sealed=sealed, pending=pending, last_check=last)


def verify_audit(actor) -> tuple[int, list[audit.ChainProblem]]:
    """Seal what is pending, walk the chain, and record that it was checked and what was found."""
    audit.seal_pending(db.engine)
    checked, problems = audit.verify(db.session)
    audit.record(actor, "audit.verify", None, checked=checked, problems=len(problems),
                 first_problem=str(problems[0]) if problems else None)
    return checked, problems


def attention(storage, throttle: auth_service.Throttle, now: datetime) -> Attention:
    found = Attention(locked=auth_service.locked_accounts(now, throttle))
    try:
        report = evidence_files.check_consistency(storage)
        found.missing_files, found.orphan_files = len(report.missing_files), len(report.orphan_files)
    except OSError:
        pass
    for job in export_jobs.all_statuses():
        if job.get("status") == "failed" or export_jobs.is_stale(job):
            found.failed_jobs.append(job)
        elif job.get("status") in ("queued", "running"):
            found.waiting_jobs.append(job)
    return found


@dataclass
class LastBackup:
    path: Path
    at: datetime
    size: int

    @property
    def old(self) -> bool:
        return datetime.now(timezone.utc) - self.at > BACKUP_WARN_AFTER


def last_backup(folder: Path) -> LastBackup | None:
    found = backup_service.latest(folder)
    if found is None:
        return None
    stat = found.stat()
    return LastBackup(found, datetime.fromtimestamp(stat.st_mtime, timezone.utc), stat.st_size)


def job_started(job: dict) -> datetime:
    return datetime.fromtimestamp(job.get("started") or time.time(), timezone.utc)
