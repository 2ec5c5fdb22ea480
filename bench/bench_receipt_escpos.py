"""ESC/POS print job speed and size, next to the PDF figures (bench_receipt.py), same household.

- receipt_escpos_ms: p50 over RUNS renders in a warm process (receipt dict to bytes: the 1-bit
  drawing with the CJK font, the QR code, the GS v 0 bands) for 58 mm: what 蓝牙打印 waits for
  on the server before the bytes go to the phone.
- receipt_escpos_cpu_ms: the same in CPU time of this process (not inflated by a busy machine).
- receipt_escpos_kb: the size of the 58 mm job (what the phone sends over Bluetooth).
- receipt_escpos_80mm_kb: the same for 80 mm.
"""
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

RUNS = 60


def run() -> dict:
    from tests.conftest import make_test_config
    from tests.factories import World
    from webapp import create_app
    from webapp.extensions import db
    from webapp.printing.escpos import receipt_escpos
    from webapp.services import receipt_pdf
    from webapp.services.site import Site

    tmp = Path(tempfile.mkdtemp(prefix="bench-escpos-"))
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

    for _ in range(5):
        content = receipt_escpos(data, "58mm")
    times, cpu = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        content = receipt_escpos(data, "58mm")
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return {
        "receipt_escpos_ms": statistics.median(times),
        "receipt_escpos_cpu_ms": statistics.median(cpu),
        "receipt_escpos_kb": len(content) / 1024,
        "receipt_escpos_80mm_kb": len(receipt_escpos(data, "80mm")) / 1024,
    }
