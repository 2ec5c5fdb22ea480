"""Personal names as typed on forms and in lists: trimmed, one spelling of the middle dot, checked."""
import re

_NAME = re.compile(r"[\u3400-\u9fff\uf900-\ufaffA-Za-z·•．.\s]{1,32}")


def clean_name(raw: str) -> str:
    name = re.sub(r"\s+", "", raw or "").replace("•", "·").replace("．", "·")
    if not name:
        raise ValueError("请填写姓名")
    if not _NAME.fullmatch(name):
        raise ValueError("姓名只能包含汉字、字母和间隔号·")
    if len(name) > 32:
        raise ValueError("姓名太长")
    return name
