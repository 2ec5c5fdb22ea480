"""Receipt PDF speed and size, in a warm process, next to a straightforward WeasyPrint render.

- receipt_pdf_p50_ms / _p95_ms: rendering one receipt (template, QR code, layout, PDF), the PDF
  cache bypassed, over RUNS renders after a warm-up: what a coordinator waits for.
- receipt_pdf_cpu_p50_ms: the same renders in CPU time of this process, which other programs on
  a busy machine do not inflate (wall time on 2 shared cores can be twice that).
- receipt_pdf_kb: its size (58 mm roll, a household of three with four lines).
- receipt_pdf_naive_p50_ms / _kb: the same HTML and CSS through HTML(...).write_pdf() with the
  installed font, as one would write it first.
- receipt_pdf_newchars_ms: a render that brings characters the process has not printed yet (the
  subset font is rebuilt): the first receipts of a new village look like this.
- receipt_pdf_cached_ms: the same receipt again (print after download, share after print).
"""
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

RUNS = 60
NAIVE_RUNS = 50


def _timed(fn, runs, cpu=None):
    times = []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        out = fn()
        times.append((time.perf_counter() - start) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - start_cpu) * 1000)
    times.sort()
    return times, out


def _p(times, q):
    return times[min(len(times) - 1, int(round(q * (len(times) - 1))))]


def sample_receipt_data(prefix: str = "bench-receipt-") -> dict:
    """The plain data of a four-line household receipt (a compound surname, 代缴), from a fresh
    database: what every receipt renderer's benchmark draws."""
    from tests.conftest import make_test_config
    from tests.factories import World
    from webapp import create_app
    from webapp.extensions import db
    from webapp.services import receipt_pdf
    from webapp.services.site import Site

    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    app = create_app(make_test_config(f"sqlite:///{tmp / 'bench.db'}", tmp))
    with app.app_context():
        db.create_all()
        world = World()
        head = world.person(name="张秀英", birth=date(1975, 3, 8), male=False)
        spouse = world.person(name="李建国", household=head, relation="配偶")
        child = world.person(name="欧阳娜娜", household=head, relation="子女", birth=date(2000, 1, 2),
                             male=False, is_dibao=True)
        receipt = world.pay("coord1", (head, "pension", 30000), (head, "medical"), (spouse, "medical"),
                            (child, "medical"))
        data = receipt_pdf.receipt_dict(receipt, receipt_pdf.verification_url(Site.of(app), receipt.number))
        db.session.remove()
        db.engine.dispose()
    return data


def run() -> dict:
    from webapp.printing import engine as pdf
    from webapp.printing import receipt as receipt_print

    data = sample_receipt_data()
    fmt = receipt_print.DEFAULT_FORMAT

    def render():
        return receipt_print.render_pdf(data, fmt, use_cache=False)

    for _ in range(5):
        render()
    cpu_times = []
    times, content = _timed(render, RUNS, cpu_times)

    html, css = receipt_print.receipt_html(data, fmt), receipt_print.receipt_css(fmt)
    pdf.render_pdf_plain(html, css)
    naive_times, naive = _timed(lambda: pdf.render_pdf_plain(html, css), NAIVE_RUNS)

    # Names of characters not printed yet: the font is rebuilt each time.
    new_times = []
    for i in range(10):
        fresh = dict(data, payer=chr(0x6000 + 2 * i) + chr(0x7000 + 2 * i))
        start = time.perf_counter()
        receipt_print.render_pdf(fresh, fmt, use_cache=False)
        new_times.append((time.perf_counter() - start) * 1000)

    cache = receipt_print.PdfCache()
    receipt_print.render_pdf(data, fmt, cache=cache)   # in the cache, as after a first download
    cached_times, _ = _timed(lambda: receipt_print.render_pdf(data, fmt, cache=cache), 20)

    return {
        "receipt_pdf_p50_ms": statistics.median(times),
        "receipt_pdf_p95_ms": _p(times, 0.95),
        "receipt_pdf_cpu_p50_ms": statistics.median(cpu_times),
        "receipt_pdf_kb": len(content) / 1024,
        "receipt_pdf_naive_p50_ms": statistics.median(naive_times),
        "receipt_pdf_naive_kb": len(naive) / 1024,
        "receipt_pdf_newchars_ms": statistics.median(new_times),
        "receipt_pdf_cached_ms": statistics.median(cached_times),
    }
