"""The JSON API (flask-smorest), documented at /api/openapi.json."""
from ..extensions import api
from . import evidence, exports, fieldapp, inspections


def register_api(app) -> None:
    api.register_blueprint(inspections.blp)
    api.register_blueprint(evidence.blp)
    api.register_blueprint(fieldapp.blp)
    api.register_blueprint(exports.blp)
    from . import actions  # remediation actions, read-only

    api.register_blueprint(actions.blp)
