"""Structured logging: one JSON object per line, with the request's id.

On by default outside debug mode and tests (LOG_FORMAT = "json"); set
KIEMTRA_LOG_FORMAT=text for plain lines.
"""
from __future__ import annotations

import json
import logging
import time
import uuid

from flask import Flask, g, has_request_context, request


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context():
            entry["request_id"] = g.get("request_id")
            entry["method"], entry["path"] = request.method, request.path
        for key in ("status", "duration_ms", "user_id"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def init_app(app: Flask) -> None:
    if app.config.get("LOG_FORMAT", "json") == "json" and not app.debug and not app.testing:
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        app.logger.handlers[:] = [handler]
        app.logger.setLevel(str(app.config.get("LOG_LEVEL", "INFO")).upper())
        app.logger.propagate = False

    @app.before_request
    def _start():
        # An id from the proxy is kept, so its log and ours can be joined.
        g.request_id = (request.headers.get("X-Request-ID") or uuid.uuid4().hex)[:64]
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response):
        response.headers.setdefault("X-Request-ID", g.get("request_id", ""))
        if response.status_code >= 500 or app.config.get("LOG_REQUESTS"):
            from flask_login import current_user

            app.logger.info(
                "%s %s %s", request.method, request.path, response.status_code,
                extra={"status": response.status_code,
                       "duration_ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1),
                       "user_id": getattr(current_user, "id", None)},
            )
        return response
