"""Health check for load balancers and monitoring (blueprint "public": pages open to anyone)."""
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from ..extensions import db
from . import public

bp = Blueprint("public", __name__)

# A dead Redis must make /healthz answer 503 at once, not after the client's default timeouts.
REDIS_TIMEOUT_S = 1.0


def _redis_url() -> str | None:
    """The Redis the app depends on, if any: today the throttling counts' store."""
    uri = current_app.config.get("RATELIMIT_STORAGE_URI") or ""
    return uri if uri.startswith(("redis://", "rediss://", "unix://")) else None


def _check_database() -> None:
    try:
        db.session.execute(text("SELECT 1"))
    finally:
        db.session.rollback()


def _check_redis(url: str) -> None:
    import redis
    clients = current_app.extensions.setdefault("healthz_redis", {})
    if url not in clients:
        clients[url] = redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT_S,
                                            socket_connect_timeout=REDIS_TIMEOUT_S)
    if not clients[url].ping():
        raise RuntimeError("no PONG")


@bp.route("/healthz")
@public
def healthz():
    """For load balancers and monitoring: the process answers, and so does each part it needs
    (the database; Redis when configured). 503 names the part that failed; the error itself goes
    to the app log only (this page is public)."""
    checks = [("database", _check_database)]
    if url := _redis_url():
        checks.append(("redis", lambda: _check_redis(url)))
    answer, failed = {}, []
    for name, check in checks:
        try:
            check()
            answer[name] = "ok"
        except Exception as e:  # noqa: BLE001 - any failure of a part means "not healthy"
            current_app.logger.error("healthz: %s is down: %s", name, e)
            answer[name] = "down"
            failed.append(name)
    if failed:
        return jsonify(status="unavailable", failed=failed, **answer), 503
    return jsonify(status="ok", **answer)
