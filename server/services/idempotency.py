"""Idempotent inserts of client-identified rows (inspections, findings, evidence).

A phone re-sends what it is not sure arrived. Rows it creates carry a
client-generated UUID under a unique constraint, and the database decides which
of two racing inserts wins — not a look-up before the insert, which two
requests can pass at the same time.
"""
from __future__ import annotations

from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..extensions import db

Row = TypeVar("Row")


def insert_once(model: type[Row], uuid: str, **fields) -> tuple[Row, bool]:
    """Insert a `model` row with `uuid`, or return the row that already has it.

    Returns (row, created). The INSERT runs in a savepoint, so a refusal by the
    unique constraint leaves the caller's transaction usable; the existing row
    is then read. Other integrity errors (a missing parent, say) are raised.
    The fields of an existing row are left as they are.
    """
    try:
        with db.session.begin_nested():
            # Built inside the savepoint: a relationship in `fields` cascades
            # the row into the session, and it must be flushed in here.
            row = model(uuid=uuid, **fields)
            db.session.add(row)
    except IntegrityError:
        existing = db.session.scalar(sa.select(model).where(model.uuid == uuid))
        if existing is None:
            raise
        return existing, False
    return row, True
