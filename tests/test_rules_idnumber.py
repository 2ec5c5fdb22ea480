from datetime import date

import pytest

from tests.factories import valid_id
from webapp.rules.idnumber import InvalidIdNumber, age_on, looks_mangled_by_excel, parse_id_number


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
    # A correct checksum on an address code that GB/T 2260 does not know.
    from stdnum.cn import ric
    body = "99999919900101123"
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
