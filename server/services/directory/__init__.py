"""Who and where: users and teams (also imported from a spreadsheet), signing in, the
server-side sessions of signed-in browsers, passwords (what a new one must be, temporary
passwords, one-time reset links), administrative units (import, reorganisation) and
accent-insensitive search.

May import: models, extensions, foundation, evidence.geo.
"""
