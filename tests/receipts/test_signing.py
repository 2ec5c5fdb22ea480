"""The signed receipt URL in the QR code: pure functions, no app, no database."""
import base64
import string

import pytest

from webapp.printing.qr import qr_version
from webapp.rules import signing

BASE = "https://lx.example.cn"
NUMBER = "2018-200001-00042"
KEY1 = bytes(range(32))
KEY2 = bytes(range(100, 132))


def test_a_signed_url_verifies_and_carries_128_bits():
    keys = {"1": KEY1}
    url = signing.receipt_url(BASE, NUMBER, keys)
    assert url.startswith(f"{BASE}/v/{NUMBER}/1")
    assert signing.verify_url(url, BASE, keys) == NUMBER
    token = url.rsplit("/", 1)[1]
    sig = token[1:]
    assert len(sig) == 22 and set(sig) <= set(string.ascii_letters + string.digits + "-_")
    assert len(base64.urlsafe_b64decode(sig + "==")) * 8 == 128


def _variants(url: str):
    """Every URL that differs from `url` in exactly one character: changed, dropped or added."""
    alphabet = string.ascii_letters + string.digits + "-_./:"
    for i, ch in enumerate(url):
        for other in alphabet:
            if other != ch:
                yield url[:i] + other + url[i + 1:]
        yield url[:i] + url[i + 1:]
    yield url + "A"


def test_changing_any_character_of_the_url_fails_it():
    keys = {"1": KEY1, "2": KEY2}
    url = signing.receipt_url(BASE, NUMBER, keys)
    checked = 0
    for variant in _variants(url):
        if variant == url:  # dropping one of two equal neighbours gives ... a different string anyway
            continue
        assert signing.verify_url(variant, BASE, keys) is None, variant
        checked += 1
    assert checked > len(url) * 60


def test_the_last_signature_character_is_compared_as_text():
    # 16 bytes in base64 leave 4 spare bits in the 22nd character: a lenient decoder accepts
    # several characters there. The comparison must not.
    keys = {"1": KEY1}
    token = signing.sign_number(NUMBER, keys)
    last = token[-1]
    same_bits = [c for c in string.ascii_letters + string.digits + "-_"
                 if c != last and base64.urlsafe_b64decode("AAAAAAAAAAAAAAAAAAAA" + c + last + "==")[:15]
                 == base64.urlsafe_b64decode("AAAAAAAAAAAAAAAAAAAA" + last + last + "==")[:15]]
    for c in same_bits:
        assert not signing.verify_token(NUMBER, token[:-1] + c, keys)


def test_old_key_ids_still_verify_after_rotation():
    old_ring = {"1": KEY1}
    old_url = signing.receipt_url(BASE, NUMBER, old_ring)
    rotated = {"1": KEY1, "2": KEY2}
    new_url = signing.receipt_url(BASE, NUMBER, rotated)
    assert new_url.rsplit("/", 1)[1].startswith("2")       # the newest key signs
    assert signing.verify_url(old_url, BASE, rotated) == NUMBER
    assert signing.verify_url(new_url, BASE, rotated) == NUMBER
    assert signing.verify_url(new_url, BASE, old_ring) is None   # unknown key id
    assert signing.verify_url(old_url, BASE, {"1": KEY2}) is None  # same id, other key


def test_newest_key_is_the_highest_number():
    assert signing.newest_key_id({"9": KEY1, "10": KEY2}) == "10"
    assert signing.sign_number(NUMBER, {"9": KEY1, "10": KEY2}).startswith("10")
    with pytest.raises(ValueError):
        signing.newest_key_id({})


def test_a_token_belongs_to_its_number_only():
    keys = {"1": KEY1}
    token = signing.sign_number(NUMBER, keys)
    assert signing.verify_token(NUMBER, token, keys)
    assert not signing.verify_token("2018-200001-00043", token, keys)
    assert not signing.verify_token(NUMBER, token[:-1], keys)
    assert not signing.verify_token(NUMBER, "", keys)
    assert not signing.verify_token("", token, keys)


@pytest.mark.parametrize("bad", ["", "../etc", "2018 200001", "x" * 40, "2018/200001"])
def test_only_receipt_numbers_are_signed(bad):
    with pytest.raises(ValueError):
        signing.sign_number(bad, {"1": KEY1})


@pytest.mark.parametrize("rest", ["", "a", "a/b/c", NUMBER, NUMBER + "/"])
def test_other_path_shapes_split_to_nothing_verifiable(rest):
    number, token = signing.split_path(rest)
    assert not signing.verify_token(number, token, {"1": KEY1})


@pytest.mark.parametrize("base, expected", [
    ("http://lx.test", 4),
    # a long real-world address and a key id of two digits still fit version 6
    ("https://lianxian.zhanhe.pingdingshan.gov.cn", 5),
])
def test_the_qr_code_stays_at_version_6_or_lower(base, expected):
    keys = {str(i): KEY1 for i in range(1, 13)}
    url = signing.receipt_url(base, "2018-200001-99999", keys)
    version = qr_version(url)
    assert version == expected, (len(url), version)
    assert version <= 6
