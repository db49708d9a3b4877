"""The audit trail: every state change records who did what.

Entries are added in the caller's transaction and chained after it commits
("sealed"): each sealed entry gets the next `seq` and a SHA-256 over its
content and the previous entry's hash. The unique `seq` makes two sealers
that race fail instead of forking the chain; the loser retries. `verify()`
walks the chain and names every altered or removed entry.

Sealing is a transaction of its own. With AUDIT_SEAL_DELAY_S > 0 (the
default, 1 s) a process seals at most once per that delay, from a timer
thread, all entries pending by then — under load one seal covers many
requests instead of adding a transaction to each. With 0 every commit seals
at once. Entries left pending by a process that dies are sealed by the next
seal anywhere, and `kiemtra audit verify` seals before it checks.
"""
from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...extensions import db
from ...models import AuditEvent
from . import deferred

GENESIS = "0" * 64
_SEAL_LOCK = 7202  # advisory lock: one sealer at a time on PostgreSQL


def record(actor, action: str, obj=None, **details) -> AuditEvent:
    """Add an audit entry to the session (the caller's transaction commits it)."""
    entry = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=str(obj.id) if getattr(obj, "id", None) is not None else None,
        details=details or None,
    )
    db.session.add(entry)
    db.session.info["kiemtra.audit_pending"] = True
    return entry


def entry_hash(prev_hash: str, seq: int, row) -> str:
    content = json.dumps(
        {
            "seq": seq,
            "id": row.id,
            "at": row.created_at.isoformat(),
            "actor": row.actor_id,
            "action": row.action,
            "object": [row.object_type, row.object_id],
            "details": row.details,
        },
        sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


def seal_pending(engine, *, batch: int = 500, attempts: int = 10) -> int:
    """Chain every committed entry that is not chained yet; returns how many."""
    sealed = 0
    for _ in range(attempts):
        try:
            with Session(engine) as session, session.begin():
                if engine.dialect.name == "postgresql" and not session.scalar(
                        sa.select(sa.func.pg_try_advisory_xact_lock(_SEAL_LOCK))):
                    return sealed  # another sealer is at work and will take these entries too
                head = session.execute(
                    sa.select(AuditEvent.seq, AuditEvent.hash)
                    .where(AuditEvent.seq.is_not(None)).order_by(AuditEvent.seq.desc()).limit(1)
                ).first()
                seq, prev = (head.seq, head.hash) if head else (0, GENESIS)
                pending = session.scalars(
                    sa.select(AuditEvent).where(AuditEvent.seq.is_(None)).order_by(AuditEvent.id).limit(batch)
                ).all()
                for row in pending:
                    seq += 1
                    row.seq, row.prev_hash = seq, prev
                    row.hash = prev = entry_hash(prev, seq, row)
            sealed += len(pending)
            if len(pending) < batch:
                return sealed
        except IntegrityError:
            continue  # another sealer took these numbers first; start again from its head
    return sealed


@dataclass(frozen=True)
class ChainProblem:
    seq: int | None
    entry_id: int | None
    message: str

    def __str__(self) -> str:
        return f"seq {self.seq} (entry {self.entry_id}): {self.message}"


def verify(session) -> tuple[int, list[ChainProblem]]:
    """Walk the chain; returns (entries checked, problems found)."""
    problems: list[ChainProblem] = []
    expected_seq, prev = 1, GENESIS
    checked = 0
    rows = session.execute(sa.select(AuditEvent).where(AuditEvent.seq.is_not(None)).order_by(AuditEvent.seq))
    for row in rows.scalars():
        checked += 1
        if row.seq != expected_seq:
            problems.append(ChainProblem(row.seq, row.id, f"entries {expected_seq}..{row.seq - 1} are missing"))
        elif row.prev_hash != prev:
            problems.append(ChainProblem(row.seq, row.id, "the link to the previous entry is broken"))
        if row.hash != entry_hash(row.prev_hash or "", row.seq, row):
            problems.append(ChainProblem(row.seq, row.id, "the entry was altered after it was recorded"))
        expected_seq, prev = row.seq + 1, row.hash
    return checked, problems


# Seal the entries of every transaction soon after it commits.
deferred.after_commit_of("kiemtra.audit_pending", "audit seal", "AUDIT_SEAL_DELAY_S",
                         lambda session: functools.partial(seal_pending, session.get_bind()))
