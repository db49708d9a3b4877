"""Business rules as plain functions; the only code that writes."""
# Session listeners that keep derived tables in step with what services write.
from .reporting import totals_upkeep  # noqa: F401,E402
