"""The lead's side after a submission: approval and return, revisions, the conclusion
notice and the follow-up checks.

May import: models, extensions, foundation, directory, checklists, evidence, fieldwork, remediation.
"""
