"""Server-drawn SVG charts: well-formed, escaped, no inline styles, readable values."""
import xml.etree.ElementTree as ET

import pytest

from webapp.rules import svgchart

NS = "{http://www.w3.org/2000/svg}"


def parse(svg: str):
    return ET.fromstring(svg)


def texts(root):
    return ["".join(t.itertext()) for t in root.iter(f"{NS}text")]


def test_bar_chart_draws_one_bar_per_point_and_prints_the_peak():
    points = [(f"11/{d}", v) for d, v in enumerate([0, 120000, 450000, 80000], 1)]
    root = parse(svgchart.bar_chart(points, label="每日收款", fmt=lambda f: svgchart.yuan_short(int(f))))
    bars = root.findall(f"{NS}rect")
    assert len(bars) == 4
    heights = [float(b.get("height")) for b in bars]
    assert heights.index(max(heights)) == 2 and heights[0] == 0
    assert "4500" in texts(root) and "800" in texts(root)         # the peak and the last value
    assert root.get("role") == "img" and root.findtext(f"{NS}title") == "每日收款"


@pytest.mark.parametrize("n", [2, 7, 14, 15, 31, 60])
def test_labels_are_thinned_so_they_never_overlap(n):
    points = [(f"11/{i + 1}", i) for i in range(n)]
    for svg in (svgchart.bar_chart(points, label="x"), svgchart.line_chart(points, label="x")):
        labels = [t for t in parse(svg).iter(f"{NS}text") if t.get("y") == str(float(200 - 8))]
        # A label is about 30 units wide; "end"-anchored ones sit left of their x.
        spans = sorted((float(t.get("x")) - (30 if t.get("text-anchor") == "end" else 15),
                        float(t.get("x")) + (0 if t.get("text-anchor") == "end" else 15)) for t in labels)
        assert "".join(labels[-1].itertext()) == f"11/{n}"          # the last day is always named
        assert all(b[0] >= a[1] for a, b in zip(spans, spans[1:], strict=False)), spans
        assert max(s[1] for s in spans) <= svgchart.WIDTH


def test_text_is_escaped_and_there_is_no_style_attribute():
    evil = '<script>alert(1)</script>"&'
    for svg in (svgchart.bar_chart([(evil, 1)], label=evil), svgchart.line_chart([(evil, 1), ("b", 2)], label=evil),
                svgchart.hbar_chart([(evil, 0.5)], label=evil), svgchart.progress_bar(1, 2, label=evil)):
        root = parse(svg)                                           # well-formed XML
        assert "<script>" not in svg and "style=" not in svg
        assert root.findtext(f"{NS}title") == evil


def test_line_chart_ends_with_its_last_value():
    root = parse(svgchart.line_chart([("a", 1), ("b", 5), ("c", 12)], label="累计", fmt=lambda v: f"{int(v)}人"))
    assert root.find(f"{NS}path").get("d").startswith("M") and "12人" in texts(root)


def test_ranking_bars_scale_to_the_share_and_show_none_as_a_dash():
    root = parse(svgchart.hbar_chart([("甲村", 1.0), ("乙村", 0.25), ("一个名字很长的社区", None)],
                                     label="排名", fmt=lambda r: f"{r * 100:.0f}%"))
    rects = root.findall(f"{NS}rect")
    track = float(rects[0].get("width"))
    filled = [float(r.get("width")) for r in rects if r.get("fill") == svgchart.GREEN]
    assert filled == [track, track / 4]
    assert "100%" in texts(root) and "25%" in texts(root) and "—" in texts(root)
    assert "一个名字很…" in texts(root)                        # long names shortened, never overlapping


def test_empty_charts_say_so():
    for svg in (svgchart.bar_chart([], label="x"), svgchart.line_chart([], label="x"),
                svgchart.hbar_chart([], label="x")):
        assert "暂无数据" in texts(parse(svg))


def test_yuan_short():
    assert [svgchart.yuan_short(f) for f in (0, 85000, 1200000, 35000000)] == ["0", "850", "1.2万", "35万"]


def test_font_family_only_when_asked():
    assert "font-family" not in svgchart.progress_bar(1, 3, label="x")
    assert 'font-family="Noto Sans CJK SC, sans-serif"' in svgchart.progress_bar(
        1, 3, label="x", font_family="Noto Sans CJK SC, sans-serif")
