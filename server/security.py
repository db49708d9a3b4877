"""Request-level protections: cross-site request refusal, security headers,
and session cookies.

CSRF: state-changing requests (POST, PUT, PATCH, DELETE) that a browser sends
from another site are refused. Browsers mark every request with Fetch
Metadata (`Sec-Fetch-Site`) or, failing that, `Origin`/`Referer`; a request
whose marks name another site is answered 403, forms and JSON alike. A
request with none of these marks does not come from a browser page (a
script or an integration), which a forged cross-site request cannot be.
Session cookies are SameSite=Lax as a second wall.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from werkzeug.middleware.proxy_fix import ProxyFix

from .errors import user_error

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",  # no inline script anywhere
    # Inline style attributes are allowed (SVG charts, progress bars); styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def is_cross_site(req) -> bool:
    """Does this request come from a page of another site?"""
    fetch_site = req.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    origin = req.headers.get("Origin")
    if origin is not None:
        return origin == "null" or urlsplit(origin).netloc != req.host
    referer = req.headers.get("Referer")
    if referer:
        return urlsplit(referer).netloc != req.host
    return False


def refuse_cross_site_writes():
    if request.method in UNSAFE_METHODS and is_cross_site(request):
        raise user_error(403, _("This request came from another website and was refused."))


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "geolocation=(self), camera=(self), microphone=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Session cookies are Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_app(app: Flask) -> None:
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies > 0:
        # The client's address and scheme as the trusted proxies saw them; a
        # client cannot forge them, since only the last `proxies` entries count.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.session_interface = SessionInterface()
    app.before_request(refuse_cross_site_writes)
    app.after_request(add_security_headers)
