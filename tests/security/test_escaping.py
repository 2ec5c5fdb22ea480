"""Script payloads stored in names, addresses and every other free-text field come back escaped on
every page that shows them, for every role and for the public pages; never raw.

The service refuses a payload as a name (names are letters, CJK and the middle dot), so a payload
name is written straight into the database, as an old import or a future code path might leave it:
the pages must not depend on the service having cleaned it."""
import io
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from markupsafe import escape
from pypdf import PdfReader
from sqlalchemy import func, select, update

from tests.security.conftest import ROLES, html_pages
from webapp.extensions import db
from webapp.models import Payment, Person, Receipt
from webapp.services import accounts, areas, handover, payments, people, receipt_pdf, roster
from webapp.services.errors import ValidationFailed
from webapp.services.people import PersonInput
from webapp.services.site import Site
from webapp.timeutil import today_local

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
RAW = [SCRIPT, IMG, "<img src=x", "<script>"]


def escaped(text: str) -> str:
    return str(escape(text))


def assert_no_raw(body: str, where):
    for raw in RAW:
        assert raw not in body, (raw, where)


@pytest.fixture
def tainted(world, scene):
    """On top of the scene: people whose address (through the service) and name (in the database)
    are payloads, paid for with a payload payer name, and payloads in every other free text."""
    coord = world.actor("coord1")
    before = db.session.scalar(select(func.count(Person.id)))
    with pytest.raises(ValidationFailed) as refused:
        people.register_person(coord, world.V1, PersonInput(name=SCRIPT, id_number=world.id_number(),
                                                            address="东街"))
    assert "name" in refused.value.errors
    assert db.session.scalar(select(func.count(Person.id))) == before

    script = people.register_person(coord, world.V1, PersonInput(
        name="张脚本", id_number=world.id_number(date(1985, 1, 1)), address=SCRIPT + IMG, phone="13800138000"))
    img = people.register_person(coord, world.V1, PersonInput(
        name="李图片", id_number=world.id_number(date(1986, 1, 1)), address=IMG, relation="子女",
        household_id=script.household_id))
    db.session.execute(update(Person).where(Person.id == script.id).values(name=SCRIPT))
    db.session.execute(update(Person).where(Person.id == img.id).values(name=IMG))
    db.session.commit()
    receipt = world.pay("coord1", (db.session.get(Person, script.id), "medical"),
                        (db.session.get(Person, img.id), "medical"))
    other = world.person(world.V1, name="周九", birth=date(1970, 2, 2))
    receipts, _ = payments.record_payment(coord, [payments.LineRequest(other.id, "medical")], payer_name=SCRIPT)
    voided = world.pay("coord1", (world.person(world.V1, name="吴十"), "medical"))
    payments.void_receipt(coord, voided.number, IMG + SCRIPT)
    people.rename_person(coord, other.id, "周久", SCRIPT)
    handover.create_handover(coord, world.V1, [receipts.number], bank_slip_no=SCRIPT,
                             amount_yuan=f"{receipts.total_fen / 100:.2f}", note=IMG)
    accounts.create_user(world.actor("dadmin"), username="xss_user", name=SCRIPT, role="coordinator",
                         area_codes=[world.V1], title=IMG[:32])
    areas.update_area(world.actor("dadmin"), world.V1, name="曹镇村", full_name="曹镇村" + SCRIPT,
                      point_kind="village_committee", office_phone="")
    roster.publish_roster(world.actor("dadmin"), world.V1, posting_start=today_local(),
                          posting_end=today_local() + timedelta(days=6), office_phone="0375-7654321")
    return {"script": db.session.get(Person, script.id), "img": db.session.get(Person, img.id),
            "receipt": db.session.get(Receipt, receipt.id)}


def test_the_payload_name_is_on_the_receipt_lines(tainted):
    names = set(db.session.scalars(select(Payment.person_name).where(Payment.receipt_id == tainted["receipt"].id)))
    assert names == {SCRIPT, IMG}


def test_pages_that_show_the_person_escape_name_and_address(app, world, login_as, tainted):
    p, img, r = tainted["script"], tainted["img"], tainted["receipt"]
    client = login_as("coordinator")
    pages = {
        "worklist": f"/villages/{world.V1}?status=all",
        "household": f"/households/{p.household_id}",
        "person": f"/people/{p.id}",
        "search": f"/search?q={p.id_tail}",
        "receipt": f"/receipts/{r.number}",
        "receipt list": "/receipts",
        "share": f"/receipts/{r.number}/share",
    }
    for label, url in pages.items():
        resp = client.get(url)
        assert resp.status_code == 200, (label, resp.status_code)
        body = resp.get_data(as_text=True)
        assert_no_raw(body, label)
        assert escaped(SCRIPT) in body or escaped(IMG) in body, label
    body = client.get(f"/people/{p.id}").get_data(as_text=True)
    assert escaped(SCRIPT) in body and escaped(SCRIPT + IMG) in body          # name and address
    body = client.get(f"/people/{img.id}").get_data(as_text=True)
    assert escaped(IMG) in body


def test_public_pages_escape_what_they_show(app, client, tainted):
    r = tainted["receipt"]
    verify = client.get(urlsplit(receipt_pdf.verification_url(Site.of(app), r.number)).path)
    assert verify.status_code == 200
    assert "真实有效" in verify.get_data(as_text=True)
    assert_no_raw(verify.get_data(as_text=True), "verify")
    public = client.get(f"/gongshi/{tainted['script'].village.code}")
    assert public.status_code == 200
    assert_no_raw(public.get_data(as_text=True), "roster")
    assert escaped(SCRIPT) in public.get_data(as_text=True)   # the collection unit's full name


def test_the_receipt_pdf_prints_the_payload_as_text(app, login_as, tainted):
    client = login_as("coordinator")
    resp = client.get(f"/receipts/{tainted['receipt'].number}/pdf/a4")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    text = "".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(resp.data)).pages)
    assert "alert(1)" in text      # shown as text, not swallowed as markup


@pytest.mark.parametrize("role", [None, *ROLES])
def test_no_page_emits_a_payload_raw(app, scene, login_as, tainted, role):
    """Every page each role can open, over the scene and the tainted objects."""
    client = login_as(role)
    values = {"int": scene["int"] + [tainted["script"].id, tainted["script"].household_id, tainted["img"].id],
              "str": scene["str"] + [tainted["receipt"].number]}
    shown = 0
    for url, resp in html_pages(app, client, role, values):
        body = resp.get_data(as_text=True)
        assert_no_raw(body, url)
        shown += escaped(SCRIPT) in body
    assert shown > 0
