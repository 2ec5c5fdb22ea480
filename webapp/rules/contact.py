"""Phone numbers and other contact fields.

Every phone goes through typed_text.fold_typed first: full-width digits, ＋８６, full-width
hyphens and spaces, zero-width characters are the same phone as its plain ASCII spelling.
"""
import re

from .typed_text import describe_char, fold_typed


class InvalidPhone(ValueError):
    pass


PERSON_PHONE_MAX = 16    # Person.phone's column


def _bare(raw) -> str:
    """Folded, with the spaces, dashes, dots and brackets people put between digit groups
    removed."""
    return re.sub(r"[\s\-.()]", "", fold_typed(raw))


def _refuse_characters(s: str, what: str):
    bad = [c for c in dict.fromkeys(s) if not ("0" <= c <= "9")]
    if bad:
        raise InvalidPhone(f"{what}只能包含数字，不能有{'、'.join(describe_char(c) for c in bad[:5])}")


def normalize_mobile(raw) -> str:
    """Validate a mainland mobile number; '' stays '' (the phone is optional). Returns the 11
    ASCII digits."""
    s = _bare(raw)
    if s.startswith("+86"):
        s = s[3:]
    elif s.startswith("0086"):
        s = s[4:]
    elif len(s) == 13 and s.startswith("861"):
        s = s[2:]
    if not s:
        return ""
    _refuse_characters(s, "手机号")
    if len(s) != 11:
        raise InvalidPhone(f"手机号应为 11 位，现在是 {len(s)} 位")
    if not re.fullmatch(r"1[3-9]\d{9}", s, flags=re.ASCII):
        raise InvalidPhone("手机号应以 13–19 开头")
    return s


# A landline with its area code (0375-1234567, 03751234567, (0375)1234567, 010-12345678-801), or a
# local number of 7 or 8 digits as village lists write them (2612345: the township's own area code).
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}(-\d{1,6})?", flags=re.ASCII)
_BRACKETED = re.compile(r"\((0\d{2,3})\)-?(\d{7,8}(-\d{1,6})?)", flags=re.ASCII)
_LOCAL = re.compile(r"[2-9]\d{6,7}(-\d{1,6})?", flags=re.ASCII)


def normalize_phone(raw, max_length: int = 32) -> str:
    """The one rule for a phone: a mainland mobile, or a landline (0375-1234567, a local
    2612345); '' stays ''. A landline keeps the dash it was typed with (ASCII now): without one,
    01012345678 cannot tell 010 from 0101. `max_length`: the column it is stored in."""
    s = re.sub(r"\s", "", fold_typed(raw))
    if not s:
        return ""
    if m := _BRACKETED.fullmatch(s):
        s = f"{m.group(1)}-{m.group(2)}"
    if _LANDLINE.fullmatch(s) or _LOCAL.fullmatch(s):
        if len(s) > max_length:
            raise InvalidPhone(f"电话号码太长（最多 {max_length} 位）")
        return s
    try:
        return normalize_mobile(s)
    except InvalidPhone as e:
        if s.startswith("0"):
            raise InvalidPhone("固定电话应写作 区号-号码，如 0375-2612345") from None
        raise e


def is_plain_phone(phone: str) -> bool:
    """Stored the one way normalize_phone writes it (or empty)."""
    try:
        return phone == normalize_phone(phone)
    except InvalidPhone:
        return False
