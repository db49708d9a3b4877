"""The inspector's phone app: its shell, message catalogue, manifest and service worker.

The shell holds no user data, so it is public: the app asks
/api/me itself and sends the inspector to /login when the server says so.
The service worker is served at the root so that its scope covers /app; its
cache version is a hash of every file it caches, so any change to the app
makes phones fetch the new one.
"""
from __future__ import annotations

import hashlib
import json
from functools import cache

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from flask_login import current_user

from .. import MOBILE_WEB
from ..permissions import can
from .field_messages import messages

bp = Blueprint("fieldapp", __name__)

JS_MODULES = ("app.js", "dom.js", "i18n.js", "store.js", "connection.js", "outbox.js", "form.js", "photo.js",
              "exif.js", "signature.js", "view-home.js", "view-inspection.js", "view-record.js", "draft.js",
              "dates.js", "date-echo.js")
CSS = ("app.css", "field.css")
ICONS = ("icon.svg", "icon-192.png", "icon-512.png")


def shell_urls() -> list[str]:
    """Everything the app needs to open with the network off."""
    return [
        url_for("fieldapp.shell"), url_for("fieldapp.catalogue"), url_for("fieldapp.manifest"),
        *(url_for("static", filename=f"css/{name}") for name in CSS),
        *(url_for("static", filename=f"js/{name}") for name in JS_MODULES),
        *(url_for("static", filename=f"icons/{name}") for name in ICONS),
    ]


@cache
def _assets_hash(static_folder: str) -> str:
    digest = hashlib.sha256()
    for path in sorted((MOBILE_WEB / "static").rglob("*")) + sorted((MOBILE_WEB / "templates" / "app").rglob("*")):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    digest.update((MOBILE_WEB / "sw.js").read_bytes())
    return digest.hexdigest()[:12]


def cache_version() -> str:
    if current_app.debug:
        _assets_hash.cache_clear()
    return _assets_hash(current_app.static_folder or "")


@bp.get("/app")
def shell():
    """The app shell (public: the data comes from the API).

    A unit officer who follows a link to it is told whose app it is and sent
    to the unit's portal (the app itself says the same if its shell was cached)."""
    if can(current_user, "portal.view"):
        flash(_("The phone app is the inspectors'. Your unit's inspections and remediation are here, in the unit portal."),
              "info")
        return redirect(url_for("portal.home"))
    return render_template("app/shell.html", version=cache_version())


@bp.get("/app/messages.json")
def catalogue():
    """The app's texts in the current language."""
    return Response(json.dumps(messages(), ensure_ascii=False), mimetype="application/json")


@bp.get("/app/manifest.webmanifest")
def manifest():
    body = {
        "name": _("KiemTra inspections"),
        "short_name": "KiemTra",
        "start_url": url_for("fieldapp.shell"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f2f4f7",
        "theme_color": "#0b3d91",
        "icons": [
            {"src": url_for("static", filename="icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": url_for("static", filename="icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": url_for("static", filename="icons/icon-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "any maskable"},
        ],
    }
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")


@bp.get("/sw.js")
def service_worker():
    """The service worker, at the root so that its scope is the whole site."""
    source = (MOBILE_WEB / "sw.js").read_text(encoding="utf-8")
    source = source.replace("__VERSION__", cache_version()).replace("__ASSETS__", json.dumps(shell_urls()))
    response = Response(source, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response
