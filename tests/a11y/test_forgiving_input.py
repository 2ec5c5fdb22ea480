"""Input that forgives (issue 16, part 3): the ID and phone fields take what people type (spaces,
dashes, +86) without the browser cutting it, and the server normalises it (typed_text)."""
import re
from datetime import date

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Person

TYPED_PHONE = "+86 138-0013-8000"


def input_tag(html, name):
    return re.search(r'<input[^>]*name="' + name + r'"[^>]*>', html).group(0)


def maxlength(tag):
    m = re.search(r'maxlength="(\d+)"', tag)
    return int(m.group(1)) if m else None


def grouped(number):
    """An ID number as people write it: 6-8-4, with spaces and a dash."""
    return f"{number[:6]} {number[6:14]}-{number[14:]}"


def test_the_fields_do_not_cut_what_people_type(world, login):
    client = login("coord1")
    html = client.get(f"/villages/{world.V1}/register").get_data(as_text=True)
    id_tag, phone_tag = input_tag(html, "id_number"), input_tag(html, "phone")
    typed_id = grouped(world.id_number()) + "  "
    assert maxlength(id_tag) is None or maxlength(id_tag) >= len(typed_id), id_tag
    assert maxlength(phone_tag) is None or maxlength(phone_tag) >= len(TYPED_PHONE), phone_tag
    # A numeric keypad has no + and no -: the phone keyboard has both.
    assert 'inputmode="numeric"' not in phone_tag
    person = world.person()
    html = client.get(f"/people/{person.id}/edit").get_data(as_text=True)
    tag = input_tag(html, "phone")
    assert (maxlength(tag) is None or maxlength(tag) >= len(TYPED_PHONE)) and 'inputmode="numeric"' not in tag


def test_spaces_dashes_and_plus86_are_normalised(world, login):
    client = login("coord1")
    number = world.id_number(date(1985, 5, 5))
    resp = client.post(f"/villages/{world.V1}/register", data={
        "name": "钱七", "id_number": grouped(number.lower()), "address": "曹镇村北街8号", "phone": TYPED_PHONE,
        "relation": "户主"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    person = db.session.scalar(select(Person).where(Person.name == "钱七"))
    assert person.id_number == number.upper() and person.phone == "13800138000"
