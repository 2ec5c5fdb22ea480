"""What public pages may show of a person (PIPL): masked ID, masked name, never phone or address."""
from functools import cache
from pathlib import Path

COMPOUND_SURNAMES_FILE = Path(__file__).parent / "data" / "compound_surnames.txt"
NAME_MODES = {"full": "完整姓名（张三丰）", "masked": "隐去部分（张*丰）"}


def mask_id_number(number: str) -> str:
    """410411199001011234 -> 410411********1234 (first 6 and last 4 kept)."""
    if not number or len(number) < 10:
        return "*" * len(number or "")
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


@cache
def compound_surnames() -> frozenset[str]:
    """The maintained list of 复姓 (data/compound_surnames.txt, from the 百家姓)."""
    lines = COMPOUND_SURNAMES_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def split_name(name: str) -> tuple[str, str]:
    """(surname, given name). A compound surname counts only when a given name follows it:
    欧阳娜娜 is 欧阳 + 娜娜, but a two-character 欧阳 is the surname 欧 and the given name 阳."""
    name = (name or "").strip()
    if len(name) > 2 and name[:2] in compound_surnames():
        return name[:2], name[2:]
    return name[:1], name[1:]


def mask_name(name: str) -> str:
    """The surname and the given name's last character: 张三 -> 张*, 李小明 -> 李*明,
    欧阳娜娜 -> 欧阳*娜, 司马光 -> 司马*."""
    surname, given = split_name(name)
    if len(given) <= 1:
        return surname + "*" * len(given)
    return surname + "*" * (len(given) - 1) + given[-1]


def mask_phone(phone: str) -> str:
    """13812345678 -> 138****5678."""
    if not phone or len(phone) < 7:
        return ""
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
