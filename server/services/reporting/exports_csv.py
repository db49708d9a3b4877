"""Summary tables as CSV: UTF-8 with a byte-order mark (so Excel reads Vietnamese), streamed."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime

from .exports import Table

FLUSH_ROWS = 500
# What a spreadsheet may read as the start of a formula (OWASP's CSV injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value  # a text cell never becomes a formula in a spreadsheet
    return value


def stream(table: Table) -> Iterator[str]:
    """The table as CSV text, chunk by chunk; the first chunk starts with the BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(table.header)
    for n, row in enumerate(table.rows(), 1):
        writer.writerow([_cell(v) for v in row])
        if n % FLUSH_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
