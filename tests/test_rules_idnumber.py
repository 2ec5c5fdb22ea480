from datetime import date

import pytest
from stdnum.cn import ric

from tests.factories import valid_id
from webapp.rules.idnumber import (
    FOREIGN_PERMANENT,
    HMT_PERMIT,
    RESIDENT,
    InvalidIdNumber,
    age_on,
    is_plain_id_number,
    looks_mangled_by_excel,
    normalize_id_number,
    parse_id_number,
)


def test_valid_number_gives_birth_date_and_sex():
    info = parse_id_number("11010519491231002X")
    assert info.birth_date == date(1949, 12, 31)
    assert info.sex == "F"          # 17th digit 2 is even
    assert info.region_code == "110105"


def test_lower_case_x_spaces_and_dashes_are_normalised():
    assert parse_id_number(" 110105-19491231 002x ").number == "11010519491231002X"


def test_odd_sequence_is_male():
    number = valid_id(date(1990, 1, 1), male=True)
    assert parse_id_number(number).sex == "M"


@pytest.mark.parametrize("raw, message", [
    ("", "请填写身份证号"),
    ("4101", "应为 18 位"),
    ("410411900101123", "15 位旧身份证号"),
    ("11010519491231002A", "17 位数字加一位数字或 X"),
    ("110105194912310021", "校验位不对"),
    ("4.10411E+17", "科学计数法"),
])
def test_bad_numbers_are_refused_with_a_reason(raw, message):
    with pytest.raises(InvalidIdNumber, match=message):
        parse_id_number(raw)


def test_impossible_birth_date_is_refused_even_with_a_right_checksum():
    from stdnum.cn import ric
    body = "41041119900230123"  # 30 February
    with pytest.raises(InvalidIdNumber, match="出生日期不存在"):
        parse_id_number(body + ric.calc_check_digit(body + "0"))


def test_float_from_a_spreadsheet_is_recognised_as_mangled():
    assert looks_mangled_by_excel(4.10411199001011e17)
    assert looks_mangled_by_excel("4.10411E+17")
    assert not looks_mangled_by_excel("410411199001011234")


def test_unknown_region_code_is_refused():
    # A correct checksum on an address code that GB/T 2260 does not know (a leading 9 would be
    # a foreigner's card, see test_foreigners_card_*).
    from stdnum.cn import ric
    body = "10999919900101123"
    with pytest.raises(InvalidIdNumber, match="地址码"):
        parse_id_number(body + ric.calc_check_digit(body + "0"))


def test_older_people_keep_the_code_their_district_got_later():
    # 湛河区 (410411) exists since 1983; someone born in 1950 there has a real number with it.
    number = valid_id(date(1950, 3, 1))
    assert parse_id_number(number).birth_date == date(1950, 3, 1)


def test_future_birth_date_is_refused():
    from stdnum.cn import ric
    body = "41041121000101123"
    with pytest.raises(InvalidIdNumber):
        parse_id_number(body + ric.calc_check_digit(body + "0"))


@pytest.mark.parametrize("birth, on, age", [
    (date(1958, 1, 1), date(2018, 10, 11), 60),
    (date(1958, 10, 12), date(2018, 10, 11), 59),
    (date(2000, 2, 29), date(2018, 2, 28), 17),
    (date(2000, 2, 29), date(2018, 3, 1), 18),
])
def test_age_counts_full_years(birth, on, age):
    assert age_on(birth, on) == age


# --- one number, one spelling (issue 11, part 1) ---------------------------------------------

_FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def with_check(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


PLAIN = with_check("41041119870611002")          # ends in X
assert PLAIN.endswith("X")
PLAIN_DIGIT = with_check("41041119870611003")    # ends in a digit


@pytest.mark.parametrize("typed", [
    "410411" + PLAIN[6:].translate(_FULL_WIDTH),                 # the 410411１９８７…
    PLAIN.translate(_FULL_WIDTH),                                # every character full-width
    PLAIN[:-1].translate(_FULL_WIDTH) + "ｘ",                     # full-width lower-case x
    PLAIN[:-1].translate(_ARABIC_INDIC) + "X",                   # Arabic-Indic digits
    PLAIN[:6] + "\u200b" + PLAIN[6:14] + "\u200b" + PLAIN[14:],  # zero-width spaces
    "\ufeff" + PLAIN + "\u200d",                                 # BOM, zero-width joiner
    PLAIN[:6] + "－" + PLAIN[6:14] + "－" + PLAIN[14:],           # full-width hyphens
    PLAIN[:6] + "\u3000" + PLAIN[6:14] + "\u00a0" + PLAIN[14:],  # ideographic and no-break spaces
    PLAIN[:6] + "\u2014" + PLAIN[6:],                            # em dash
])
def test_every_spelling_of_a_number_is_the_same_ascii_number(typed):
    info = parse_id_number(typed)
    assert info.number == PLAIN
    assert info.number.isascii() and is_plain_id_number(info.number)
    assert info.birth_date == date(1987, 6, 11) and info.sex == "F"
    assert normalize_id_number(typed) == PLAIN


def test_a_number_typed_entirely_in_full_width_is_accepted_not_a_bad_check_digit():
    # Today: "校验位不对" (the check character was compared with an ASCII one).
    assert parse_id_number(PLAIN_DIGIT.translate(_FULL_WIDTH)).number == PLAIN_DIGIT


@pytest.mark.parametrize("raw, message", [
    ("4104111987061100", "应为 18 位，现在是 16 位"),
    ("41041119870611002XX", "X 只能是最后一位"),
    ("4104111987X6110021", "X 只能是最后一位"),
    ("41041119870611002Y", "不能有“Y”"),
    ("410411,19870611002X", "不能有“,”"),
    ("41041119870611002\x07", r"不可见字符 U\+0007"),
    ("ABC123456789012", "2017 年版外国人永久居留身份证"),
    (PLAIN[:-1] + "1", "校验位不对"),
])
def test_each_kind_of_wrong_number_gets_its_own_reason(raw, message):
    with pytest.raises(InvalidIdNumber, match=message):
        parse_id_number(raw)


def test_wrong_length_is_counted_after_normalisation():
    with pytest.raises(InvalidIdNumber, match="现在是 17 位"):
        parse_id_number(PLAIN[:-1].translate(_FULL_WIDTH))


def test_only_ascii_digits_count_as_digits():
    # Python's \d and str.isdigit() accept ٣ and ３; the stored number must not.
    assert not is_plain_id_number(PLAIN.translate(_FULL_WIDTH))
    assert not is_plain_id_number("²" + PLAIN[1:])
    assert is_plain_id_number(PLAIN)


# --- every lawful number (issue 11, part 2) -------------------------------------------------

@pytest.mark.parametrize("code, place", [("810000", "香港"), ("820000", "澳门"), ("830000", "台湾")])
def test_residence_permits_of_hong_kong_macao_and_taiwan_residents(code, place):
    number = with_check(f"{code}19900101123")
    info = parse_id_number(number)
    assert info.kind == HMT_PERMIT and info.region_code == code
    assert info.birth_date == date(1990, 1, 1) and info.sex == "M"
    assert info.kind_label == f"{place}居民居住证"


def test_foreigners_card_2023_is_accepted_with_birth_date_sex_and_nationality():
    # 9, issued in 北京 (11), nationality 840 (United States), born 1985-03-15, sequence 01, sex 2.
    number = with_check("91184019850315012")
    info = parse_id_number(number)
    assert info.kind == FOREIGN_PERMANENT
    assert info.birth_date == date(1985, 3, 15) and info.sex == "F"
    assert info.nationality == "840" and info.region_code == "110000"
    assert info.kind_label == "外国人永久居留身份证（美国）"
    assert parse_id_number(with_check("94441019990101001")).sex == "M"   # 广东, 410 韩国


@pytest.mark.parametrize("body, message", [
    ("99984019850315012", "受理地代码 99"),
    ("91199919850315012", "国籍代码 999 不存在"),
    ("91115619850315012", "156（中国）"),
    ("91184019850230012", "出生日期不存在"),
])
def test_foreigners_card_refusals_name_the_wrong_part(body, message):
    with pytest.raises(InvalidIdNumber, match=message):
        parse_id_number(with_check(body))


def test_ordinary_resident_number_is_a_resident_kind():
    info = parse_id_number(PLAIN)
    assert info.kind == RESIDENT and info.kind_label == "居民身份证"
