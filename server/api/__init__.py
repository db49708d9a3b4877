"""The JSON API (flask-smorest), documented at /api/openapi.json."""
from ..extensions import api
from . import inspections


def register_api(app) -> None:
    api.register_blueprint(inspections.blp)
