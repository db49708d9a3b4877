"""KiemTra: inspection and spot-check field data collection."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MOBILE_WEB = PROJECT_ROOT / "mobile_web"


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config → extensions → blueprints → CLI → errors."""
    instance_path = os.environ.get("KIEMTRA_INSTANCE_PATH") or (test_config or {}).get("INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path or PROJECT_ROOT / "instance").resolve()),
        instance_relative_config=True,
        template_folder=str(MOBILE_WEB / "templates"),
        static_folder=str(MOBILE_WEB / "static"),
    )
    app.config.from_object("server.config")
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("KIEMTRA")
    else:
        app.config.from_mapping(test_config)
    _finish_config(app)

    from . import errors, extensions, i18n, json_bodies, logs, permissions, routing, security
    from .api import register_api
    from .cli import register_commands
    from .services.evidence.storage import FilesystemStorage
    from .views import register_views

    logs.init_app(app)
    extensions.init_app(app)
    app.extensions["kiemtra.storage"] = FilesystemStorage(app.config["UPLOAD_FOLDER"])
    security.init_app(app)
    json_bodies.init_app(app)
    permissions.init_app(app)
    i18n.init_app(app)
    routing.init_app(app)
    register_views(app)
    register_api(app)
    register_commands(app)
    errors.init_app(app)
    return app


def _finish_config(app: Flask) -> None:
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(instance)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'kiemtra.db'}"
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(instance / "uploads")
    if not app.config.get("CHECKLISTS_FOLDER"):
        app.config["CHECKLISTS_FOLDER"] = str(PROJECT_ROOT / "checklists")
    from .services.foundation.mail import base_url_problem

    problem = base_url_problem(app.config)
    if problem:  # refuse to start rather than mail links that lead nowhere
        raise RuntimeError(problem)
    app.config["BASE_URL"] = (app.config.get("BASE_URL") or "").strip().rstrip("/")


def _instance_secret_key(instance: Path) -> str:
    """Read the instance's secret key, generating it on first start."""
    path = instance / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()
