"""HTML forms that send files: an upload over the size limit is refused on the
same form, with what was typed beside the files kept.

Werkzeug refuses a body over MAX_CONTENT_LENGTH before reading any of it, so
a view reading `request.form` would lose the note typed with the files.
`read_form` reads, in that case, only the text fields sent before the first
file (the forms put their fields above the file input, and browsers send
fields in page order) — never more than TEXT_BYTES of them — then drains the
rest of the body within DRAIN_BYTES, so the browser that is still sending
receives the answer instead of a broken connection.
"""
from __future__ import annotations

from flask import current_app, request
from flask_babel import format_decimal
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData
from werkzeug.wsgi import get_input_stream

# The text fields of a form (a note, a few hidden fields) fit well within this.
TEXT_BYTES = 256 * 1024
# An over-size body is read (and dropped) up to this many times the limit;
# past it, the connection is closed unread.
DRAIN_FACTOR = 10
_CHUNK = 64 * 1024


def limit_bytes() -> int:
    return current_app.config.get("MAX_CONTENT_LENGTH") or 0


def limit_megabytes() -> str:
    """The upload limit as a reader writes it ("20"), in their locale."""
    return format_decimal(round(limit_bytes() / (1024 * 1024), 1))


def too_large_message() -> str:
    return _("The files are too large to send: at most %(size)s MB can be sent at once. Nothing was saved; "
             "what you wrote is kept below. Choose smaller or fewer files.", size=limit_megabytes())


def read_form() -> tuple[MultiDict, bool]:
    """The posted form, and whether its files were refused as too large.

    When they were, the form holds only the text fields sent before the files.
    """
    try:
        return request.form, False
    except RequestEntityTooLarge:
        return _fields_before_files(), True


def _fields_before_files() -> MultiDict:
    mimetype, options = parse_options_header(request.headers.get("Content-Type", ""))
    boundary = options.get("boundary")
    stream = get_input_stream(request.environ, max_content_length=None)
    fields: MultiDict = MultiDict()
    if mimetype == "multipart/form-data" and boundary:
        decoder = MultipartDecoder(boundary.encode("latin-1"), max_form_memory_size=TEXT_BYTES)
        name, parts, read = None, [], 0
        try:
            while read <= TEXT_BYTES:
                event = decoder.next_event()
                if isinstance(event, NeedData):
                    chunk = stream.read(min(_CHUNK, TEXT_BYTES + 1 - read))
                    read += len(chunk)
                    decoder.receive_data(chunk or None)
                elif isinstance(event, Field):
                    name, parts = event.name, []
                elif isinstance(event, Data) and name is not None:
                    parts.append(event.data)
                    if not event.more_data:
                        fields.add(name, b"".join(parts).decode("utf-8", "replace"))
                        name = None
                elif isinstance(event, (File, Epilogue)):
                    break
        except (ValueError, RequestEntityTooLarge):
            pass  # a malformed or overlong text part: keep what was read
    _drain(stream)
    return fields


def _drain(stream) -> None:
    left = limit_bytes() * DRAIN_FACTOR
    while left > 0:
        chunk = stream.read(min(_CHUNK, left))
        if not chunk:
            return
        left -= len(chunk)
