"""Idempotent inserts of client-identified rows (submissions).

A phone re-sends what it is not sure arrived. Rows it creates carry a
client-generated UUID under a unique constraint, and the database decides which
of two racing inserts wins — not a look-up before the insert, which two
requests can pass at the same time.
"""
from __future__ import annotations

from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ...extensions import db

Row = TypeVar("Row")


def insert_once(model: type[Row], uuid: str, **fields) -> tuple[Row, bool]:
    """Insert a `model` row with `uuid` (column values only), or return the row
    that already has it.

    Returns (row, created). One `INSERT ... ON CONFLICT (uuid) DO NOTHING
    RETURNING` statement: when another transaction holds or committed the same
    UUID, the database waits for it and inserts nothing, and the existing row
    is then read. Other integrity errors (a missing parent, say) are raised.
    The fields of an existing row are left as they are.

    The row is inserted by a statement, not flushed: the session's flush
    listeners do not see it, so this is not for the rows they follow
    (inspections and actions, services/reporting/totals.py).
    """
    dialect_insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = (dialect_insert(model).values(uuid=uuid, **fields)
            .on_conflict_do_nothing(index_elements=[model.uuid]).returning(model))
    row = db.session.scalars(stmt).first()
    if row is not None:
        return row, True
    existing = db.session.scalar(sa.select(model).where(model.uuid == uuid))
    if existing is None:  # the conflicting row was deleted meanwhile
        raise LookupError(f"{model.__name__} {uuid} conflicted but cannot be read")
    return existing, False
