"""Logout, idle timeout, password change/reset and deactivation end the session on the server:
a copy of the cookie taken before gets the login page (pages) or a 401 (API)."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import World
from webapp.extensions import db
from webapp.models import User, UserSession
from webapp.services import accounts


def copy_of_cookie(app, client):
    """A second browser holding a copy of `client`'s session cookie (as a thief would)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def assert_logged_out(c):
    page = c.get("/")
    assert page.status_code == 302 and "/login" in page.location
    api = c.get("/api/v1/me")
    assert api.status_code == 401 and api.get_json()["code"] == "login_required"


def assert_logged_in(c):
    assert c.get("/").status_code == 200
    assert c.get("/api/v1/me").status_code == 200


def rows(username):
    uid = db.session.scalar(select(User.id).where(User.username == username))
    return db.session.scalars(select(UserSession).where(UserSession.user_id == uid)
                              .order_by(UserSession.created_at)).all()


def age(username, idle, created=timedelta(0)):
    """As if the last request of each of the user's sessions was `idle` ago."""
    for row in rows(username):
        row.last_seen_at -= idle
        row.created_at -= created
    db.session.commit()


def test_a_cookie_copied_before_logout_is_dead_after_it(app, world, login):
    client = login("coord1")
    thief = copy_of_cookie(app, client)
    assert_logged_in(thief)
    client.post("/logout")
    # Before: Flask's signed cookie alone authenticated, and the copy still read and wrote.
    assert_logged_out(thief)
    assert_logged_out(client)


def test_a_dead_cookie_cannot_write_through_the_api(app, world, login):
    from tests.offline.conftest import payment_body
    p = world.person()
    client = login("coord1")
    thief = copy_of_cookie(app, client)
    client.post("/logout")
    resp = thief.post("/api/v1/payments", json=payment_body((p, "medical")))
    assert resp.status_code == 401


def test_the_row_records_the_login_and_its_end(app, world, login):
    client = login("coord1")
    [row] = rows("coord1")
    assert row.ended_at is None and row.ip == "127.0.0.1"
    # The cookie holds a token; the database only its hash.
    assert row.id not in client.get_cookie("session").value
    client.post("/logout")
    db.session.expire_all()
    [row] = rows("coord1")
    assert row.ended_at is not None and row.ended_reason == "logout"


def test_idle_timeout_is_enforced_by_the_server(app, world, login):
    client = login("coord1")
    thief = copy_of_cookie(app, client)
    # Nothing for longer than PERMANENT_SESSION_LIFETIME (4 h), as the server sees it; the cookie
    # itself is fresh (its signature is from now), so only the server can refuse it.
    age("coord1", timedelta(hours=4, minutes=1))
    assert_logged_out(thief)
    assert_logged_out(client)
    db.session.expire_all()
    assert rows("coord1")[0].ended_reason == "idle"


def test_use_keeps_the_session_alive_and_touches_it_at_most_once_a_minute(app, world, login):
    client = login("coord1")
    [row] = rows("coord1")
    login_seen = row.last_seen_at
    assert_logged_in(client)
    db.session.expire_all()
    assert rows("coord1")[0].last_seen_at == login_seen  # no write for a request within the minute
    # 3 h 59 min since the last touch: still alive, and the request moves last_seen to now.
    age("coord1", timedelta(hours=3, minutes=59))
    assert_logged_in(client)
    db.session.expire_all()
    assert rows("coord1")[0].last_seen_at >= login_seen
    # So another 3 h 59 min later it is still alive: the timeout is idle time, not age.
    age("coord1", timedelta(hours=3, minutes=59), created=timedelta(hours=8))
    assert_logged_in(client)


def test_password_change_ends_every_other_session_and_keeps_this_one(app, world, login, client):
    phone = login("coord1")
    before_change = copy_of_cookie(app, phone)
    tablet = app.test_client()
    assert tablet.post("/login", data={"username": "coord1", "password": World.PASSWORD}).status_code == 302
    resp = phone.post("/password", data={"current": World.PASSWORD, "new": "Newpass2018x",
                                         "confirm": "Newpass2018x"})
    assert resp.status_code == 302
    assert_logged_in(phone)            # re-issued under a new session
    assert_logged_out(tablet)          # the account's other session ended
    assert_logged_out(before_change)   # and so did the cookie this phone had before the change
    db.session.expire_all()
    reasons = [r.ended_reason for r in rows("coord1")]
    assert reasons.count("password_change") == 2 and reasons.count(None) == 1


def test_admin_password_reset_ends_all_sessions_of_the_user(app, world, login):
    victim = login("coord1")
    thief = copy_of_cookie(app, victim)
    accounts.reset_password(world.actor("tadmin1"), world.user("coord1").id)
    assert_logged_out(victim)
    assert_logged_out(thief)
    db.session.expire_all()
    assert [r.ended_reason for r in rows("coord1")] == ["password_reset"]


def test_deactivating_a_user_ends_all_its_sessions(app, world, login):
    victim = login("coord1")
    user = world.user("coord1")
    accounts.update_user(world.actor("tadmin1"), user.id, name=user.name, title=user.title, phone=user.phone,
                         active=False, area_codes=[a.code for a in user.areas])
    assert_logged_out(victim)
    db.session.expire_all()
    assert [r.ended_reason for r in rows("coord1")] == ["deactivated"]
    # Reactivated, the old cookie stays dead: it has to log in again.
    user = world.user("coord1")
    accounts.update_user(world.actor("tadmin1"), user.id, name=user.name, title=user.title, phone=user.phone,
                         active=True, area_codes=[a.code for a in user.areas])
    assert_logged_out(victim)


@pytest.mark.parametrize("stale", ["5:1", "abc", "5:1:", "x:y:z", ""])
def test_malformed_or_pre_upgrade_cookie_ids_load_nobody(app, world, client, stale):
    with client.session_transaction() as s:
        s["_user_id"] = stale
        s["_fresh"] = True
    assert_logged_out(client)
