"""The coordinator's pages through the test client: the whole door-to-door flow without JavaScript."""
import re
from datetime import date

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Payment, Person, Receipt


def text(resp):
    return resp.get_data(as_text=True)


def test_worklist_search_household_quote_confirm_receipt(world, login):
    head = world.person(name="张大山", birth=date(1975, 1, 1))
    kid = world.person(name="张小河", birth=date(2012, 1, 1), household=head.household_id)
    client = login("coord1")
    page = text(client.get(f"/villages/{world.V1}"))
    assert "张大山户" in page and "3 项未缴" in page
    assert "张大山" in text(client.get("/search?q=zds"))

    form = {"step": "quote", "method": "cash", f"pension_{head.id}": "30000",
            f"medical_{head.id}": "y", f"medical_{kid.id}": "y"}
    quote = client.post(f"/households/{head.household_id}/pay", data=form)
    assert quote.status_code == 200
    body = text(quote)
    assert "¥800.00" in body and "捌佰元整" in body
    client_id = re.search(r'name="client_id" type="hidden" value="([^"]+)"', body).group(1)
    assert db.session.scalar(select(func.count(Receipt.id))) == 0   # a quote stores nothing

    form.update(step="confirm", client_id=client_id)
    done = client.post(f"/households/{head.household_id}/pay", data=form)
    assert done.status_code == 302 and "/receipts/" in done.location
    receipt = text(client.get(done.location))
    for expected in ("张大山", "张小河", "¥800.00", "捌佰元整", "300.00 元档", "曹镇村"):
        assert expected in receipt

    again = client.post(f"/households/{head.household_id}/pay", data=form)   # double tap
    assert again.location == done.location
    assert db.session.scalar(select(func.count(Payment.id))) == 3

    page = text(client.get(f"/villages/{world.V1}?status=paid"))
    assert "已缴清" in page


def test_quote_with_nothing_selected_says_so(world, login):
    p = world.person()
    client = login("coord1")
    resp = client.post(f"/households/{p.household_id}/pay", data={"step": "quote", "method": "cash"})
    assert resp.status_code == 422 and "请至少选择一项缴费" in text(resp)


def test_blocked_line_is_explained_beside_the_person(world, login):
    p = world.person(name="学生甲", birth=date(2001, 1, 1), is_student=True)
    client = login("coord1")
    page = text(client.get(f"/households/{p.household_id}"))
    assert "在校学生不参加城乡居民养老保险" in page
    assert f'name="pension_{p.id}"' not in page   # no tier to pick
    resp = client.post(f"/households/{p.household_id}/pay",
                       data={"step": "quote", "method": "cash", f"pension_{p.id}": "20000"})
    assert resp.status_code == 422 and "在校学生" in text(resp)


def test_register_shows_errors_by_the_field_and_keeps_input(world, login):
    client = login("coord1")
    resp = client.post(f"/villages/{world.V1}/register", data={
        "name": "赵六", "id_number": "410411199001011230", "address": "", "phone": "123", "relation": "户主"})
    body = text(resp)
    assert resp.status_code == 422
    assert "校验位不对" in body and "手机号应为 11 位" in body and "请填写住址" in body
    assert 'value="赵六"' in body
    assert db.session.scalar(select(func.count(Person.id))) == 0


def test_register_a_new_household_then_a_member(world, login):
    client = login("coord1")
    number = world.id_number(date(1985, 5, 5))
    resp = client.post(f"/villages/{world.V1}/register", data={
        "name": "钱七", "id_number": number, "address": "曹镇村北街8号", "phone": "13700000000",
        "relation": "户主", "new_enrollee": "y"})
    assert resp.status_code == 302
    person = db.session.scalar(select(Person).where(Person.name == "钱七"))
    assert person.new_enrollee and person.birth_date == date(1985, 5, 5)
    resp = client.post(f"/villages/{world.V1}/register?household={person.household_id}", data={
        "name": "钱小七", "id_number": world.id_number(date(2015, 5, 5)), "address": "", "phone": "",
        "relation": "子女", "household_id": str(person.household_id)})
    assert resp.status_code == 302
    page = text(client.get(f"/households/{person.household_id}"))
    assert "钱七" in page and "钱小七" in page and "新参保" in page


def test_void_from_the_receipt_page(world, login):
    p = world.person(name="孙八")
    r = world.pay("coord1", (p, "medical"))
    client = login("coord1")
    assert "作废这张收据" in text(client.get(f"/receipts/{r.number}"))
    resp = client.post(f"/receipts/{r.number}/void", data={"reason": ""})
    assert resp.status_code == 422 and "此项必填" in text(resp)
    resp = client.post(f"/receipts/{r.number}/void", data={"reason": "收错了"}, follow_redirects=True)
    assert "已作废" in text(resp) and "收错了" in text(resp)
    tadmin = login("tadmin1")
    assert r.number in text(tadmin.get("/admin/voids"))


def test_rename_page_and_history(world, login):
    p = world.person(name="周九")
    client = login("coord1")
    resp = client.post(f"/people/{p.id}/rename", data={"new_name": "周玖", "reason": "户口本更名"},
                       follow_redirects=True)
    body = text(resp)
    assert "周九 → 周玖" in body and "户口本更名" in body


def test_coordinator_sees_masked_ids_only(world, login):
    p = world.person()
    client = login("coord1")
    body = text(client.get(f"/people/{p.id}"))
    assert p.id_masked in body and p.id_number not in body
    assert client.post(f"/people/{p.id}/id-number").status_code == 403
    admin = login("tadmin1")
    assert p.id_number in text(admin.post(f"/people/{p.id}/id-number"))


def test_campaign_closed_message(world, login):
    from datetime import timedelta

    from webapp.services import campaigns
    from webapp.timeutil import today_local
    data = campaigns.input_from(world.campaign)
    today = today_local()
    data.mobilisation_start, data.mobilisation_end = today - timedelta(days=5), today + timedelta(days=1)
    data.collection_start, data.collection_end = today + timedelta(days=2), today + timedelta(days=20)
    data.summary_start, data.summary_end = today + timedelta(days=21), today + timedelta(days=40)
    campaigns.update_campaign(world.actor("dadmin"), world.campaign.id, data)
    p = world.person()
    client = login("coord1")
    resp = client.post(f"/households/{p.household_id}/pay",
                       data={"step": "quote", "method": "cash", f"medical_{p.id}": "y"})
    assert resp.status_code == 422 and "开始，现在还不能收费" in text(resp)


def test_handed_over_receipt_offers_no_void(world, login):
    from webapp.services import handover
    p = world.person()
    r = world.pay("coord1", (p, "medical"))
    client = login("coord1")
    assert "作废这张收据" in text(client.get(f"/receipts/{r.number}"))
    handover.create_handover(world.actor("coord1"), world.V1, [r.number], bank_slip_no="YH001",
                             amount_yuan=f"{r.total_fen / 100:.2f}")
    assert "作废这张收据" not in text(client.get(f"/receipts/{r.number}"))
