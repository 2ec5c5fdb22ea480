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
    # Idle timeout: the session cookie is re-signed on every request and refused (server-side, by
    # its signature's age) once this long has passed without one.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=4)
    SESSION_REFRESH_EACH_REQUEST = True

    # Flask-Limiter: in-memory by default; point at Redis when several processes serve.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True

    # Uploads (plan lists, bureau result files) are refused above this size.
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024

    # Run the font/engine check at start-up (tests switch it off to start faster).
    CHECK_PDF_ENGINE_AT_STARTUP = True
