"""What differs between SQLite and PostgreSQL, absorbed in one place.

- JSON: JSON on SQLite, JSONB on PostgreSQL; Python None is SQL NULL on both
  (not a JSON `null`), so `column.is_(None)` finds every row without a value.
  Objects come back equal but JSONB does not keep the order of their keys:
  where order matters, store a list.
- Timezone-aware datetimes: SQLite keeps no zone, so values are stored as
  naive UTC on both and handed back aware (UTC).
- Case- and accent-insensitive text search: SQLite's lower() folds only ASCII
  ("Đ" stays "Đ") and PostgreSQL's depends on the server's locale, so searched
  names are folded in Python (`fold`) into a stored column and compared there.

Deadlines are computed in Python (services/remediation/deadlines.py) and compared with
bound dates; duplicate client UUIDs are refused by unique constraints
(services/foundation/idempotency.py).
"""
import unicodedata
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

JSONType = sa.JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")

# Ids are INTEGER columns: PostgreSQL's upper bound, far inside SQLite's. A
# larger number in a URL or a query names no row (and would overflow SQLite).
MAX_ROW_ID = 2**31 - 1


class UTCDateTime(sa.types.TypeDecorator):
    """A datetime stored as UTC and always returned timezone-aware (UTC)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware datetime (UTC)")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def fold(text: str) -> str:
    """The form of a text used for searching: lower case, no diacritics, đ as d,
    single spaces ("Phường  Ba Đình" → "phuong ba dinh")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("đ", "d"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())
