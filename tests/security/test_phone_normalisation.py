"""Issue 11, part 1: phones too have one spelling, whichever service stores them."""
from webapp.extensions import db
from webapp.models import Person, User
from webapp.services import accounts, people

FULL_WIDTH = "＋８６ １３９－００００－１１１１"


def test_correcting_a_person_stores_the_ascii_mobile(world):
    p = world.person()
    people.update_person(world.actor("coord1"), p.id, address="东街1号", phone=FULL_WIDTH, relation="户主", flags={})
    assert db.session.get(Person, p.id).phone == "13900001111"


def test_staff_phone_typed_full_width_is_stored_ascii(world):
    uid = world.user("coord1").id
    accounts.update_user(world.actor("tadmin1"), uid, name="刘协管", title="协管员", phone=FULL_WIDTH,
                         active=True, area_codes=[world.V1])
    assert db.session.get(User, uid).phone == "13900001111"
    accounts.update_user(world.actor("tadmin1"), uid, name="刘协管", title="协管员", phone="０３７５－２６１２３４５",
                         active=True, area_codes=[world.V1])
    assert db.session.get(User, uid).phone == "0375-2612345"
