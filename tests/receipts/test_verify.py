"""The public verification page: no login, three answers, masked data only."""
import re

from tests.receipts.conftest import ADDRESS, PHONE
from webapp.rules import signing
from webapp.services import payments
from webapp.timeutil import to_local


def keys(app):
    return app.config["RECEIPT_KEYS"]


def verify_path(app, number):
    return signing.receipt_path(number, keys(app))


def test_valid_receipt_shows_masked_names_amounts_date_and_unit(app, client, receipt, household):
    head = household[0]
    resp = client.get(verify_path(app, receipt.number))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "真实有效" in body and "已作废" not in body
    for expected in [receipt.number, "湛河区曹镇乡曹镇村村民委员会", "张*英", "李*", "欧阳*娜", head.id_masked,
                     "养老", "医疗", "¥300.00", "¥250.00", "¥100.00", "¥900.00",
                     to_local(receipt.created_at).strftime("%Y年%m月%d日")]:
        assert expected in body, expected


def test_the_page_shows_nothing_else(app, client, receipt, household):
    body = client.get(verify_path(app, receipt.number)).get_data(as_text=True)
    for secret in ["张秀英", "李建国", "欧阳娜娜", PHONE, ADDRESS, "低保", "特困", "残疾", "代缴", "政府",
                   "¥150.00", "coord1姓名", household[0].id_number, household[0].id_number[-8:]]:
        assert secret not in body, secret


def test_a_voided_receipt_says_so_with_the_void_date(app, client, world, receipt):
    void = payments.void_receipt(world.actor("coord1"), receipt.number, "档次选错").void
    resp = client.get(verify_path(app, receipt.number))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "已作废" in body and "真实有效" not in body
    assert to_local(void.voided_at).strftime("%Y年%m月%d日") in body
    assert "档次选错" not in body  # the reason is the coordinator's note, not public


def test_bad_signature_and_unknown_number_give_the_identical_answer(app, client, receipt):
    good = verify_path(app, receipt.number)
    token = good.rsplit("/", 1)[1]
    forged = good[:-1] + ("A" if good[-1] != "A" else "B")
    unknown_signed_by_nobody = f"/v/{receipt.number[:-1]}9/{token}"
    malformed = ["/v/x", f"/v/{receipt.number}", f"/v/{receipt.number}/{token}/x", "/v/../../etc/passwd"]
    answers = [client.get(path) for path in [forged, unknown_signed_by_nobody, *malformed]]
    first = answers[0]
    assert first.status_code == 404
    assert "无法验证" in first.get_data(as_text=True)
    for resp in answers:
        assert (resp.status_code, resp.get_data()) == (first.status_code, first.get_data())
    # A number that does not exist, even with a signature we made ourselves, looks the same.
    ghost = client.get(verify_path(app, "2018-999999-00001"))
    assert (ghost.status_code, ghost.get_data()) == (first.status_code, first.get_data())


def test_no_cookie_no_cache_and_the_signed_url_stays_on_this_site(app, client, receipt):
    resp = client.get(verify_path(app, receipt.number))
    assert "Set-Cookie" not in resp.headers
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["Referrer-Policy"] in ("same-origin", "no-referrer")
    assert "noindex" in resp.headers["X-Robots-Tag"]


def test_needs_no_login_even_when_another_user_is_logged_in(app, client, login, receipt):
    assert client.get(verify_path(app, receipt.number)).status_code == 200
    other = login("coord3")  # a coordinator of another township may verify too: it is public
    assert "真实有效" in other.get(verify_path(app, receipt.number)).get_data(as_text=True)


def test_receipts_signed_with_an_old_key_verify_after_rotation(app, client, receipt):
    old_path = verify_path(app, receipt.number)
    keys(app)["2"] = bytes(range(64, 96))  # what `flask rotate-key receipt` adds, after a restart
    new_path = verify_path(app, receipt.number)
    assert new_path != old_path and new_path.rsplit("/", 1)[1].startswith("2")
    for path in (old_path, new_path):
        assert "真实有效" in client.get(path).get_data(as_text=True)


def test_the_page_is_phone_first(app, client, receipt):
    body = client.get(verify_path(app, receipt.number)).get_data(as_text=True)
    assert 'name="viewport"' in body and "width=device-width" in body
    # The CSP allows neither inline; the one script is js/mode.js (长辈模式), from a file.
    mode_js = re.search(r'<script src="/static/js/mode\.js\?v=\w+">', body).group(0)
    assert re.findall(r"<script[^>]*>", body) == [mode_js]
    assert 'style="' not in body
