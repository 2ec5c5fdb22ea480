from datetime import timedelta

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import AuditEvent, User
from webapp.services import accounts, sessions
from webapp.services.errors import Forbidden, NotFound, ValidationFailed

LIMITS = {"idle": timedelta(hours=4), "touch_every": timedelta(minutes=1)}


@pytest.mark.parametrize("pw, ok", [("short1", False), ("abcdefgh", False), ("12345678", False),
                                    ("coord1abc9", False), ("Good2018x", True)])
def test_password_policy(pw, ok):
    assert (accounts.password_problem(pw, "coord1") is None) is ok


def test_admin_creates_an_account_that_must_change_its_password(world):
    user, pw = accounts.create_user(world.actor("tadmin1"), username="new_coord", name="新协管",
                                    role="coordinator", area_codes=[world.V1, world.V2], title="村官",
                                    phone="13900000000")
    assert user.must_change_password and accounts.password_problem(pw) is None
    assert user.check_password(pw) and user.password_hash != pw
    assert [a.code for a in user.areas] == [world.V1, world.V2]


def test_township_admin_may_only_create_coordinators_in_its_township(world):
    with pytest.raises(ValidationFailed) as e:
        accounts.create_user(world.actor("tadmin1"), username="x_admin", name="x", role="township_admin",
                             area_codes=[world.T1])
    assert "role" in e.value.errors
    with pytest.raises(ValidationFailed) as e:
        accounts.create_user(world.actor("tadmin1"), username="x_coord", name="x", role="coordinator",
                             area_codes=[world.V3])
    assert "areas" in e.value.errors
    with pytest.raises(Forbidden):
        accounts.create_user(world.actor("coord1"), username="x_coord", name="x", role="coordinator",
                             area_codes=[world.V1])


def test_duplicate_username_and_bad_fields(world):
    with pytest.raises(ValidationFailed) as e:
        accounts.create_user(world.actor("dadmin"), username="COORD1", name="", role="coordinator",
                             area_codes=[world.V1], phone="123")
    assert set(e.value.errors) == {"username", "name", "phone"}


def test_reset_password_ends_old_sessions_and_forces_a_change(world):
    user = world.user("coord1")
    sessions.start_session(user)
    old_token = user.get_id()
    pw = accounts.reset_password(world.actor("tadmin1"), user.id)
    user = world.user("coord1")
    assert user.must_change_password and user.check_password(pw)
    assert sessions.load_user(old_token, **LIMITS) is None
    sessions.start_session(user)
    assert sessions.load_user(user.get_id(), **LIMITS).id == user.id
    with pytest.raises(NotFound):
        accounts.reset_password(world.actor("tadmin2"), user.id)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.reset_password"))


def test_authenticate_audits_failures(world):
    assert accounts.authenticate("coord1", "wrong", ip="10.0.0.1") is None
    assert accounts.authenticate("Coord1", world.PASSWORD).username == "coord1"
    failed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "login_failed"))
    assert failed.ip == "10.0.0.1"


def test_deactivated_user_cannot_log_in(world):
    accounts.update_user(world.actor("dadmin"), world.users["coord3"].id, name="停用", title="", phone="",
                         active=False, area_codes=[world.V3])
    assert accounts.authenticate("coord3", world.PASSWORD) is None
    assert not db.session.scalar(select(User.active).where(User.username == "coord3"))


def test_change_password(world):
    actor = world.actor("coord1")
    with pytest.raises(ValidationFailed) as e:
        accounts.change_password(actor, "bad", "short", "short")
    assert set(e.value.errors) == {"current", "new"}
    accounts.change_password(actor, world.PASSWORD, "Brand9new", "Brand9new")
    assert world.user("coord1").check_password("Brand9new")
