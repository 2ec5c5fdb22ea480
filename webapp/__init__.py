"""两险征缴: door-to-door collection of residents' pension and medical insurance contributions."""
import os
from pathlib import Path

from flask import Flask

from . import appstate, database, keys
from .extensions import compress, csrf, db, limiter, login_manager, migrate
from .idvault import idvault
from .ratelimit_store import default_storage_uri  # importing it registers the sqla+ scheme


def _database_url(app) -> str:
    url = app.config.get("SQLALCHEMY_DATABASE_URI") or "sqlite:///" + str(Path(app.instance_path) / "app.db")
    # Heroku-style URLs name the driver "postgres"; SQLAlchemy wants psycopg 3 spelled out.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _config_from_environment(app) -> None:
    """instance/config.py, then the environment: what an operator sets without touching code."""
    app.config.from_pyfile("config.py", silent=True)
    for name in ("SECRET_KEY", "PUBLIC_BASE_URL", "RATELIMIT_STORAGE_URI", "ID_KEY_FILE",
                 "RECEIPT_KEY_FILE", "UPLOAD_FOLDER"):
        if os.environ.get(name):
            app.config[name] = os.environ[name]
    for name in [k for k in app.config if k.startswith(("UPLOAD_MAX_", "IMPORT_PREVIEW_", "IMPORT_SWEEP_"))]:
        if os.environ.get(name):
            app.config[name] = int(os.environ[name])
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if os.environ.get("SESSION_COOKIE_SECURE") == "1" or os.environ.get("PRODUCTION") == "1":
        # Behind HTTPS: cookies never travel in clear, and generated URLs are https.
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"
    if os.environ.get("WRITE_LOCK_TIMEOUT_S"):
        app.config["WRITE_LOCK_TIMEOUT_S"] = float(os.environ["WRITE_LOCK_TIMEOUT_S"])
    if slow := os.environ.get("SLOW_QUERY_MS"):
        app.config["SLOW_QUERY_MS"] = None if slow == "off" else float(slow)
    if os.environ.get("PROXY_FIX"):
        app.config["PROXY_FIX"] = int(os.environ["PROXY_FIX"])


def create_app(test_config=None):
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("INSTANCE_PATH") or None
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    app.config.from_object("webapp.config.Config")
    if test_config is None:
        _config_from_environment(app)
    else:
        app.config.update(test_config)
    if app.config.get("INSTANCE_UMASK") is not None:
        # Before anything is created: app.db, its -wal/-shm, keys, ratelimit.db, previews, PDFs.
        os.umask(app.config["INSTANCE_UMASK"])
    Path(app.instance_path).mkdir(mode=0o700, parents=True, exist_ok=True)
    from .housekeeping import tighten_instance
    for path in tighten_instance(app.instance_path):
        app.logger.warning("%s was readable by other users: now the service user's only", path)
    app.config["SQLALCHEMY_DATABASE_URI"] = _database_url(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            k: v for k, v in app.config["SQLALCHEMY_ENGINE_OPTIONS"].items() if k != "pool_pre_ping"}
    keys.ensure_keys(app)
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = default_storage_uri(app.config["SQLALCHEMY_DATABASE_URI"],
                                                                  app.instance_path)

    appstate.init_app(app)
    db.init_app(app)
    with app.app_context():
        database.configure_engine(db.engine, app.config.get("WRITE_LOCK_TIMEOUT_S"))
        database.log_slow_queries(db.engine, app.config.get("SLOW_QUERY_MS"))
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"),
                     render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)
    idvault.init_app(app)
    _init_login(app)

    if app.config.get("PROXY_FIX"):
        # Behind nginx: trust its X-Forwarded-For/-Proto (that many proxies deep), so audit logs and
        # login throttling see the phone's address, not 127.0.0.1.
        from werkzeug.middleware.proxy_fix import ProxyFix
        n = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    from .views import register_blueprints
    register_blueprints(app)
    from . import commands, web
    commands.register(app)
    web.init_app(app)
    if app.config.get("CHECK_PDF_ENGINE_AT_STARTUP"):
        _warn_pdf_engine(app)
    return app


def _warn_pdf_engine(app):
    """Say at start-up what PDFs lack; the app still serves, and PDF routes answer with the message."""
    from .printing.engine import engine_problems
    if problems := engine_problems():
        app.logger.warning("收据/名单 PDF 的组件不全（可运行 flask --app wsgi doctor 检查）：\n  %s",
                           "\n  ".join(problems))


def _init_login(app):
    from datetime import timedelta

    from .services import sessions

    def as_timedelta(value) -> timedelta:
        return value if isinstance(value, timedelta) else timedelta(seconds=int(value))

    def load_user(cookie_id):
        # The server-side session decides (services/sessions.py): a copied cookie of an ended
        # session loads nobody.
        return sessions.load_user(cookie_id, idle=as_timedelta(app.config["PERMANENT_SESSION_LIFETIME"]),
                                  touch_every=as_timedelta(app.config["SESSION_TOUCH_INTERVAL"]))

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.login_message_category = "warn"
    # "strong" would log a coordinator out whenever the phone changes cell tower (and IP).
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
