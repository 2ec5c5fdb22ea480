"""Phones: one phone, one spelling, whatever keyboard typed it (issue 11, part 1)."""
import pytest

from webapp.rules.contact import InvalidPhone, is_plain_phone, normalize_mobile, normalize_phone
from webapp.rules.typed_text import fold_typed


@pytest.mark.parametrize("typed", [
    "１３８００１３８０００",              # full-width digits
    "＋８６ １３８ ００１３ ８０００",      # full-width +86, ideographic spaces
    "+86 138-0013-8000",
    "138－0013－8000",                    # full-width hyphens
    "138\u200b0013\u200b8000",            # zero-width spaces
    "١٣٨٠٠١٣٨٠٠٠",                       # Arabic-Indic digits
    "0086 138 0013 8000",
    "86 138 0013 8000",
    "(+86) 13800138000",
])
def test_every_spelling_of_a_mobile_is_the_same_ascii_number(typed):
    assert normalize_mobile(typed) == "13800138000"
    assert normalize_phone(typed) == "13800138000"


@pytest.mark.parametrize("raw, message", [
    ("1380013800", "应为 11 位，现在是 10 位"),
    ("１３８００１３８０００１", "现在是 12 位"),
    ("138a0013800", "不能有“a”"),
    ("23800138000", "以 13–19 开头"),
])
def test_wrong_mobiles_say_why(raw, message):
    with pytest.raises(InvalidPhone, match=message):
        normalize_mobile(raw)


def test_landline_typed_full_width_is_stored_ascii():
    assert normalize_phone("０３７５－２６１２３４５") == "0375-2612345"
    assert normalize_phone("03752612345") == "03752612345"


def test_plain_phone():
    assert is_plain_phone("13800138000") and is_plain_phone("")
    assert not is_plain_phone("１３８００１３８０００") and not is_plain_phone("138 0013 8000")


def test_fold_typed_keeps_what_it_cannot_map_so_it_can_be_named():
    assert fold_typed("１２ab３\u200b") == "12ab3"
    assert fold_typed("张三") == "张三"


@pytest.mark.parametrize("typed, stored", [
    ("0375-1234567", "0375-1234567"), ("03751234567", "03751234567"), ("(0375)1234567", "0375-1234567"),
    ("（０３７５）１２３４５６７", "0375-1234567"), ("010-12345678-801", "010-12345678-801"),
    ("2612345", "2612345"), ("26123456", "26123456"),   # a local number, as 附件2's 电话 column has it
])
def test_landlines_are_phones(typed, stored):
    assert normalize_phone(typed) == stored and is_plain_phone(stored)


def test_a_phone_too_long_for_its_column_is_refused():
    assert normalize_phone("0375-12345678-8012") == "0375-12345678-8012"
    with pytest.raises(InvalidPhone, match="太长"):
        normalize_phone("0375-12345678-8012", max_length=16)
    with pytest.raises(InvalidPhone):
        normalize_phone("0375-123")
