"""The receipt page's actions: print and download in each format, share, and 重开收据."""
import re

import pytest
from sqlalchemy import select

from tests.receipts.conftest import pdf_text
from webapp.extensions import db
from webapp.models import AuditEvent, Receipt
from webapp.rules import signing
from webapp.services import accounts, payments, reissue
from webapp.services.actor import SYSTEM
from webapp.services.errors import ValidationFailed


def page(client, number):
    resp = client.get(f"/receipts/{number}")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def test_receipt_page_offers_every_format_share_and_the_verification_url(app, login, receipt):
    number = receipt.number
    body = page(login("coord1"), number)
    for fmt in ("58mm", "80mm", "a5", "a4"):
        assert f'href="/receipts/{number}/pdf/{fmt}"' in body
        assert f'href="/receipts/{number}/pdf/{fmt}?download=1"' in body
    assert 'id="share-receipt"' in body and f'href="/receipts/{number}/share"' in body
    assert "js/receipt.js" in body
    url = re.search(r'data-url="([^"]+)"', body).group(1)
    assert signing.verify_url(url, "http://lx.test", app.config["RECEIPT_KEYS"]) == number
    assert "重开收据" not in body  # not voided


@pytest.mark.parametrize("user", ["coord1", "tadmin1", "dadmin"])
def test_pdf_inline_for_printing_or_as_a_download(login, receipt, user):
    client = login(user)
    inline = client.get(f"/receipts/{receipt.number}/pdf/80mm")
    assert inline.status_code == 200 and inline.mimetype == "application/pdf"
    assert inline.headers["Content-Disposition"].startswith("inline")
    assert "城乡居民社会保险费收据" in pdf_text(inline.data)
    download = client.get(f"/receipts/{receipt.number}/pdf/a4?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert f"{receipt.number}-a4.pdf" in download.headers["Content-Disposition"]


@pytest.mark.parametrize("user", ["coord2", "coord3", "tadmin2"])
def test_receipts_of_other_areas_are_not_found(login, receipt, user):
    client = login(user)
    for path in ("pdf/58mm", "pdf/a4?download=1", "share"):
        resp = client.get(f"/receipts/{receipt.number}/{path}")
        assert resp.status_code == 404, path
        assert "张秀英" not in resp.get_data(as_text=True)


def test_anonymous_users_are_sent_to_login(client, receipt):
    for path in ("pdf/58mm", "share", "reissue"):
        resp = client.get(f"/receipts/{receipt.number}/{path}")
        assert resp.status_code == 302 and "/login" in resp.location


def test_unknown_format_is_not_found(login, receipt):
    assert login("coord1").get(f"/receipts/{receipt.number}/pdf/a3").status_code == 404


def test_share_page_without_web_share_has_the_qr_code_link_and_pdfs(app, login, receipt):
    body = login("coord1").get(f"/receipts/{receipt.number}/share").get_data(as_text=True)
    assert "<svg" in body and "qr-path" in body
    assert signing.receipt_path(receipt.number, app.config["RECEIPT_KEYS"]) in body
    assert f"/receipts/{receipt.number}/pdf/58mm?download=1" in body


# --- 重开收据 --------------------------------------------------------------------------------

def test_reissue_needs_a_void_first(login, receipt):
    client = login("coord1")
    resp = client.get(f"/receipts/{receipt.number}/reissue")
    assert resp.status_code == 302
    assert "只有已作废的收据才能重开" in page(client, receipt.number)


def test_reissue_is_for_coordinators_of_that_receipt_only(world, login, receipt):
    payments.void_receipt(world.actor("coord1"), receipt.number, "档次选错")
    assert login("tadmin1").get(f"/receipts/{receipt.number}/reissue").status_code == 403
    assert login("coord2").get(f"/receipts/{receipt.number}/reissue").status_code == 404
    accounts.create_user(SYSTEM, username="coord1b", name="另一位协管员", role="coordinator",
                         area_codes=[world.V1], password=world.PASSWORD, is_demo=True)
    client = login("coord1b")
    assert "重开收据" not in page(client, receipt.number)
    resp = client.post(f"/receipts/{receipt.number}/reissue", data={"step": "quote"})
    assert resp.status_code == 302
    assert "只有开具这张收据的协管员可以重开" in page(client, receipt.number)
    assert db.session.scalar(select(Receipt).where(Receipt.replaces_id == receipt.id)) is None


def test_reissue_after_void_corrects_the_tier_and_names_the_old_receipt(app, world, login, receipt, household):
    head, spouse, dibao = household
    old_number, old_id = receipt.number, receipt.id
    payments.void_receipt(world.actor("coord1"), old_number, "档次选错，重新开具")
    client = login("coord1")
    assert f'href="/receipts/{old_number}/reissue"' in page(client, old_number)

    form = client.get(f"/receipts/{old_number}/reissue").get_data(as_text=True)
    assert re.search(rf'name="pension_{head.id}".*?<option selected value="30000">', form, re.S)
    assert re.search(rf'id="medical_{spouse.id}"[^>]*checked|checked[^>]*id="medical_{spouse.id}"', form)

    data = {"step": "quote", f"pension_{head.id}": "50000", f"medical_{head.id}": "y",
            f"medical_{spouse.id}": "y", f"medical_{dibao.id}": "y", "method": "cash", "payer_name": "张秀英"}
    confirm = client.post(f"/receipts/{old_number}/reissue", data=data)
    body = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "确认重开 ¥1,100.00" in body
    client_id = re.search(r'name="client_id" type="hidden" value="([^"]+)"', body).group(1)

    done = client.post(f"/receipts/{old_number}/reissue", data={**data, "step": "confirm", "client_id": client_id})
    assert done.status_code == 302
    new = db.session.scalar(select(Receipt).where(Receipt.replaces_id == old_id))
    assert done.location.endswith(f"/receipts/{new.number}")
    assert new.total_fen == 110000 and {l.tier_fen for l in new.lines} == {50000, None}
    new_page = page(client, new.number)
    assert "本收据替代已作废的收据" in new_page and f'href="/receipts/{old_number}">No. {old_number}' in new_page
    old_page = page(client, old_number)
    assert f"新收据 <a href=\"/receipts/{new.number}\">" in old_page and "重开收据</a>" not in old_page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "payment.record",
                                                       AuditEvent.object_id == str(new.id)))
    assert event.after["replaces_id"] == old_id

    pdf = client.get(f"/receipts/{new.number}/pdf/58mm")
    assert f"替代已作废的收据No.{old_number}" in "".join(pdf_text(pdf.data).split())

    # The same confirmation sent again (a double tap): the same replacement, nothing new.
    again = client.post(f"/receipts/{old_number}/reissue", data={**data, "step": "confirm", "client_id": client_id})
    assert again.location.endswith(f"/receipts/{new.number}")
    # A second, different reissue of the same voided receipt is refused.
    other = client.post(f"/receipts/{old_number}/reissue",
                        data={**data, "step": "confirm", "client_id": "7d0c7a36-6f3a-4a8e-9a53-0b7e2f7a1c11"})
    assert other.status_code == 302
    assert "已经重开过" in page(client, old_number)
    assert len(db.session.scalars(select(Receipt).where(Receipt.replaces_id == old_id)).all()) == 1


def test_reissue_shows_the_quote_errors_next_to_the_person(world, login, receipt, household):
    head = household[0]
    payments.void_receipt(world.actor("coord1"), receipt.number, "重来")
    resp = login("coord1").post(f"/receipts/{receipt.number}/reissue", data={"step": "quote", "method": "cash"})
    assert resp.status_code == 422
    assert "请至少选择一项缴费" in resp.get_data(as_text=True)
    assert head.name in resp.get_data(as_text=True)


def test_a_replacement_holds_only_people_of_the_voided_receipt(world, receipt):
    payments.void_receipt(world.actor("coord1"), receipt.number, "重来")
    stranger = world.person(name="王五")
    with pytest.raises(ValidationFailed, match="原收据上的人员"):
        reissue.reissue_receipt(world.actor("coord1"), receipt.number,
                                [payments.LineRequest(stranger.id, "medical")],
                                method="cash", payer_name="", client_id=None)
