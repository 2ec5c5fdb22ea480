"""Search keys for names: `zs` finds 张三, `zhangs` finds 张三 too."""
from pypinyin import Style, lazy_pinyin


def name_initials(name: str) -> str:
    """张三 -> 'zs'; 吕布 -> 'lb'. Non-Chinese characters pass through lower-cased."""
    return "".join(p[0] for p in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default") if p).lower()


def name_pinyin(name: str) -> str:
    """张三 -> 'zhangsan' (no tones, ü written as v)."""
    return "".join(lazy_pinyin(name, style=Style.NORMAL, v_to_u=False)).lower()
