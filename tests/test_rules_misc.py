import pytest

from webapp.rules.contact import InvalidPhone, normalize_mobile, normalize_phone
from webapp.rules.masking import mask_id_number, mask_name, mask_phone
from webapp.rules.pinyin import name_initials, name_pinyin


def test_masking():
    assert mask_id_number("410411199001011234") == "410411********1234"
    assert mask_name("张三") == "张*"
    assert mask_name("李小明") == "李*明"
    assert mask_name("欧阳娜娜") == "欧阳*娜"
    assert mask_phone("13812345678") == "138****5678"


@pytest.mark.parametrize("raw, out", [("138 1234 5678", "13812345678"), ("+8613812345678", "13812345678"), ("", "")])
def test_mobile(raw, out):
    assert normalize_mobile(raw) == out


@pytest.mark.parametrize("raw", ["1381234567", "23812345678", "1381234567a", "12012345678"])
def test_bad_mobile(raw):
    with pytest.raises(InvalidPhone):
        normalize_mobile(raw)


def test_landline_allowed_for_offices():
    assert normalize_phone("0375-2612345") == "0375-2612345"


def test_pinyin_keys():
    assert name_initials("张三") == "zs"
    assert name_pinyin("张三") == "zhangsan"
    assert name_initials("吕小布") == "lxb"
