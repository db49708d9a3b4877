"""JSON request bodies: read once, before any view, within limits the app can hold.

Python's json module fails on hostile but small bodies in ways that are not
the sender's "bad JSON": an integer of more than 4,300 digits raises a
ValueError from int(), nesting a few thousand levels deep a RecursionError.
Every JSON body is therefore parsed here first, by `loads`, and refused with
a 400 in the user's language, so no view, API schema or stored answer ever
sees one. The API's argument parser (webargs) reads the same bytes again;
it then only meets bodies that passed here.
"""
from __future__ import annotations

import json
from typing import Any

from flask import Flask, Request, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import format_decimal
from flask_babel import gettext as _

from .errors import user_error

# A submission nests four levels (body → answers → answer → ratio); stored
# answers must also be readable back deep inside a request's stack.
MAX_DEPTH = 32
# Python's default int limit, held here whatever the interpreter is set to:
# converting longer digit strings costs quadratic time.
MAX_INT_DIGITS = 4300
# A 200-item checklist with every note and 50 findings written to their
# maximum length is under 3 MB; photos are uploaded separately.
MAX_BYTES = 5 * 1024 * 1024


class InvalidBody(ValueError):
    """A body that is not JSON the app can hold; the message is for the user."""


def loads(data: str | bytes, **kwargs: Any) -> Any:
    """json.loads that raises InvalidBody for anything it refuses."""
    try:
        value = json.loads(data, parse_int=_parse_int, **kwargs)
    except InvalidBody:
        raise
    except RecursionError:
        raise InvalidBody(_too_deep()) from None
    except ValueError as error:  # includes JSONDecodeError and UnicodeDecodeError
        raise InvalidBody(_("The request body is not valid JSON.")) from error
    if _deeper_than(value, MAX_DEPTH):
        raise InvalidBody(_too_deep())
    return value


def _parse_int(digits: str) -> int:
    if len(digits) - digits.startswith("-") > MAX_INT_DIGITS:
        raise InvalidBody(_("The request body holds a number longer than %(digits)s digits.",
                            digits=format_decimal(MAX_INT_DIGITS)))
    return int(digits)


def _too_deep() -> str:
    return _("The request body nests data more than %(depth)d levels deep.", depth=MAX_DEPTH)


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether lists and objects nest more than `limit` levels (without recursion)."""
    pending = [(value, 1)]
    while pending:
        node, depth = pending.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


class JSONProvider(DefaultJSONProvider):
    """The app's JSON, whose `loads` (what request.get_json() calls) is the one above."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s, **kwargs)


class JSONRequest(Request):
    """Flask's request, refusing a body `loads` refused with its message, in the user's language."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if isinstance(e, InvalidBody):
            raise user_error(400, str(e))
        return super().on_json_loading_failed(e)


def read_json_body() -> None:
    """Parse a JSON body before the view runs, so no view or API schema meets one the app cannot hold."""
    if not request.is_json:
        return
    limit = min(MAX_BYTES, request.max_content_length or MAX_BYTES)
    if (request.content_length or 0) > limit:
        raise user_error(413, _("The request body is larger than %(size)s MB.",
                                size=format_decimal(round(limit / (1024 * 1024), 1))))
    request.max_content_length = limit  # a body sent without a length stops being read there
    if request.get_data(cache=True):
        request.get_json()


def init_app(app: Flask) -> None:
    app.json = JSONProvider(app)
    app.request_class = JSONRequest
    app.before_request(read_json_body)
