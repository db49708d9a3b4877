"""What every other room stands on: the audit trail, work deferred past a commit, idempotent
inserts, mail and in-app notifications.

May import: models, extensions. Nothing else in services.
"""
