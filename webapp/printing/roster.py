"""The public roster (公示名单) as a PDF: A4, or A3 for the notice board (the same layout scaled
by √2), from the plain dict services/roster.roster_dict builds (templates/roster.html).

The grid is text in a monospaced CJK font (Noto Sans Mono CJK SC): every ASCII character is half
an em wide and every other character (Chinese, the name separator ·) one em, so a row is one line
of text aligned by spaces (`white-space: pre`), and the column rules are drawn at positions
computed here. WeasyPrint lays out one line per row instead of seven table cells, about 3.5 times
faster, and the page looks like a ruled table. The page breaks are decided here too (paginate),
not by WeasyPrint: "第 x 页 共 y 页" is known before rendering, big rosters are rendered in chunks
of whole pages in parallel processes and merged, and each chunk's page count is checked against
ours, so a roster whose numbering would lie is never printed.
"""
import io
import math
import multiprocessing
import os
import subprocess
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import lru_cache

from ..rules.money import fen_to_yuan_str
from . import engine, templates
from .qr import qr_svg

# Bump when the printed layout changes: PDFs of older layouts kept on disk are then not served.
LAYOUT_REV = "1"


# --- paper and the grid ----------------------------------------------------------------------

@dataclass(frozen=True)
class Paper:
    key: str
    label: str
    scale: float      # every length of the A4 layout is multiplied by this


PAPERS = {"A4": Paper("A4", "A4（210×297 毫米）", 1.0),
          "A3": Paper("A3", "A3（297×420 毫米，公告栏）", math.sqrt(2))}

# The grid's font (see the module docstring). Names may only hold characters it draws at one of
# the two widths (services.people checks them); tabular figures read better anyway.
MONO_FAMILY = "Noto Sans Mono CJK SC"
FONT_PT = 10
HALF_MM = FONT_PT / 2 * 25.4 / 72          # one half-width character, in millimetres (A4)
GAP = 2                                     # half-widths between columns; the rule sits in the middle
# (heading, second heading line, width in half-widths, alignment)
COLUMNS = (("序号", "", 5, ">"), ("姓名", "", 24, "<"), ("身份证号", "", 18, "<"),
           ("养老保险", "（元）", 11, ">"), ("医疗保险", "（元）", 11, ">"), ("合计", "（元）", 11, ">"),
           ("缴费日期", "", 10, "<"))
GRID_HALVES = 1 + sum(c[2] for c in COLUMNS) + GAP * (len(COLUMNS) - 1) + 1
# The A4 layout, in millimetres (A3 is the same, scaled). The template uses these numbers too.
LAYOUT = {
    "margin_top": 12, "margin_side": 12, "margin_bottom": 16, "header_h": 20, "head_line_h": 4.6,
    "line_h": 6, "font_pt": FONT_PT, "grid_mm": GRID_HALVES * HALF_MM,
    "rules_mm": [(1 + sum(c[2] for c in COLUMNS[:i + 1]) + GAP * i + GAP / 2) * HALF_MM
                 for i in range(len(COLUMNS) - 1)],
}
LINES_PER_PAGE = 38         # (297 - 12 - 16 - 20 - 10) / 6 = 39.8 lines; one spare for safety
CLOSING_LINES = 11          # totals, 公示期 and phone, QR code, seal: they need this much room
MIN_PAGES_PER_CHUNK = 6     # below this a separate process costs more than it saves


def text_width(s: str) -> int:
    """Width in half-widths in the monospaced font: ASCII 1, anything else (Chinese, ·, －) 2."""
    return sum(1 if ord(c) < 128 else 2 for c in s)


def _cell(value: str, width: int, align: str) -> str:
    pad = " " * max(0, width - text_width(value))
    if align == ">":
        return pad + value
    if align == "^":
        return pad[:len(pad) // 2] + value + pad[len(pad) // 2:]
    return value + pad


def grid_line(values, align: str | None = None) -> str:
    """One printed line of the grid: each value padded to its column."""
    cells = [_cell(v, c[2], align or c[3]) for v, c in zip(values, COLUMNS, strict=True)]
    return " " + (" " * GAP).join(cells) + " "


def grid_head() -> str:
    return "\n".join(grid_line([c[i] for c in COLUMNS], "^") for i in (0, 1))


def name_lines(name: str) -> list[str]:
    """The name cut into lines that fit its column (almost always one line)."""
    width, lines, current = COLUMNS[1][2], [], ""
    for ch in name:
        if text_width(current + ch) > width:
            lines.append(current)
            current = ""
        current += ch
    return lines + [current]


def _yuan(fen: int | None) -> str:
    return "－" if fen is None else fen_to_yuan_str(fen)


def row_lines(row: dict) -> list[str]:
    names = name_lines(row["name"])
    first = grid_line([str(row["seq"]), names[0], row["id_masked"], _yuan(row["pension_fen"]),
                       _yuan(row["medical_fen"]), _yuan(row["total_fen"]), row["paid_on"].isoformat()])
    return [first] + [grid_line(["", n, "", "", "", "", ""]) for n in names[1:]]


def paginate(rows: list[dict]) -> list[dict]:
    """Rows onto printed pages, as the text of each page's grid. The last page carries the closing
    block (totals, 公示期, QR code, seal); it gets a page of its own when the rows leave no room."""
    pages, current = [], []
    for row in rows:
        lines = row_lines(row)
        if current and len(current) + len(lines) > LINES_PER_PAGE:
            pages.append(current)
            current = []
        current.extend(lines)
    if current or not pages:
        pages.append(current)
    if len(current) + CLOSING_LINES > LINES_PER_PAGE:
        pages.append([])
    return [{"number": i, "text": "\n".join(lines), "lines": len(lines), "closing": i == len(pages)}
            for i, lines in enumerate(pages, 1)]


def totals_line(data: dict) -> str:
    return grid_line(["", f"合计 {data['count']} 人", "", data["pension_total"], data["medical_total"],
                      data["total"], ""])


# --- rendering -------------------------------------------------------------------------------

def _render_chunk(html: str) -> bytes:
    """Runs in a worker process: one chunk of whole pages."""
    return engine.render_pdf(html)


def _executor(workers: int) -> ProcessPoolExecutor:
    # forkserver, not fork: gunicorn's threaded workers must not be forked mid-request (a lock
    # held by another thread would stay locked in the child). The server process imports this
    # module once; each worker is a cheap fork of it.
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([__name__])
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx)


def _render_parallel(htmls: list[str]) -> list[bytes]:
    if len(htmls) == 1:
        return [_render_chunk(htmls[0])]
    try:
        with _executor(len(htmls)) as ex:
            return list(ex.map(_render_chunk, htmls))
    except (BrokenProcessPool, OSError):  # no processes allowed here: still print, just slower
        return [_render_chunk(h) for h in htmls]


def chunk_count(pages: int) -> int:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cpus, pages // MIN_PAGES_PER_CHUNK))


@lru_cache(maxsize=1)
def _mono_font_present() -> bool:
    try:
        out = subprocess.run(["fc-list", MONO_FAMILY, "family"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return MONO_FAMILY in out


def render_pdf(data: dict, paper: str = "A4") -> bytes:
    """The roster PDF from its plain dict (services.roster.roster_dict) on `paper` (a key of
    PAPERS): pages decided here, chunks rendered in parallel, merged."""
    from pypdf import PdfReader, PdfWriter

    engine.require_engine()
    if not _mono_font_present():
        # Another font would have other widths and the columns would not line up: refuse.
        raise engine.PdfEngineMissing(f"找不到等宽中文字体 {MONO_FAMILY}。请安装：apt-get install fonts-noto-cjk")
    pages = paginate(data["rows"])
    n = chunk_count(len(pages))
    size = -(-len(pages) // n)
    groups = [pages[i:i + size] for i in range(0, len(pages), size)]
    qr = qr_svg(data["url"], box_size=1, border=2)[0] if data["url"] else ""
    common = dict(d=data, total_pages=len(pages), p=PAPERS[paper], L=LAYOUT, mono=MONO_FAMILY, qr=qr,
                  head=grid_head(), totals=totals_line(data))
    htmls = [templates.render("roster.html", pages=group, **common) for group in groups]
    parts = _render_parallel(htmls)
    writer = PdfWriter()
    for group, part in zip(groups, parts, strict=True):
        reader = PdfReader(io.BytesIO(part))
        if len(reader.pages) != len(group):
            # Our page breaks and WeasyPrint's disagree: the numbering would lie. Never print that.
            raise RuntimeError(f"roster layout overflow: {len(group)} pages laid out as {len(reader.pages)}")
        writer.append(reader)
    writer.add_metadata({"/Title": f"{data['unit_name']} {data['title']}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
