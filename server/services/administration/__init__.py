"""Running a server: backup and restore, the demo data (and its
inspections at each step of the lead's day), the administrator's home
(counts, what needs attention), reading the audit trail.

May import: every other room (it sits on top).
"""
