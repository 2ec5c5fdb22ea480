"""Log in, log out, change password."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import limiter
from ..forms import ChangePasswordForm, LoginForm
from ..services import accounts, sessions
from ..services.audit import record_event
from ..services.errors import ValidationFailed
from ..services.tx import unit_of_work
from . import actor, public, put_errors

bp = Blueprint("auth", __name__)

# Only failed attempts count (a successful login answers 302). Per account, so a password cannot
# be guessed from many addresses; per address, so many accounts cannot be tried from one.
LOGIN_FAILED = dict(methods=["POST"], deduct_when=lambda resp: resp.status_code != 302,
                    error_message="登录失败次数过多，请 15 分钟后再试，或联系管理员重置密码")


LOGIN_FIELDS = ("username", "password", "csrf_token")


def _json_login_body() -> dict | None:
    """A JSON login body, if it is one the form can read: an object whose login fields are text.
    Anything else (a list, a number as the password, absurd nesting) is None."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        return None
    if not isinstance(body, dict) or not all(isinstance(body.get(f, ""), str) for f in LOGIN_FIELDS):
        return None
    return body


def _submitted_username() -> str:
    """The username as the login form reads it, posted as a form or as JSON (Flask-WTF reads
    both): one login path, so one bucket per account whatever the body type."""
    username = request.form.get("username")
    if username is None and request.is_json:
        username = (_json_login_body() or {}).get("username")
    return username.strip().lower()[:32] if isinstance(username, str) else ""


def _login_account() -> str:
    return "login-account:" + _submitted_username()


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: never redirect a login to another host."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _start_session(user):
    """A new server-side session, named in the (signed) cookie by Flask-Login."""
    sessions.start_session(user, ip=request.remote_addr or "",
                           user_agent=request.headers.get("User-Agent", ""))
    login_user(user)
    session.permanent = True


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit("5 per 15 minutes", key_func=_login_account, **LOGIN_FAILED)
@limiter.limit("20 per 15 minutes", **LOGIN_FAILED)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("collect.home"))
    if request.method == "POST" and request.is_json and _json_login_body() is None:
        # Counted as a failure like any other (the limits above), but never a 500.
        return jsonify(error="登录请求格式不对：请提交用户名 username 和密码 password（文字）",
                       code="invalid"), 400
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.username.data, form.password.data, ip=request.remote_addr or "")
        if user is None:
            form.password.errors.append("用户名或密码不对")
        else:
            session.clear()  # a fresh session: nothing from before login carries over
            _start_session(user)
            if user.must_change_password:
                flash("这是管理员设置的初始密码，请先设置您自己的密码", "warn")
                return redirect(url_for("auth.change_password"))
            return redirect(_safe_next(request.args.get("next")) or url_for("collect.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    with unit_of_work():
        record_event(actor(), "logout", current_user, summary=current_user.username)
        # Ended on the server: a copy of the cookie taken before now is worth nothing.
        sessions.end_session(current_user.session_token, sessions.LOGOUT)
    logout_user()
    session.clear()
    flash("已退出", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(actor(), form.current.data, form.new.data, form.confirm.data)
        except ValidationFailed as e:
            put_errors(form, e)
        else:
            # Every session of the account ended with the old password, this one too: carry on
            # under a new one (a new token, so a cookie copied before the change is worthless).
            _start_session(current_user._get_current_object())
            flash("密码已修改", "ok")
            return redirect(url_for("collect.home"))
    return render_template("auth/password.html", form=form)
