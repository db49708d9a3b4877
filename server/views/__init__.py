"""HTML pages. Only create_app() imports this package."""
from . import auth, checklists, dashboard, exports, fieldapp, health, main, plans, reports


def register_views(app) -> None:
    app.register_blueprint(auth.bp)
    app.register_blueprint(main.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(fieldapp.bp)
    app.register_blueprint(plans.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(checklists.bp)
    # Review, remediation and the unit portal.
    from . import actions, notifications, portal, review

    for blueprint in (review.bp, actions.bp, portal.bp, notifications.bp):
        app.register_blueprint(blueprint)
    # Administration and each user's own account.
    from . import account, admin, admin_teams, admin_users

    for blueprint in (admin.bp, admin_users.bp, admin_teams.bp, account.bp):
        app.register_blueprint(blueprint)
    # The organisation's units, settings and audit trail.
    from . import admin_audit, admin_settings, admin_units

    for blueprint in (admin_units.bp, admin_settings.bp, admin_audit.bp):
        app.register_blueprint(blueprint)
