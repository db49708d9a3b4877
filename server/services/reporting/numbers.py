"""The register of document numbers (sổ đăng ký văn bản): each issued
document gets the next number of its symbol and year, from 01, never reused.

A number is given when the document is issued (the notice when published,
the minutes when the inspection is submitted, the conclusion notice when
issued) and kept with it. Two documents issued at the same moment cannot get
the same number: the register's unique (symbol, year, number) refuses the
second insert, which is retried in a savepoint with the next number — on
PostgreSQL the second waits for the first to commit, on SQLite writers take
turns.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import DocumentNumber, Inspection
from ..foundation import settings as org_settings

SYMBOL_SETTING = {"minutes": "MINUTES_SYMBOL", "notice": "NOTICE_SYMBOL", "conclusion": "CONCLUSION_SYMBOL"}
ATTEMPTS = 20


def find(kind: str, inspection: Inspection) -> DocumentNumber | None:
    return db.session.scalar(sa.select(DocumentNumber).where(
        DocumentNumber.kind == kind, DocumentNumber.inspection_id == inspection.id))


def assign(kind: str, inspection: Inspection, issued_on: date) -> DocumentNumber:
    """The document's number: the one it already has, else the next of its symbol in `issued_on`'s year."""
    existing = find(kind, inspection)
    if existing is not None:
        return existing
    symbol = org_settings.get(SYMBOL_SETTING[kind])
    for _attempt in range(ATTEMPTS):
        try:
            # The savepoint first: on SQLite it takes the write lock (BEGIN IMMEDIATE,
            # extensions.py) before the last number is read, so the read is not stale.
            with db.session.begin_nested():
                last = db.session.scalar(sa.select(sa.func.max(DocumentNumber.number)).where(
                    DocumentNumber.symbol == symbol, DocumentNumber.year == issued_on.year)) or 0
                row = DocumentNumber(kind=kind, symbol=symbol, year=issued_on.year, number=last + 1,
                                     inspection_id=inspection.id, issued_on=issued_on)
                db.session.add(row)
        except IntegrityError:
            # Taken meanwhile: by another document (try the next number) or
            # this very one, issued by a second request at the same time.
            existing = find(kind, inspection)
            if existing is not None:
                return existing
            continue
        return row
    raise RuntimeError(f"no free {symbol} number after {ATTEMPTS} attempts")


def printed(row: DocumentNumber | None, symbol: str) -> str:
    """"01/BB-ĐKT" — or "…/BB-ĐKT" for a document not issued yet (a draft)."""
    if row is None:
        return f"…/{symbol}"
    return f"{row.number:02d}/{row.symbol}"
