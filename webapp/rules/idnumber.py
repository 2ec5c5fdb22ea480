"""Resident ID numbers (GB 11643-1999) and the cards that share their format, validated with
python-stdnum.

Three kinds of 18-character number are lawful and accepted:
- 居民身份证: a GB/T 2260 county address code;
- 港澳台居民居住证: address code 810000 (Hong Kong), 820000 (Macao) or 830000 (Taiwan) -- the
  codes set by 《港澳台居民居住证申领发放办法》; stdnum's GB/T 2260 table has no 830000 (Taiwan's
  code there is 710000), so these three are named here;
- 外国人永久居留身份证 (2023 version): "9", the issuing province's 2-digit code, a 3-digit
  GB/T 2659 (= ISO 3166-1 numeric) nationality code, birth date, 2-digit sequence, sex digit.
All have the birth date at 7-14, the sex in the 17th digit and the ISO 7064 MOD 11-2 check
character. Birth date and sex are derived here and nowhere else: they are never typed twice.
"""
import gettext
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import pycountry
from stdnum import exceptions as stdnum_errors
from stdnum import numdb
from stdnum.cn import ric

from .typed_text import describe_char, fold_typed

# What Excel makes of an 18-digit number: 4.10411E+17, 4.10411199001011E17 ...
_EXCEL_SCIENTIFIC = re.compile(r"^\s*\d(\.\d+)?[eE]\+?\d+\s*$")
# The 2017 foreigners' card: 3 letters (nationality), 12 digits.
_OLD_FOREIGN_CARD = re.compile(r"[A-Z]{3}\d{12}")

_PLAIN = re.compile(r"[0-9]{17}[0-9X]")
_SEPARATORS = re.compile(r"[\s\-]")

RESIDENT = "resident"
HMT_PERMIT = "hmt_permit"
FOREIGN_PERMANENT = "foreign_permanent"

RESIDENCE_PERMIT_CODES = {"810000": "香港", "820000": "澳门", "830000": "台湾"}


class InvalidIdNumber(ValueError):
    """The message is Chinese and meant for the person who typed the number."""


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: date
    sex: str  # "M" or "F"
    region_code: str         # address code; for a foreigner's card the issuing province's xx0000
    kind: str = RESIDENT     # RESIDENT, HMT_PERMIT or FOREIGN_PERMANENT
    nationality: str = ""    # ISO 3166-1 numeric, only for FOREIGN_PERMANENT

    @property
    def kind_label(self) -> str:
        return id_kind_label(self)


def looks_mangled_by_excel(raw) -> bool:
    return isinstance(raw, float) or bool(_EXCEL_SCIENTIFIC.match(str(raw or "")))


def normalize_id_number(raw) -> str:
    """One spelling per number: Unicode folded (full-width, Arabic-Indic digits, zero-width
    characters, full-width hyphens and spaces, see typed_text), spaces and dashes removed, `x`
    upper-cased. What is left should be ASCII digits and X; parse_id_number names anything else."""
    if type(raw) is str and _PLAIN.fullmatch(raw):   # nearly every cell of a plan list
        return raw
    return _SEPARATORS.sub("", fold_typed(raw)).upper()


def _refuse_characters(number: str):
    if _PLAIN.fullmatch(number):
        return
    bad = [c for c in dict.fromkeys(number) if c not in "0123456789X"]
    if bad:
        shown = "、".join(describe_char(c) for c in bad[:5])
        raise InvalidIdNumber(f"身份证号只能是 17 位数字加一位数字或 X，不能有{shown}")
    if "X" in number[:-1]:
        raise InvalidIdNumber("身份证号中的 X 只能是最后一位（校验位）")


def parse_id_number(raw) -> IdInfo:
    """Validate an ID number (any of the three kinds) and derive birth date and sex, or raise
    InvalidIdNumber with the one reason that applies."""
    if looks_mangled_by_excel(raw):
        raise InvalidIdNumber(
            "身份证号被 Excel 变成了科学计数法（如 4.10411E+17），末尾数字已丢失，请把该列设为文本后重新录入")
    number = normalize_id_number(raw)
    if not number:
        raise InvalidIdNumber("请填写身份证号")
    if len(number) == 15 and number.isdigit():
        raise InvalidIdNumber("这是 15 位旧身份证号，请填写 18 位身份证号")
    if len(number) == 15 and _OLD_FOREIGN_CARD.fullmatch(number):
        raise InvalidIdNumber("这是 2017 年版外国人永久居留身份证号（15 位），请填写 2023 年换发的 18 位新号码")
    _refuse_characters(number)
    if len(number) != 18:
        raise InvalidIdNumber(f"身份证号应为 18 位，现在是 {len(number)} 位")
    # Not ric.validate() whole: it also demands that the address code existed in the birth year,
    # but codes were assigned when the number was issued (from 1985), so it would refuse real
    # numbers of everyone born before their district was created (湛河区: 1983).
    if number[-1] != ric.calc_check_digit(number):
        raise InvalidIdNumber("身份证号校验位不对，请逐位核对（最后一位是按前 17 位算出的）")
    try:
        birth = ric.get_birth_date(number)
    except stdnum_errors.ValidationError:
        raise InvalidIdNumber("身份证号中的出生日期不存在，请核对第 7 到 14 位") from None
    if number[0] == "9":
        kind, region, nationality = FOREIGN_PERMANENT, _foreign_card_province(number), _nationality(number)
    elif number[:6] in RESIDENCE_PERMIT_CODES:
        kind, region, nationality = HMT_PERMIT, number[:6], ""
    elif known_region(number[:6]):
        kind, region, nationality = RESIDENT, number[:6], ""
    else:
        raise InvalidIdNumber(f"身份证号前 6 位地址码 {number[:6]} 不存在，请核对")
    if birth.year < 1890:
        raise InvalidIdNumber("身份证号中的出生年份不对，请核对第 7 到 10 位")
    if birth > date.today():
        raise InvalidIdNumber("身份证号中的出生日期晚于今天，请核对")
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return IdInfo(number=number, birth_date=birth, sex=sex, region_code=region, kind=kind,
                  nationality=nationality)


def _foreign_card_province(number: str) -> str:
    code = number[1:3] + "0000"
    if not any("province" in props for _, props in numdb.get("cn/loc").info(code)):
        raise InvalidIdNumber(f"外国人永久居留身份证号第 2、3 位受理地代码 {number[1:3]} 不是省级行政区代码，请核对")
    return code


def _nationality(number: str) -> str:
    code = number[3:6]
    if code == "156":
        raise InvalidIdNumber("外国人永久居留身份证号第 4 到 6 位国籍代码为 156（中国），请核对")
    if nationality_name(code) is None:
        raise InvalidIdNumber(f"外国人永久居留身份证号第 4 到 6 位国籍代码 {code} 不存在，请核对")
    return code


@lru_cache(maxsize=512)
def nationality_name(code: str) -> str | None:
    """The country's Chinese name for a GB/T 2659 / ISO 3166-1 numeric code, None if unknown."""
    country = pycountry.countries.get(numeric=code)
    if country is None:
        return None
    return _zh_countries().gettext(country.name)


@lru_cache(maxsize=1)
def _zh_countries():
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"], fallback=True)


def id_kind_label(info: IdInfo) -> str:
    """What card the number belongs to, in Chinese (for the person's page and the audit)."""
    if info.kind == HMT_PERMIT:
        return f"{RESIDENCE_PERMIT_CODES[info.region_code]}居民居住证"
    if info.kind == FOREIGN_PERMANENT:
        return f"外国人永久居留身份证（{nationality_name(info.nationality)}）"
    return "居民身份证"


def is_plain_id_number(number: str) -> bool:
    """Stored the one way it should be: 17 ASCII digits and an ASCII digit or X."""
    return bool(_PLAIN.fullmatch(number or ""))


@lru_cache(maxsize=4096)
def known_region(code: str) -> bool:
    """The address code names a county (in any period) in GB/T 2260, as python-stdnum knows it."""
    return any("county" in props for _, props in numdb.get("cn/loc").info(code))


def age_on(birth_date: date, on: date) -> int:
    """Full years of age on a day (周岁)."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def id_tail(number: str) -> str:
    return number[-4:]
