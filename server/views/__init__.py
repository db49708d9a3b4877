"""HTML pages. Only create_app() imports this package."""
from . import auth, health, main


def register_views(app) -> None:
    app.register_blueprint(auth.bp)
    app.register_blueprint(main.bp)
    app.register_blueprint(health.bp)
