"""Case- and accent-insensitive search ("ba dinh", "BA ĐÌNH" and "Đình" all find
"Phường Ba Đình"), the same on SQLite and PostgreSQL: both sides are folded in
Python (models.types.fold) and compared with a plain LIKE on a stored column."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ...extensions import db
from ...models import Unit
from ...models.types import fold

__all__ = ["fold", "provinces", "search_units", "province_of"]


def search_units(query: str, *, valid_on: date | None = None, limit: int = 50,
                 kinds: list[str] | None = None, province_id: int | None = None) -> list[Unit]:
    """Units whose name contains every word of `query`, or whose code is `query`.

    With `valid_on`, only units that exist on that day (not yet merged away);
    with `kinds`, only units of those kinds; with `province_id`, only that
    province and the units under it (two levels: its communes and their offices).
    """
    words = fold(query).split()
    if not words:
        return []
    by_name = sa.and_(*(Unit.name_folded.contains(word, autoescape=True) for word in words))
    stmt = sa.select(Unit).where(sa.or_(by_name, Unit.code == query.strip()))
    if kinds:
        stmt = stmt.where(Unit.kind.in_(kinds))
    if province_id is not None:
        children = sa.select(Unit.id).where(Unit.parent_id == province_id)
        stmt = stmt.where(sa.or_(Unit.id == province_id, Unit.parent_id == province_id,
                                 Unit.parent_id.in_(children.scalar_subquery())))
    if valid_on is not None:
        stmt = stmt.where(
            sa.or_(Unit.valid_from.is_(None), Unit.valid_from <= valid_on),
            sa.or_(Unit.valid_to.is_(None), Unit.valid_to > valid_on),
        )
    return list(db.session.scalars(stmt.order_by(Unit.name_folded, Unit.id).limit(limit)))


def provinces(valid_on: date | None = None) -> list[Unit]:
    """The provinces (units of kind "province"), by name, for narrowing a search."""
    stmt = sa.select(Unit).where(Unit.kind == "province")
    if valid_on is not None:
        stmt = stmt.where(sa.or_(Unit.valid_to.is_(None), Unit.valid_to > valid_on))
    return list(db.session.scalars(stmt.order_by(Unit.name_folded, Unit.id)))


def province_of(unit: Unit) -> Unit | None:
    """The province a unit is in (itself for a province), following its parents."""
    seen = 0
    while unit is not None and unit.kind != "province" and seen < 5:
        unit, seen = unit.parent, seen + 1
    return unit if unit is not None and unit.kind == "province" else None
