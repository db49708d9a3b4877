"""Planning and doing inspections: plans, random draws, inspections, check-in,
submissions from the phone and what a submission must include.

May import: models, extensions, foundation, directory, checklists, evidence.
"""
