"""What public pages may show of a person (PIPL): masked ID, masked name, never phone or address."""


def mask_id_number(number: str) -> str:
    """410411199001011234 -> 410411********1234 (first 6 and last 4 kept)."""
    if not number or len(number) < 10:
        return "*" * len(number or "")
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_name(name: str) -> str:
    """张三 -> 张*, 李小明 -> 李*明, 欧阳娜娜 -> 欧**娜."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    """13812345678 -> 138****5678."""
    if not phone or len(phone) < 7:
        return ""
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
