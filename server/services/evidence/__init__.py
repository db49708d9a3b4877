"""What proves a finding: photos (pipeline, metadata, memory bounds), evidence files,
the byte storage, location checks.

May import: models, extensions, foundation. photos, photo_metadata and photo_memory are pure.
"""
