"""Running a server: backup and restore, the demo data, reading the audit trail.

May import: every other room (it sits on top).
"""
