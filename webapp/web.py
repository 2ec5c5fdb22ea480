"""Cross-cutting web concerns: template helpers, security headers, error pages, and the rule that
an account with a temporary password can do nothing until it sets its own."""
import time

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask.json.provider import DefaultJSONProvider
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from .extensions import db
from .rules import roles
from .rules.categories import CORRECTION_STATES, GOV_GROUPS, KINDS, PAYMENT_METHODS, PERSON_FLAGS, SEX
from .rules.money import fen_to_capitals, fen_to_yuan_str, format_yuan
from .services.errors import ServiceError
from .timeutil import to_local

# Pages a user with a temporary password may still reach.
OPEN_WHILE_CHANGING_PASSWORD = {"auth.change_password", "auth.logout", "static", "public.healthz"}

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def retry_after(e: ServiceError) -> dict:
    """Retry-After for an error that passes if tried again (services.errors.Busy)."""
    seconds = getattr(e, "retry_after_s", None)
    return {"Retry-After": str(seconds)} if seconds else {}


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json")


def _asset_versions(app) -> dict:
    """Content hashes of static files, so they can be cached for a year and still update."""
    import hashlib
    from pathlib import Path
    root = Path(app.static_folder)
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()[:10]
            for p in root.rglob("*") if p.is_file()}


class JSONProvider(DefaultJSONProvider):
    """Absurdly nested JSON ([[[[…) makes the parser recurse past Python's limit: that is malformed
    JSON like any other (get_json answers None or 400), not a RecursionError and a 500."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON 嵌套层数太多") from None


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session, except that a static file's answer neither sets the cookie nor
    says `Vary: Cookie` (Flask-Login reads the session on every request, which marks it read):
    a file cached before login must serve after it, not be asked for again."""

    def save_session(self, app, session, response):
        if request.endpoint == "static":
            return None
        return super().save_session(app, session, response)


def init_app(app):
    versions = _asset_versions(app)   # file -> content hash, for ?v= and the immutable answers
    _template_helpers(app, versions)
    _request_hooks(app, versions)
    _error_pages(app)


def _template_helpers(app, versions: dict):
    app.json = JSONProvider(app)
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = _SessionInterface()
    app.json.ensure_ascii = False  # audit before/after read as Chinese, not \\u escapes

    def asset(filename: str) -> str:
        return url_for("static", filename=filename, v=versions.get(filename, "0"))

    app.jinja_env.globals["asset"] = asset
    app.jinja_env.filters["dict_without_page"] = lambda d: {k: v for k, v in d.items() if k != "page"}
    app.jinja_env.filters.update(
        yuan=format_yuan, yuan_plain=fen_to_yuan_str, capitals=fen_to_capitals,
        local=lambda dt, fmt="%Y-%m-%d %H:%M": to_local(dt).strftime(fmt) if dt else "",
        day=lambda d: f"{d.year}年{d.month}月{d.day}日" if d else "",
    )
    app.jinja_env.globals.update(KINDS=KINDS, ROLES=roles.LABELS, roles=roles, SEX=SEX, GOV_GROUPS=GOV_GROUPS,
                                 PAYMENT_METHODS=PAYMENT_METHODS, PERSON_FLAGS=list(PERSON_FLAGS),
                                 CORRECTION_STATES=CORRECTION_STATES,
                                 # When the server drew the page (ms since 1970), for "数据更新于 X 分钟前" offline.
                                 rendered_ms=lambda: int(time.time() * 1000))
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def _request_hooks(app, versions: dict):
    @app.before_request
    def refuse_nul():
        """PostgreSQL can neither store nor compare text holding NUL (0x00), and nobody types one:
        a URL with it names nothing (404); a query or form with it is malformed (400), not a 500."""
        if any("\x00" in v for v in (request.view_args or {}).values() if isinstance(v, str)):
            abort(404)
        if any("\x00" in v for values in (request.args, request.form) for _, v in values.items(multi=True)):
            abort(400)

    @app.before_request
    def force_password_change():
        # Static files are the same for everyone: not even reading the session for them keeps
        # `Vary: Cookie` off their answers, so the copy cached before login serves after it.
        if request.endpoint == "static":
            return None
        if (current_user.is_authenticated and current_user.must_change_password
                and request.endpoint not in OPEN_WHILE_CHANGING_PASSWORD):
            if wants_json():
                return jsonify(error="请先修改初始密码", code="forbidden"), 403
            return redirect(url_for("auth.change_password"))

    @app.after_request
    def cache_versioned_static(resp):
        """A static URL whose ?v= is the file's current content hash never changes: the browser
        keeps it a year without asking again (and the service worker's install, which goes
        through the same HTTP cache, does not download what the page has just loaded). Any other
        static URL (no ?v=, or a stale one) keeps Flask's revalidation."""
        if request.endpoint == "static" and resp.status_code in (200, 304):
            name = (request.view_args or {}).get("filename")
            if name and request.args.get("v") == versions.get(name):
                resp.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return resp

    @app.after_request
    def security_headers(resp):
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "same-origin"
        resp.headers["X-Frame-Options"] = "DENY"
        if (request.endpoint != "static" and current_user.is_authenticated
                and "Cache-Control" not in resp.headers):
            # Personal data must not be kept by shared caches.
            resp.headers["Cache-Control"] = "private, no-store"
        return resp


def _error_pages(app):
    def error_page(status, title, message):
        if wants_json():
            # The API's documented Error shape: {"error", "code"} (e.g. a 404 for an unmatched URL).
            code = {400: "invalid", 403: "forbidden", 404: "not_found"}.get(status, "error")
            return jsonify(error=message, code=code), status
        return render_template("errors/error.html", status=status, title=title, message=message), status

    @app.errorhandler(400)
    def bad_request(e):
        return error_page(400, "请求有误", "提交的内容不完整或格式不对，请返回重试。")

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return error_page(400, "页面已过期", "页面已过期或来源不明，请返回、刷新后重新提交。")

    @app.errorhandler(403)
    def forbidden(e):
        return error_page(403, "没有权限", "您没有权限访问此页面。")

    @app.errorhandler(404)
    def not_found(e):
        return error_page(404, "没有找到", "没有找到这个页面，或不在您负责的范围内。")

    @app.errorhandler(405)
    def method_not_allowed(e):
        return error_page(405, "操作不支持", "不支持这种操作，请从页面上的按钮进入。")

    @app.errorhandler(413)
    def too_large(e):
        # Say the limit: without it nobody knows how much smaller the file must be.
        limit = app.config.get("MAX_CONTENT_LENGTH") or 0
        size = f"{limit // 1024 // 1024} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
        return error_page(413, "文件太大", f"上传的文件太大（最大 {size}），请拆成几个文件后重新上传。")

    @app.errorhandler(429)
    def too_many(e):
        # A limit with its own Chinese message (the login one) says it; others say the general one.
        limit = getattr(e, "limit", None)
        message = limit.error_message if limit is not None and isinstance(limit.error_message, str) else None
        return error_page(429, "操作太频繁", message or "操作太频繁，请稍后再试。")

    @app.errorhandler(ServiceError)
    def service_error(e):
        # Views handle form errors themselves; this catches the rest (NotFound, Forbidden ...).
        db.session.rollback()
        if wants_json():
            body = {"error": e.message}
            if getattr(e, "errors", None):
                body["errors"] = e.errors
            return jsonify(body), e.status, retry_after(e)
        return (render_template("errors/error.html", status=e.status, title="无法完成", message=e.message), e.status,
                retry_after(e))

    @app.errorhandler(500)
    def server_error(e):
        db.session.rollback()
        return error_page(500, "出错了", "服务器出错了，操作没有完成，也没有保存任何一半的数据。请稍后重试。")
