"""Checklist files and what they mean: the format (definition, schema, items), the library
of imported versions, scoring, unit kinds.

May import: models, extensions, foundation. scoring and the format are pure (no app, no database).
"""
