"""A receipt drawn as a 1-bit image for a thermal print head (203 dpi, 384 or 576 dots a line).

Input is the plain receipt dict of services.receipt_pdf.receipt_dict, the same one the PDF
template pdf/receipt.html renders, and the blocks below follow that template's roll layout in
its order (title, number, void notice, replacement, campaign, unit, payer, the lines, the total,
method, time, coordinator, note, QR code, URL): `receipt_blocks` is that order as data, and a test
holds it against the PDF's text. No Flask, no database.

Everything is drawn for the head's dot grid, never scaled afterwards:
- text with FreeType's monochrome rasteriser (ImageDraw.fontmode "1"): a grey anti-aliased edge
  would be thresholded by the printer into ragged strokes. 24 dots (3 mm, the PDF's 8.5 pt) is
  the body size on 58 mm: 15 Chinese characters a line, readable on thermal paper;
- the QR code as whole dots per module (6 on 58 mm, 7 on 80 mm; never fewer than 4), placed at
  an even dot, with a quiet zone of 4 modules and error correction M, like webapp.qr's codes.
"""
import subprocess
from dataclasses import dataclass
from functools import lru_cache

import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M

DPI = 203
QR_QUIET_MODULES = 4
QR_MIN_DOTS_PER_MODULE = 4


@dataclass(frozen=True)
class Width:
    key: str
    dots: int          # printable dots a line
    margin: int        # dots left blank at each side
    body: int          # body text height in dots (pixel size of the font)
    qr_max_dots: int   # the QR code (with its quiet zone) is at most this wide


WIDTHS = {
    "58mm": Width("58mm", 384, 8, 24, 272),   # 272 dots = 34 mm, the PDF's 58 mm code
    "80mm": Width("80mm", 576, 12, 27, 320),  # 320 dots = 40 mm
}

_FALLBACK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-{}.ttc"


class FontMissing(RuntimeError):
    """No CJK font: the receipt would print boxes."""


@lru_cache(maxsize=2)
def _font_file(style: str) -> tuple[str, int]:
    """(path, face index) of Noto Sans CJK SC in this style, as fontconfig knows it."""
    try:
        out = subprocess.run(["fc-list", f"Noto Sans CJK SC:style={style}", "file", "index"],
                             capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        out = ""
    for line in out.splitlines():
        path, _, rest = line.partition(": ")
        if path and "index=" in rest:
            return path, int(rest.split("index=")[1].split(":")[0])
    path = _FALLBACK_FONT.format(style)
    try:
        open(path, "rb").close()
    except OSError:
        raise FontMissing("找不到中文字体（Noto Sans CJK）。请安装：apt-get install fonts-noto-cjk") from None
    return path, 2  # the SC face of the collection


@lru_cache(maxsize=32)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    path, index = _font_file("Bold" if bold else "Regular")
    # Basic layout: no shaping is needed for Chinese and Latin, and Raqm measures 10x slower.
    return ImageFont.truetype(path, size, index=index, layout_engine=ImageFont.Layout.BASIC)


# --- layout as data -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Text:
    text: str
    scale: float = 1.0          # of the body size
    bold: bool = False
    align: str = "left"         # left, center, right
    gap: float = 0.15           # space below, in lines of body size


@dataclass(frozen=True)
class Rule:
    pass


@dataclass(frozen=True)
class Boxed:
    """The void notice: a frame around centred lines."""
    lines: tuple


@dataclass(frozen=True)
class Qr:
    url: str


def receipt_blocks(d: dict) -> list:
    """The roll receipt of pdf/receipt.html (f.roll branch), block by block, from the same dict."""
    b = [Text("城乡居民社会保险费收据", 1.3, True, "center", 0), Text(f"No. {d['number']}", align="center", gap=0.5)]
    if d["voided"]:
        b.append(Boxed((Text("已作废", 1.8, True, "center"),
                        Text(f"作废时间 {d['voided_at']}", bold=True, align="center"),
                        Text(f"原因：{d['void_reason']}", bold=True, align="center"))))
    if d["replaces"]:
        b.append(Text(f"本收据替代已作废的收据 No. {d['replaces']}", align="center", gap=0.5))
    b += [Text(f"征缴期：{d['campaign']}"), Text(f"缴费年度：{d['coverage']}"), Text(f"代征单位：{d['unit']}"),
          Text(f"交款人：{d['payer']}"), Rule()]
    for line in d["lines"]:
        kind = f"{line['kind_full']}（{line['coverage']}）" + (f" · {line['tier']}" if line["tier"] else "")
        b += [Text(f"{line['name']}　{line['id_masked']}", bold=True), Text(kind),
              *([Text(line["subsidy"], 0.9)] if line.get("subsidy") else []),
              Text(f"自缴 {line['self']}　代缴 {line['gov']}", align="right", gap=0.45)]
    b += [Text("实收合计", align="center", gap=0), Text(d["total"], 1.7, True, "center", 0),
          Text(f"大写：{d['capitals']}", align="center")]
    if d["gov_total"]:
        b.append(Text(f"另有政府代缴 {d['gov_total']}，不向交款人收取", 0.9, align="center"))
    b += [Rule(), Text(f"缴费方式：{d['method']}"), Text(f"收款时间：{d['issued_at']}"),
          Text(f"收款人：{d['coordinator']}"), Text("完税凭证由税务机关另行开具。", 0.9),
          Qr(d["verify_url"]), Text("扫码验证收据真伪", align="center"), Text(d["verify_url"], 0.75, align="center")]
    return b


def block_texts(blocks) -> list[str]:
    """The printed words in order (for comparing with the PDF's text)."""
    out = []
    for block in blocks:
        if isinstance(block, Text):
            out.append(block.text)
        elif isinstance(block, Boxed):
            out += [t.text for t in block.lines]
    return out


# --- drawing ------------------------------------------------------------------------------------

@lru_cache(maxsize=8192)
def _advance(f: ImageFont.FreeTypeFont, ch: str) -> float:
    return f.getlength(ch)


def _wrap(text: str, f: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break anywhere a line is full (Chinese has no spaces; the URL breaks like CSS break-all).
    Summed advances of single characters (cached) instead of measuring every prefix again: the
    CJK font has no kerning in these texts' scripts that would make the sum wrong."""
    lines, line, length = [], "", 0.0
    for ch in text:
        adv = _advance(f, ch)
        if line and length + adv > width:
            lines.append(line)
            line, length = ("", 0.0) if ch.isspace() else (ch, adv)
        else:
            line, length = line + ch, length + adv
    return lines + [line] if line or not lines else lines


@lru_cache(maxsize=16384)
def _glyph(f: ImageFont.FreeTypeFont, ch: str):
    """(mask, left, top) of one character drawn without anti-aliasing, or None for a blank.
    Kept: the same few hundred characters make every receipt, and FreeType rasterising each
    again was most of a job's time."""
    left, top, right, bottom = f.getbbox(ch, anchor="ls")
    if right <= left or bottom <= top:
        return None
    mask = Image.new("1", (right - left, bottom - top), 0)
    draw = ImageDraw.Draw(mask)
    draw.fontmode = "1"  # no anti-aliasing: whole dots
    draw.text((-left, -top), ch, font=f, fill=1, anchor="ls")
    return mask, left, top


def _draw_line(img: Image.Image, x: float, baseline: int, line: str, f: ImageFont.FreeTypeFont):
    for ch in line:
        if (g := _glyph(f, ch)) is not None:
            mask, left, top = g
            img.paste(0, (round(x) + left, baseline + top), mask)
        x += _advance(f, ch)


def _text_image(t: Text, w: Width, inner: int) -> Image.Image:
    size = max(12, round(w.body * t.scale))
    f = font(size, t.bold)
    lines = _wrap(t.text, f, inner)
    line_h = round(size * 1.3)
    img = Image.new("1", (w.dots, line_h * len(lines) + round(w.body * t.gap)), 1)
    ascent, descent = f.getmetrics()
    baseline = (line_h - (ascent + descent)) // 2 + ascent
    for i, line in enumerate(lines):
        length = round(sum(_advance(f, ch) for ch in line))
        x = {"left": w.margin, "right": w.dots - w.margin - length}.get(t.align, (w.dots - length) // 2)
        _draw_line(img, x, i * line_h + baseline, line, f)
    return img


def _rule_image(w: Width) -> Image.Image:
    img = Image.new("1", (w.dots, 24), 1)
    draw = ImageDraw.Draw(img)
    for x in range(w.margin, w.dots - w.margin, 12):  # dashes of 8 dots, 2 dots thick
        draw.rectangle((x, 11, min(x + 7, w.dots - w.margin - 1), 12), fill=0)
    return img


def _boxed_image(b: Boxed, w: Width) -> Image.Image:
    border, pad = 5, 8
    inner = w.dots - 2 * (w.margin + border + pad)
    parts = [_text_image(t, w, inner) for t in b.lines]
    h = sum(p.height for p in parts) + 2 * (border + pad)
    img = Image.new("1", (w.dots, h + w.body // 2), 1)
    y = border + pad
    for p in parts:
        img.paste(p, (0, y))
        y += p.height
    # The frame last: the text images are full width and white around their text.
    ImageDraw.Draw(img).rectangle((w.margin, 0, w.dots - w.margin - 1, h - 1), outline=0, width=border)
    return img


@lru_cache(maxsize=512)
def qr_matrix(url: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code's modules with a quiet zone of 4, at error correction M. Kept for the process
    (the mask search costs a few ms): a receipt's code never changes."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QR_QUIET_MODULES)
    qr.add_data(url)
    qr.make(fit=True)
    return tuple(tuple(row) for row in qr.get_matrix())


def dots_per_module(modules_with_quiet_zone: int, max_dots: int) -> int:
    """Whole dots per module: as many as fit in max_dots, at least 4 (a larger code rather than
    modules a printer head smears)."""
    return max(QR_MIN_DOTS_PER_MODULE, max_dots // modules_with_quiet_zone)


def qr_image(url: str, max_dots: int) -> Image.Image:
    """The code at whole dots per module, mode "1", nothing between black and white."""
    matrix = qr_matrix(url)
    n = len(matrix)
    m = dots_per_module(n, max_dots)
    small = Image.new("1", (n, n), 1)
    small.putdata([0 if dark else 1 for row in matrix for dark in row])
    return small.resize((n * m, n * m), Image.NEAREST)


def _qr_block(q: Qr, w: Width) -> Image.Image:
    code = qr_image(q.url, w.qr_max_dots)
    img = Image.new("1", (w.dots, code.height), 1)
    # An even offset: module edges then fall between dot pairs, and a camera or a scanner at half
    # the resolution still sees sharp modules (an odd one blurs every edge into 50 % grey).
    img.paste(code, ((w.dots - code.width) // 4 * 2, 0))
    return img


def render_receipt_image(d: dict, width: str = "58mm") -> Image.Image:
    """The whole receipt, `WIDTHS[width].dots` wide, mode "1" (0 = a burnt dot)."""
    w = WIDTHS[width]
    inner = w.dots - 2 * w.margin
    parts = []
    for block in receipt_blocks(d):
        if isinstance(block, Text):
            parts.append(_text_image(block, w, inner))
        elif isinstance(block, Rule):
            parts.append(_rule_image(w))
        elif isinstance(block, Boxed):
            parts.append(_boxed_image(block, w))
        elif isinstance(block, Qr):
            parts.append(_qr_block(block, w))
    out = Image.new("1", (w.dots, sum(p.height for p in parts)), 1)
    y = 0
    for p in parts:
        out.paste(p, (0, y))
        y += p.height
    return out


def mm_to_dots(mm: float) -> float:
    return mm * DPI / 25.4


def dots_to_mm(dots: float) -> float:
    return dots * 25.4 / DPI


def pdf_qr_box(url: str, max_mm: float, page_mm: float, margin_left_mm: float) -> tuple[float, float]:
    """(size, left margin) in mm for the QR image of a roll PDF, so that at 203 dpi every module
    is a whole number of printer dots (like the ESC/POS raster) and the code's left edge falls on
    an even dot, centred on the page. A printer app that rasterises the PDF at the head's resolution then
    burns every module the same size; a code of 6.6 dots a module prints columns of 6 and 7.
    (Its top edge stays where the text above ends: a constant fraction of a dot shifts every row
    boundary alike, which thresholding absorbs; uneven modules it cannot.)"""
    n = len(qr_matrix(url))
    size_dots = n * dots_per_module(n, int(mm_to_dots(max_mm)))
    left_dots = round((mm_to_dots(page_mm) - size_dots) / 4) * 2  # even, see _qr_block
    # A quarter dot inside: mm to CSS px to PDF points is not exact, and an edge a hair left of
    # a dot boundary makes the renderer start the code one dot early (columns of 7 again).
    return dots_to_mm(size_dots), dots_to_mm(left_dots + 0.25) - margin_left_mm
