"""Defaults only. Deployments override them in instance/config.py or with
KIEMTRA_* environment variables (e.g. KIEMTRA_SQLALCHEMY_DATABASE_URI)."""

# SECRET_KEY is deliberately absent: create_app() generates one into the
# instance folder on first start, so no deployment ever runs on a known key.

SQLALCHEMY_DATABASE_URI = None  # None means sqlite:///<instance>/kiemtra.db
SQLALCHEMY_ENGINE_OPTIONS: dict = {}

MAX_CONTENT_LENGTH = 20 * 1024 * 1024  # bytes per request (photo uploads)
UPLOAD_FOLDER = None  # None means <instance>/uploads
CHECKLISTS_FOLDER = None  # None means <project>/checklists

BABEL_DEFAULT_LOCALE = "vi"
BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
LANGUAGES = ["vi", "en"]

# Location checks (metres); flags for the lead, never blocking the inspector.
CHECKIN_RADIUS_M = 300
POOR_ACCURACY_M = 100

# Default remediation deadline (days) by finding severity, when the checklist
# item names none.
REMEDIATION_DAYS_BY_SEVERITY = {"minor": 30, "major": 15, "critical": 7}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

API_TITLE = "KiemTra API"
API_VERSION = "v1"
OPENAPI_VERSION = "3.1.0"
OPENAPI_URL_PREFIX = "/api"
OPENAPI_JSON_PATH = "openapi.json"
