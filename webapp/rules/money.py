"""Money is an integer number of fen everywhere; yuan appear only here, when formatting."""
import re
from decimal import Decimal, InvalidOperation

import cn2an


class InvalidAmount(ValueError):
    pass


def yuan_to_fen(text) -> int:
    """Parse '350', '350.5' or '350.50' (yuan) into fen; refuse anything with more than 2 decimals."""
    s = str(text or "").strip().replace(",", "").replace("，", "").removesuffix("元")
    if not re.fullmatch(r"\d{1,9}(\.\d{1,2})?", s):
        raise InvalidAmount("金额应为数字，最多两位小数，如 350 或 350.50")
    try:
        return int((Decimal(s) * 100).to_integral_exact())
    except InvalidOperation:  # pragma: no cover - the regex already rules this out
        raise InvalidAmount("金额格式不正确") from None


def fen_to_yuan_str(fen: int) -> str:
    """12345 -> '123.45'; 35000 -> '350.00'."""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def format_yuan(fen: int) -> str:
    """For people: '¥350.00' with thousands separators."""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}¥{fen // 100:,}.{fen % 100:02d}"


def fen_to_capitals(fen: int) -> str:
    """Chinese capital amount for receipts: 35000 -> '叁佰伍拾元整' (cn2an's rmb mode)."""
    if fen == 0:
        return "零元整"
    if fen < 0:
        raise InvalidAmount("金额不能为负数")
    return cn2an.an2cn(fen_to_yuan_str(fen), "rmb")
