"""URL converters: a number in a URL that cannot be a row id is not found.

Every `<int:…>` in a route is a row id. A larger number (a mistyped or
hostile URL) would overflow SQLite's driver, a 500; it gets the plain 404
instead, before any view runs.
"""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

from .models.types import MAX_ROW_ID


class RowIdConverter(IntegerConverter):
    """`<int:…>` up to the largest row id (werkzeug's arguments, with `max` set)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ROW_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app: Flask) -> None:
    """Before any blueprint adds its rules."""
    app.url_map.converters["int"] = RowIdConverter
