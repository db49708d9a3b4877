"""Following each finding until it is fixed: the action state machine (rules, pure),
the actions themselves, deadlines and reminders.

May import: models, extensions, foundation, directory, checklists, evidence.
"""
