"""Who and where: users and teams, signing in, administrative units (import, reorganisation)
and accent-insensitive search.

May import: models, extensions, foundation, evidence.geo.
"""
