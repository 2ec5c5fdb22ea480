"""What the upload limits cost and what they allow (rules/spreadsheet.py: UploadLimits).

upload_measure_100k_cpu_s: CPU time of measure_xlsx (zip checks + streaming cell count) on the
100,000-row plan list of bench_import, paid by every .xlsx upload before calamine reads it;
upload_read_100k_rss_mb: peak RSS of a fresh process reading that list (read_rows);
upload_largest_rss_mb / upload_largest_s: the same for the largest sheet the default limits
accept: 200,000 rows x 15 columns, the 3,000,000-cell rectangle, every cell a shared string;
upload_refuse_xfd_ms: refusing the 1.5 KB file whose one cell sits at XFD1048576 (before: 512
GiB asked for); upload_xls_unmeasured_rss_mb: what calamine alone takes to open a 5.6 KB .xls
with cells at A1 and IV65536 (each sheet's rectangle is built when the workbook opens), and
upload_refuse_xls_ms / upload_refuse_xls_rss_mb: read_rows refusing it (rules/xls.py). Each
reading runs in its own process, so the peak RSS is that reading's own (the figures are what
reading added on top of the process as it stood)."""
import io
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The peak is reset once the imports are done (Linux: writing 5 to clear_refs resets VmHWM), so
# the figure is what reading the file added on top of the process as it stood.
CHILD = """
import re, sys, time
sys.path.insert(0, {root!r})
from webapp.rules.spreadsheet import BadFile, read_rows
def kb(field):
    return int(re.search(field + r":\\s+(\\d+)", open("/proc/self/status").read()).group(1))
data = open(sys.argv[1], "rb").read() if len(sys.argv) > 1 else None
open("/proc/self/clear_refs", "w").write("5")
before = kb("VmRSS")
t = time.perf_counter()
rows = None
if data is not None:
    try:
        rows = len(read_rows(sys.argv[1], data))
    except BadFile as e:
        rows = "refused: " + str(e)[:40]
print(time.perf_counter() - t, (kb("VmHWM") - before) / 1024, rows)
"""

# calamine opening an .xls with no measuring first: the cost measure_xls spares.
CALAMINE_ONLY = CHILD.replace("rows = len(read_rows(sys.argv[1], data))", """import io
        from python_calamine import CalamineWorkbook
        rows = len(CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names)""")


def _child(path: Path | None, code: str = CHILD) -> tuple[float, float, str]:
    args = [sys.executable, "-c", code.format(root=str(ROOT))] + ([str(path)] if path else [])
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout.split(maxsplit=2)
    return float(out[0]), float(out[1]), out[2].strip()


def largest_accepted(rows: int, columns: int) -> bytes:
    from webapp.rules.spreadsheet import column_letters
    letters = [column_letters(c) for c in range(1, columns + 1)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        from tests.security import hostile
        z.writestr("[Content_Types].xml", hostile.TYPES.replace(
            "</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                        'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
        z.writestr("_rels/.rels", hostile.ROOT_RELS)
        z.writestr("xl/workbook.xml", hostile.BOOK)
        z.writestr("xl/_rels/workbook.xml.rels", hostile.BOOK_RELS.replace(
            "</Relationships>", '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/'
                                '2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'))
        strings = [f"第{i}组{i * 7 % 300}号" for i in range(1000)]
        z.writestr("xl/sharedStrings.xml", '<?xml version="1.0"?><sst xmlns="' + hostile.NS + '">'
                   + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(f'<?xml version="1.0"?><worksheet xmlns="{hostile.NS}"><sheetData>'.encode())
            for r in range(1, rows + 1):
                f.write((f'<row r="{r}">' + "".join(f'<c r="{L}{r}" t="s"><v>{(r + i) % 1000}</v></c>'
                                                    for i, L in enumerate(letters)) + "</row>").encode())
            f.write(b"</sheetData></worksheet>")
    return out.getvalue()


def run() -> dict:
    sys.path.insert(0, str(ROOT))
    from bench.bench_import import make_rows, make_xlsx
    from tests.security import hostile
    from webapp.rules.spreadsheet import DEFAULT_LIMITS, measure_xlsx
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        plan = make_xlsx(make_rows())
        c0 = time.process_time()
        measure_xlsx(plan)
        figures["upload_measure_100k_cpu_s"] = round(time.process_time() - c0, 2)
        (tmp / "plan.xlsx").write_bytes(plan)
        _, rss, rows = _child(tmp / "plan.xlsx")
        figures["upload_read_100k_rss_mb"] = round(rss)
        columns = 15
        big = largest_accepted(DEFAULT_LIMITS.max_cells // columns, columns)
        (tmp / "largest.xlsx").write_bytes(big)
        seconds, rss, rows = _child(tmp / "largest.xlsx")
        print(f"   largest accepted: {len(big) / 1e6:.1f} MB packed, {rows} rows read", flush=True)
        assert rows.isdigit(), rows
        figures["upload_largest_s"], figures["upload_largest_rss_mb"] = round(seconds, 2), round(rss)
        (tmp / "xfd.xlsx").write_bytes(hostile.one_cell_at("XFD1048576"))
        seconds, rss, rows = _child(tmp / "xfd.xlsx")
        assert rows.startswith("refused"), rows
        figures["upload_refuse_xfd_ms"] = round(seconds * 1000, 1)
        figures["upload_refuse_xfd_rss_mb"] = round(rss)
        (tmp / "iv.xls").write_bytes(hostile_xls())
        _, rss, _ = _child(tmp / "iv.xls", CALAMINE_ONLY)
        figures["upload_xls_unmeasured_rss_mb"] = round(rss)
        seconds, rss, rows = _child(tmp / "iv.xls")
        assert rows.startswith("refused"), rows
        figures["upload_refuse_xls_ms"] = round(seconds * 1000, 1)
        figures["upload_refuse_xls_rss_mb"] = round(rss)
    return figures


def hostile_xls() -> bytes:
    """5.6 KB: one sheet, a cell at A1 and one at IV65536 (the last an .xls can have)."""
    from tests.paperwork.util import xls_bytes
    rows = [[] for _ in range(65536)]
    rows[0], rows[65535] = ["a"], [None] * 255 + ["b"]
    return xls_bytes([rows])


if __name__ == "__main__":
    print(run())
