"""What a person typed, as the characters they meant.

Chinese keyboards type full-width digits (１２３) and hyphens (－), the ideographic space, and
copy-paste from chat apps brings zero-width spaces and direction marks; a phone set to Arabic
types ٠١٢٣. Every number a person types (ID numbers, phones) goes through `fold_typed` before it
is validated, hashed or stored, so that one number has one spelling.
"""
import unicodedata

# Dashes that NFKC leaves alone but people type between digit groups.
_DASHES = {"\u2212", "\u30fc", "\uff70", "\u2043", "\ufe63"}


def fold_typed(raw) -> str:
    """NFKC (full-width → ASCII, ideographic space → space), every decimal digit of any script
    → its ASCII digit, format characters (zero-width space/joiners, BOM, bidi marks) dropped,
    any space → ' ', any dash → '-'. Other characters are kept, so the caller can name them."""
    s = "" if raw is None else str(raw)
    if s.isascii():  # the common case, and the 100,000-row plan list: no per-character work
        return s
    s = unicodedata.normalize("NFKC", s)
    out = []
    for ch in s:
        if ch.isascii():
            out.append(ch)
            continue
        category = unicodedata.category(ch)
        if category == "Cf":
            continue
        if category == "Nd":
            out.append(str(unicodedata.decimal(ch)))
        elif category == "Zs":
            out.append(" ")
        elif category == "Pd" or ch in _DASHES:
            out.append("-")
        else:
            out.append(ch)
    return "".join(out)


def describe_char(ch: str) -> str:
    """A character for an error message: itself when visible, its code point otherwise."""
    if ch.isprintable() and not ch.isspace():
        return f"“{ch}”"
    return f"不可见字符 U+{ord(ch):04X}"
