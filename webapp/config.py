"""Default configuration.

Loaded first by create_app(); `instance/config.py` and then the environment override it
(SECRET_KEY, DATABASE_URL, PUBLIC_BASE_URL, ...). Nothing here is a secret: keys are generated
into instance/ on first run (see webapp/keys.py).
"""
from datetime import timedelta


class Config:
    # None means "read or generate instance/secret_key" (see keys.ensure_keys).
    SECRET_KEY = None
    # None means "SQLite at instance/app.db".
    SQLALCHEMY_DATABASE_URI = None
    # A server's connections can drop (restart, idle timeout): test each before use. SQLite's
    # never do, so create_app leaves the test (a SELECT 1 per request) off for it.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    PUBLIC_BASE_URL = "http://127.0.0.1:8000"


    # Flask-WTF: a payment queued offline may be sent hours after its page was loaded, so the
    # CSRF token lives as long as the session instead of Flask-WTF's default hour.
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_SSL_STRICT = True

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # set True behind HTTPS (production mode does)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Idle timeout, enforced on the server: a login is a row in user_sessions (services/sessions.py)
    # that ends once this long has passed without a request. The cookie's signature carries the
    # same age limit as a second line.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=4)
    SESSION_REFRESH_EACH_REQUEST = True
    # A session's last_seen is written at most this often, so that a request costs a read, not a
    # write (the payment path stays one write). The idle timeout is therefore exact to this much.
    SESSION_TOUCH_INTERVAL = timedelta(minutes=1)

    # Flask-Limiter: None means a store shared by every worker and kept across restarts with no
    # server to start: instance/ratelimit.db (SQLite) or a table in the PostgreSQL database (see
    # webapp/ratelimit_store.py). "redis://127.0.0.1:6379" shares it between machines too.
    RATELIMIT_STORAGE_URI = None
    RATELIMIT_HEADERS_ENABLED = True

    # Statements slower than this many milliseconds are logged (webapp.slow_query, to the app
    # log) with their SQL, never their parameters. None (SLOW_QUERY_MS=off) switches it off.
    # The slowest page budgets are 50-100 ms for the whole request.
    SLOW_QUERY_MS = 200

    # SQLite: how long a write waits in the writer queue (webapp/database.py) before the request
    # is answered "系统繁忙，请稍后重试" (503, Retry-After). As long as SQLite's busy_timeout.
    WRITE_LOCK_TIMEOUT_S = 15.0

    # Where an upload waits between preview and confirm (None: instance/imports). Several app
    # nodes must share it (an NFS mount, say): the confirm may reach another node.
    UPLOAD_FOLDER = None

    # Uploads (plan lists, bureau result files) are refused above this size.
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024
    # What one uploaded spreadsheet may hold, checked before it is read (rules/spreadsheet.py:
    # UploadLimits; docs/security-uploads.md). Rows are data rows (a title and header row come on
    # top); cells are the rectangle from A1 to the last cell, which the reader builds whole.
    UPLOAD_MAX_BYTES = 32 * 1024 * 1024
    UPLOAD_MAX_ROWS = 200_000
    UPLOAD_MAX_COLUMNS = 200
    UPLOAD_MAX_CELLS = 3_000_000
    UPLOAD_MAX_UNPACKED_BYTES = 256 * 1024 * 1024
    UPLOAD_MAX_RATIO = 100
    UPLOAD_MAX_ZIP_MEMBERS = 1000

    # Import previews (the uploaded list, sealed, between preview and confirm) older than this are
    # swept; each gunicorn worker sweeps every IMPORT_SWEEP_INTERVAL_S (0: never, e.g. in tests).
    IMPORT_PREVIEW_MAX_AGE_S = 24 * 3600
    IMPORT_SWEEP_INTERVAL_S = 600
    # Files and folders the app creates (instance/: database, keys, previews, caches) are the
    # service user's only: umask 077 gives 0600 files and 0700 folders. None leaves the umask.
    INSTANCE_UMASK = 0o077

    # Run the font/engine check at start-up (tests switch it off to start faster).
    CHECK_PDF_ENGINE_AT_STARTUP = True
