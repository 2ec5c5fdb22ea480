"""Phone numbers and other contact fields."""
import re


class InvalidPhone(ValueError):
    pass


def normalize_mobile(raw) -> str:
    """Validate a mainland mobile number; '' stays '' (the phone is optional)."""
    s = re.sub(r"[\s\-]", "", str(raw or ""))
    if s.startswith("+86"):
        s = s[3:]
    elif s.startswith("0086"):
        s = s[4:]
    if not s:
        return ""
    if not re.fullmatch(r"1[3-9]\d{9}", s):
        raise InvalidPhone("手机号应为 11 位，以 13–19 开头")
    return s


def normalize_phone(raw) -> str:
    """Mobile or landline (0375-1234567) for offices and staff."""
    s = re.sub(r"\s", "", str(raw or ""))
    if not s:
        return ""
    if re.fullmatch(r"0\d{2,3}-?\d{7,8}(-\d{1,6})?", s):
        return s
    return normalize_mobile(s)
