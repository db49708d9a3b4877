"""Running a server: backup and restore, the demo data.

May import: every other room (it sits on top).
"""
