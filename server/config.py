"""Defaults only. Deployments override them in instance/config.py or with
KIEMTRA_* environment variables (e.g. KIEMTRA_SQLALCHEMY_DATABASE_URI)."""

# SECRET_KEY is deliberately absent: create_app() generates one into the
# instance folder on first start, so no deployment ever runs on a known key.

SQLALCHEMY_DATABASE_URI = None  # None means sqlite:///<instance>/kiemtra.db
SQLALCHEMY_ENGINE_OPTIONS: dict = {}

MAX_CONTENT_LENGTH = 20 * 1024 * 1024  # bytes per request (photo uploads)
UPLOAD_FOLDER = None  # None means <instance>/uploads
KEEP_ORIGINAL_PHOTOS = True  # keep the bytes as received, besides the display copy
MAX_PHOTO_PIXELS = 50_000_000  # refuse larger images before decoding (decompression bombs)
# Refuse images whose pixels would take more bytes than this once decoded
# (16-bit and alpha images take more a pixel; services/evidence/photo_memory.py says
# how it is counted). Also what one process decodes at most at once: other
# photos wait. The default takes any 8-bit photo up to 50 MP, so a 48 MP
# phone JPEG or HEIC, and keeps a worker under 400 MB.
MAX_PHOTO_DECODED_BYTES = 250_000_000
# Long edge of the display copy (at most 1600). At 1000 a 12 MP JPEG decodes
# straight to size with DCT scaling, ~50 ms a photo instead of ~95 ms at 1600
# (benchmarks/photo_pipeline.py); for detail, the original is kept.
PHOTO_DISPLAY_PX = 1000
CHECKLISTS_FOLDER = None  # None means <project>/checklists

BABEL_DEFAULT_LOCALE = "vi"
BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
LANGUAGES = ["vi", "en"]

# Location checks (metres); flags for the lead, never blocking the inspector.
CHECKIN_RADIUS_M = 300
POOR_ACCURACY_M = 100
# A photo taken farther than this from the check-in, or this long before or
# after it, is flagged.
PHOTO_MAX_DISTANCE_M = 1000
PHOTO_MAX_TIME_S = 6 * 3600

# Default remediation deadline (days) by finding severity, when the checklist
# item names none.
REMEDIATION_DAYS_BY_SEVERITY = {"minor": 30, "major": 15, "critical": 7}
# Reminders of remediation deadlines (`kiemtra actions remind`, run daily by
# cron): this many days before the deadline, and once when it is overdue.
REMINDER_DAYS_BEFORE = [7, 1]

# Email (SMTP); off while MAIL_SERVER is None: notifications stay in the app.
MAIL_SERVER = None
MAIL_PORT = 25
MAIL_USE_TLS = False  # STARTTLS
MAIL_USERNAME = None
MAIL_PASSWORD = None
MAIL_FROM = "KiemTra <kiemtra@localhost>"
MAIL_TIMEOUT_S = 10
# The address people reach the app at, for links in emails (e.g. "https://kiemtra.example.gov.vn").
BASE_URL = ""

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = False  # True forces it; it is on anyway for requests over HTTPS
PERMANENT_SESSION_LIFETIME = 12 * 3600  # seconds: a working day in the field
REMEMBER_COOKIE_DURATION = 14 * 24 * 3600  # "keep me signed in on this phone"
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"

# Sign-in throttling. This many failures on one username within the window
# lock that account until the window has passed since its last failure.
LOGIN_MAX_FAILURES_PER_USER = 5
# Once this many different usernames failed from one address within the window
# (a spray), the address waits after each failure: LOGIN_ADDRESS_FIRST_WAIT_SECONDS,
# doubled for each further name, at most the window. Its failures are then
# answered 429; a right password still signs in (offices share one address).
LOGIN_MAX_FAILURES_PER_ADDRESS = 20
LOGIN_ADDRESS_FIRST_WAIT_SECONDS = 1
LOGIN_LOCKOUT_SECONDS = 15 * 60
# How many reverse proxies stand in front of the app. Each appends the address
# it saw to X-Forwarded-For; with 1, the client's address is the one the last
# proxy wrote, so sign-in throttling counts people, not the proxy. 0 trusts no
# such header (the app faces the clients directly).
PROXY_COUNT = 0

# A server that deliberately runs the demo data (a training or trial server).
# Otherwise gunicorn refuses to start while an active account still has the
# demo's published password.
DEMO_SERVER = False

LOG_FORMAT = "json"  # or "text"; JSON lines go to standard error
LOG_LEVEL = "INFO"
LOG_REQUESTS = False  # True logs every request (gunicorn's access log already does)

API_TITLE = "KiemTra API"
API_VERSION = "v1"
OPENAPI_VERSION = "3.1.0"
OPENAPI_URL_PREFIX = "/api"
OPENAPI_JSON_PATH = "openapi.json"

# Printed documents (biên bản kiểm tra, thông báo, thông báo kết luận; Mẫu 1.9
# NĐ 30/2020/NĐ-CP). The issuing body heads every page; symbols make the
# document numbers, e.g. "Số: 42/BB-ĐKT"; the place starts the date line
# ("Hà Nội, ngày … tháng … năm …"); the distribution list is "Nơi nhận".
ISSUING_BODY_PARENT = "ỦY BAN NHÂN DÂN TỈNH/THÀNH PHỐ"
ISSUING_BODY = "ĐOÀN KIỂM TRA CẢI CÁCH HÀNH CHÍNH"
ISSUING_PLACE = "Hà Nội"
ISSUING_PLACE_EN = "Hanoi"
MINUTES_SYMBOL = "BB-ĐKT"
NOTICE_SYMBOL = "TB-ĐKT"
# A conclusion notice is a thông báo: TB, numbered in the same sequence as the notices.
CONCLUSION_SYMBOL = "TB-ĐKT"
MINUTES_COPIES = 2
# Nơi nhận, one list per document; the lines are printed with the decree's
# punctuation ("- Như trên;" … "- Lưu: VT, …."), so they are stored without it.
MINUTES_DISTRIBUTION = ["Đơn vị được kiểm tra", "Lưu: VT, hồ sơ kiểm tra"]
NOTICE_DISTRIBUTION = ["Như trên", "Thành viên Đoàn kiểm tra", "Lưu: VT, hồ sơ kiểm tra"]
CONCLUSION_DISTRIBUTION = ["Như trên", "Thành viên Đoàn kiểm tra", "Lưu: VT, hồ sơ kiểm tra"]
# Who signs the notices: "team" (TM. ĐOÀN KIỂM TRA / TRƯỞNG ĐOÀN, the team lead),
# "TM" (TM. <SIGNING_FOR> / <SIGNER_TITLE>) or "KT" (KT. <SIGNING_FOR> / <SIGNER_TITLE>).
SIGNING_MODE = "team"
SIGNING_FOR = ""
SIGNER_TITLE = ""
SIGNER_NAME = ""
PDF_PHOTO_PX = 800  # longest side of a photo in a PDF
PDF_PHOTO_QUALITY = 70  # JPEG quality of those photos

# Summary exports: XLSX workbooks are built by a background thread into
# <instance>/exports/; EXPORT_JOBS_INLINE builds them within the request
# instead (tests). Finished files are removed after EXPORT_KEEP_HOURS.
EXPORT_JOBS_INLINE = False
EXPORT_KEEP_HOURS = 24
EXPORT_API_PAGE_SIZE = 100  # default page size of /api/exports/inspections (max 1000)
# The dashboard's figures are recomputed at most this often per set of filters (0: always).
DASHBOARD_CACHE_SECONDS = 60

# Audit entries are chained ("sealed") in a transaction of their own, at most
# once per this many seconds per process; 0 seals after every commit.
AUDIT_SEAL_DELAY_S = 1.0
# The dashboard's stored totals are summed again at most this many seconds
# after a change commits (once per delay per process, for every change pending
# by then), and always before the dashboard reads them; 0: after every commit.
DASHBOARD_TOTALS_DELAY_S = 1.0

# Largest checklist file (YAML or XLSX) accepted on the Checklists page; a
# checklist of a few hundred items is well under 200 kB.
CHECKLIST_UPLOAD_MAX_BYTES = 2 * 1024 * 1024
