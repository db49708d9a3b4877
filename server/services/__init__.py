"""Business rules as plain functions; the only code that writes."""
# Session listeners that keep derived tables in step with what services write.
from . import dashboard_totals  # noqa: F401,E402
