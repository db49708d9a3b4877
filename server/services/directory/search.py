"""Case- and accent-insensitive search ("ba dinh", "BA ĐÌNH" and "Đình" all find
"Phường Ba Đình"), the same on SQLite and PostgreSQL: both sides are folded in
Python (models.types.fold) and compared with a plain LIKE on a stored column."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ...extensions import db
from ...models import Unit
from ...models.types import fold

__all__ = ["fold", "search_units"]


def search_units(query: str, *, valid_on: date | None = None, limit: int = 50) -> list[Unit]:
    """Units whose name contains every word of `query`, or whose code is `query`.

    With `valid_on`, only units that exist on that day (not yet merged away).
    """
    words = fold(query).split()
    if not words:
        return []
    by_name = sa.and_(*(Unit.name_folded.contains(word, autoescape=True) for word in words))
    stmt = sa.select(Unit).where(sa.or_(by_name, Unit.code == query.strip()))
    if valid_on is not None:
        stmt = stmt.where(
            sa.or_(Unit.valid_from.is_(None), Unit.valid_from <= valid_on),
            sa.or_(Unit.valid_to.is_(None), Unit.valid_to > valid_on),
        )
    return list(db.session.scalars(stmt.order_by(Unit.name_folded, Unit.id).limit(limit)))
