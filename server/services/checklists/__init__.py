"""Checklist files and what they mean: the format (definition, schema, items), files in it
(formats for YAML, xlsx and xlsx_template for Excel), the library of published versions,
drafts (uploads waiting to be published), versions (summaries and differences), scoring,
unit kinds.

May import: models, extensions, foundation. scoring and the format are pure (no app, no database).
"""
