"""Server-side login sessions: a login is a row in user_sessions, and the cookie only names it.

Flask's session is a signed cookie: on its own, a copy taken before logout stays valid after it,
because logging out only tells the browser to forget its copy. So each login gets a random token;
the cookie carries it (inside Flask-Login's user id, see User.get_id) and the database keeps only
its SHA-256. A request is logged in only while that row is live: logout, the idle timeout,
a password change or reset and deactivating the account end it, and a copied cookie then gets
the login page (or a 401 from the API).

Reading the row joins the user query the loader already made, so a request costs no extra round
trip; last_seen is written at most once per touch interval, so the payment path does not gain a
write per request.
"""
import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, insert, select, update

from ..extensions import db
from ..models import User, UserSession
from ..timeutil import now_utc
from .tx import unit_of_work

# Reasons recorded in user_sessions.ended_reason.
LOGOUT, IDLE, PASSWORD_CHANGE, PASSWORD_RESET, DEACTIVATED = (
    "logout", "idle", "password_change", "password_reset", "deactivated")

_T = UserSession.__table__
# Built once: the load runs on every logged-in request.
_LOAD = (select(User, UserSession.last_seen_at, UserSession.ended_at)
         .join(UserSession, UserSession.user_id == User.id)
         .where(UserSession.id == bindparam("sid")))
_TOUCH = (update(_T).where(_T.c.id == bindparam("sid"), _T.c.ended_at.is_(None))
          .values(last_seen_at=bindparam("now")))


def _digest(token: str) -> str:
    # The database holds only the hash: a copy of user_sessions logs nobody in.
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, *, ip: str = "", user_agent: str = "") -> str:
    """A new live session for this user; returns its token and attaches it to `user`, so that
    Flask-Login's login_user(user) puts it into the cookie."""
    token = secrets.token_urlsafe(32)
    now = now_utc()
    with unit_of_work(keep_loaded=True):
        db.session.execute(insert(_T).values(id=_digest(token), user_id=user.id, created_at=now,
                                             last_seen_at=now, ip=(ip or "")[:64],
                                             user_agent=(user_agent or "")[:256]))
    user.session_token = token
    return token


def end_session(token: str | None, reason: str, *, now: datetime | None = None) -> None:
    """End one session (joins the caller's unit of work if there is one)."""
    if not token:
        return
    with unit_of_work(keep_loaded=True):
        db.session.execute(update(_T).where(_T.c.id == _digest(token), _T.c.ended_at.is_(None))
                           .values(ended_at=now or now_utc(), ended_reason=reason))


def end_user_sessions(user_id: int, reason: str) -> int:
    """End every live session of a user; returns how many. Called inside the service's unit of
    work that changes the password or deactivates the account, so both commit together."""
    with unit_of_work(keep_loaded=True):
        result = db.session.execute(update(_T).where(_T.c.user_id == user_id, _T.c.ended_at.is_(None))
                                    .values(ended_at=now_utc(), ended_reason=reason))
    return result.rowcount


def touch_interval(idle: timedelta, touch_every: timedelta) -> timedelta:
    # With a short idle timeout (tests, or a strict site) touch more often than the default
    # minute, so that a session in use never looks idle.
    return min(touch_every, idle / 4)


def parse_cookie_id(cookie_id: str | None) -> tuple[int, int, str] | None:
    """Flask-Login's stored id, 'user id:session version:token' (see User.get_id)."""
    parts = (cookie_id or "").split(":")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or not parts[2]:
        return None
    return int(parts[0]), int(parts[1]), parts[2]


def load_user(cookie_id: str | None, *, idle: timedelta, touch_every: timedelta) -> User | None:
    """Flask-Login's user loader: the user while the session is live, else None (logged out).
    A session idle longer than `idle` is ended here, on the server."""
    parsed = parse_cookie_id(cookie_id)
    if parsed is None:
        return None  # includes the pre-server-session 'id:version' cookies: log in again
    user_id, version, token = parsed
    sid = _digest(token)
    row = db.session.execute(_LOAD, {"sid": sid}).first()
    if row is None:
        return None
    user, last_seen, ended_at = row
    if ended_at is not None or user.id != user_id or user.session_version != version or not user.active:
        return None
    now = now_utc()
    if now - last_seen > idle:
        end_session(token, IDLE, now=now)
        return None
    if now - last_seen >= touch_interval(idle, touch_every):
        with unit_of_work(keep_loaded=True):
            db.session.execute(_TOUCH, {"sid": sid, "now": now})
    user.session_token = token
    return user
