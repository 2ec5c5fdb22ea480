"""Small charts drawn on the server as SVG: no chart library, no JavaScript.

Pure functions from plain values to an SVG string. They read well on a phone: the viewBox is about
a phone's width in CSS pixels (so text stays ~13px when the chart fills the screen), labels are
thinned so they never overlap, and every value that matters is printed, not only drawn.
Presentation attributes only (fill, stroke, font-size ...), never style="": the pages' CSP forbids
inline styles, and WeasyPrint draws the same SVG in the PDFs. All text is XML-escaped here.
"""
from html import escape

GREEN = "#07c160"
BLUE = "#10aeff"
GRID = "#e5e5e5"
TEXT = "#1a1a1a"
MUTED = "#7f7f7f"

WIDTH = 360          # viewBox width, about a phone screen in CSS pixels
FONT = 12


def yuan_short(fen: int) -> str:
    """Axis labels: 0, 850, 1.2万, 35万 (yuan)."""
    yuan = fen / 100
    if abs(yuan) >= 10000:
        s = f"{yuan / 10000:.1f}".removesuffix(".0")
        return f"{s}万"
    return f"{yuan:.0f}"


def _nice_max(value: float) -> float:
    """A round axis maximum at or above value: 1, 2, 5 x 10^n."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def _svg(width: int, height: int, body: list[str], label: str, font_family: str | None) -> str:
    font = f' font-family="{escape(font_family)}"' if font_family else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-label="{escape(label)}" font-size="{FONT}"{font}>'
            f'<title>{escape(label)}</title>{"".join(body)}</svg>')


def _text(x, y, s, anchor="start", fill=TEXT, size=None, weight=None) -> str:
    extra = (f' font-size="{size}"' if size else "") + (f' font-weight="{weight}"' if weight else "")
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}"{extra}>{escape(str(s))}</text>'


def _category_label(x: float, s, y: float) -> str:
    """An axis label centred under x, kept inside the chart at both edges."""
    if x + 20 > WIDTH:
        return _text(WIDTH - 2, y, s, anchor="end", fill=MUTED, size=10)
    return _text(x, y, s, anchor="middle", fill=MUTED, size=10)


def _labelled(i: int, n: int, every: int) -> bool:
    """Every k-th category is labelled, and the last one always, with room before it."""
    return i == n - 1 or (i % every == 0 and i + every <= n - 1)


def _label_every(n: int, room: float, label_width: float) -> int:
    """Show every k-th category label so that labels never overlap."""
    if n == 0:
        return 1
    return max(1, int(-(-label_width // max(room, 0.01))))


def _axis(values, height, top, left, right, fmt, lines=4) -> tuple[list[str], float]:
    top_value = _nice_max(max(values, default=0))
    body = []
    plot_h = height - top
    for i in range(lines + 1):
        v = top_value * i / lines
        y = top + plot_h - plot_h * i / lines
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" stroke="{GRID}" '
                    f'stroke-width="1"/>')
        body.append(_text(left - 4, y + 4, fmt(v), anchor="end", fill=MUTED, size=10))
    return body, top_value


def bar_chart(points: list[tuple[str, float]], *, label: str, fmt=str, height: int = 200,
              color: str = GREEN, font_family: str | None = None) -> str:
    """Vertical bars, one per category (e.g. a day), with a value axis; the highest bar's value
    and the last one's are printed on the bars."""
    left, right, top, bottom = 44, 8, 18, 24
    plot_w, plot_bottom = WIDTH - left - right, height - bottom
    values = [v for _, v in points]
    body, top_value = _axis(values, plot_bottom, top, left, right, fmt)
    n = len(points)
    slot = plot_w / max(n, 1)
    every = _label_every(n, slot, 40)
    peak = max(range(n), key=lambda i: values[i]) if n else -1
    for i, (name, v) in enumerate(points):
        h = (plot_bottom - top) * (v / top_value) if top_value else 0
        x = left + i * slot + slot * 0.15
        w = max(slot * 0.7, 1)
        body.append(f'<rect x="{x:.1f}" y="{plot_bottom - h:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{color}">'
                    f'<title>{escape(str(name))}：{escape(fmt(v))}</title></rect>')
        if _labelled(i, n, every):
            body.append(_category_label(left + i * slot + slot / 2, name, height - 8))
        if v and i in (peak, n - 1):
            body.append(_text(min(max(x + w / 2, left + 14), WIDTH - right - 14), plot_bottom - h - 4, fmt(v),
                              anchor="middle", size=10, weight="bold"))
    if not n:
        body.append(_text(WIDTH / 2, height / 2, "暂无数据", anchor="middle", fill=MUTED))
    return _svg(WIDTH, height, body, label, font_family)


def line_chart(points: list[tuple[str, float]], *, label: str, fmt=str, height: int = 200,
               color: str = BLUE, font_family: str | None = None) -> str:
    """A line over categories (e.g. a cumulative total by day), its last value printed."""
    left, right, top, bottom = 44, 12, 18, 24
    plot_w, plot_bottom = WIDTH - left - right, height - bottom
    values = [v for _, v in points]
    body, top_value = _axis(values, plot_bottom, top, left, right, fmt)
    n = len(points)
    step = plot_w / max(n - 1, 1)
    every = _label_every(n, step, 40)
    xy = [(left + i * step if n > 1 else left + plot_w / 2,
           plot_bottom - (plot_bottom - top) * (v / top_value if top_value else 0)) for i, v in enumerate(values)]
    if xy:
        path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(xy))
        body.append(f'<path d="{path}" fill="none" stroke="{color}" stroke-width="2.5" '
                    f'stroke-linejoin="round" stroke-linecap="round"/>')
        x, y = xy[-1]
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color}"/>')
        body.append(_text(min(x, WIDTH - right - 20), y - 8, fmt(values[-1]), anchor="middle", size=11, weight="bold"))
    for i, (name, _) in enumerate(points):
        if _labelled(i, n, every):
            body.append(_category_label(xy[i][0], name, height - 8))
    if not n:
        body.append(_text(WIDTH / 2, height / 2, "暂无数据", anchor="middle", fill=MUTED))
    return _svg(WIDTH, height, body, label, font_family)


def hbar_chart(items: list[tuple[str, float | None]], *, label: str, fmt=str, max_value: float = 1.0,
               color: str = GREEN, font_family: str | None = None) -> str:
    """One horizontal bar per row (a ranking): name on the left, value on the right. Reads on a
    phone without turning it sideways, however many rows there are. None means "no figure"."""
    row_h, left, right, top = 28, 92, 52, 4
    height = top + row_h * max(len(items), 1) + 4
    plot_w = WIDTH - left - right
    body = []
    for i, (name, v) in enumerate(items):
        y = top + i * row_h
        name = str(name)
        short = name if len(name) <= 6 else name[:5] + "…"
        body.append(_text(left - 6, y + row_h / 2 + 4, short, anchor="end"))
        body.append(f'<rect x="{left}" y="{y + 6}" width="{plot_w}" height="{row_h - 12}" fill="{GRID}"/>')
        if v:
            w = plot_w * min(max(v / max_value, 0), 1)
            body.append(f'<rect x="{left}" y="{y + 6}" width="{w:.1f}" height="{row_h - 12}" fill="{color}">'
                        f'<title>{escape(name)}：{escape(fmt(v))}</title></rect>')
        body.append(_text(WIDTH - right + 6, y + row_h / 2 + 4, "—" if v is None else fmt(v)))
    if not items:
        body.append(_text(WIDTH / 2, top + row_h / 2 + 4, "暂无数据", anchor="middle", fill=MUTED))
    return _svg(WIDTH, height, body, label, font_family)


def progress_bar(done: int, total: int, *, label: str, font_family: str | None = None) -> str:
    """A single bar 'done of total' with the share printed in it."""
    height, pad = 28, 2
    share = done / total if total else 0
    w = (WIDTH - 2 * pad) * min(max(share, 0), 1)
    body = [f'<rect x="{pad}" y="{pad}" width="{WIDTH - 2 * pad}" height="{height - 2 * pad}" rx="6" fill="{GRID}"/>']
    if w:
        body.append(f'<rect x="{pad}" y="{pad}" width="{w:.1f}" height="{height - 2 * pad}" rx="6" fill="{GREEN}"/>')
    body.append(_text(WIDTH / 2, height / 2 + 5, f"{done} / {total}（{share * 100:.0f}%）", anchor="middle",
                      size=13, weight="bold"))
    return _svg(WIDTH, height, body, label, font_family)
