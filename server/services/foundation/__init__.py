"""What every other room stands on: the audit trail, work deferred past a commit, idempotent
inserts, mail, in-app notifications and the organisation's settings.

May import: models, extensions. Nothing else in services.
"""
