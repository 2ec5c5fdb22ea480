"""Resident ID numbers (GB 11643-1999), validated with python-stdnum.

Birth date and sex are derived here and nowhere else: they are never typed twice.
"""
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from stdnum import exceptions as stdnum_errors
from stdnum import numdb
from stdnum.cn import ric

# What Excel makes of an 18-digit number: 4.10411E+17, 4.10411199001011E17 ...
_EXCEL_SCIENTIFIC = re.compile(r"^\s*\d(\.\d+)?[eE]\+?\d+\s*$")


class InvalidIdNumber(ValueError):
    """The message is Chinese and meant for the person who typed the number."""


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: date
    sex: str  # "M" or "F"
    region_code: str


def looks_mangled_by_excel(raw) -> bool:
    return isinstance(raw, float) or bool(_EXCEL_SCIENTIFIC.match(str(raw or "")))


def normalize_id_number(raw) -> str:
    """Strip spaces and separators and upper-case the check character."""
    return re.sub(r"[\s\-]", "", str(raw or "")).upper()


def parse_id_number(raw) -> IdInfo:
    """Validate a resident ID number and derive birth date and sex, or raise InvalidIdNumber."""
    if looks_mangled_by_excel(raw):
        raise InvalidIdNumber(
            "身份证号被 Excel 变成了科学计数法（如 4.10411E+17），末尾数字已丢失，请把该列设为文本后重新录入")
    number = normalize_id_number(raw)
    if not number:
        raise InvalidIdNumber("请填写身份证号")
    if len(number) == 15 and number.isdigit():
        raise InvalidIdNumber("这是 15 位旧身份证号，请填写 18 位身份证号")
    if len(number) != 18:
        raise InvalidIdNumber(f"身份证号应为 18 位，现在是 {len(number)} 位")
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise InvalidIdNumber("身份证号只能是 17 位数字加一位数字或 X")
    # Not ric.validate() whole: it also demands that the address code existed in the birth year,
    # but codes were assigned when the number was issued (from 1985), so it would refuse real
    # numbers of everyone born before their district was created (湛河区: 1983).
    if number[-1] != ric.calc_check_digit(number):
        raise InvalidIdNumber("身份证号校验位不对，请逐位核对")
    try:
        birth = ric.get_birth_date(number)
    except stdnum_errors.ValidationError:
        raise InvalidIdNumber("身份证号中的出生日期不存在，请核对第 7 到 14 位") from None
    if not known_region(number[:6]):
        raise InvalidIdNumber(f"身份证号前 6 位地址码 {number[:6]} 不存在，请核对")
    if birth.year < 1890:
        raise InvalidIdNumber("身份证号中的出生年份不对，请核对第 7 到 10 位")
    if birth > date.today():
        raise InvalidIdNumber("身份证号中的出生日期晚于今天，请核对")
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return IdInfo(number=number, birth_date=birth, sex=sex, region_code=number[:6])


@lru_cache(maxsize=4096)
def known_region(code: str) -> bool:
    """The address code names a county (in any period) in GB/T 2260, as python-stdnum knows it."""
    return any("county" in props for _, props in numdb.get("cn/loc").info(code))


def age_on(birth_date: date, on: date) -> int:
    """Full years of age on a day (周岁)."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def id_tail(number: str) -> str:
    return number[-4:]
