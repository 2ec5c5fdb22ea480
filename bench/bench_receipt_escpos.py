"""ESC/POS print job speed and size, next to the PDF figures (bench_receipt.py), same household.

- receipt_escpos_ms: p50 over RUNS renders in a warm process (receipt dict to bytes: the 1-bit
  drawing with the CJK font, the QR code, the GS v 0 bands) for 58 mm: what 蓝牙打印 waits for
  on the server before the bytes go to the phone.
- receipt_escpos_cpu_ms: the same in CPU time of this process (not inflated by a busy machine).
- receipt_escpos_kb: the size of the 58 mm job (what the phone sends over Bluetooth).
- receipt_escpos_80mm_kb: the same for 80 mm.
"""
import statistics
import time

RUNS = 60


def run() -> dict:
    from bench.bench_receipt import sample_receipt_data
    from webapp.printing.escpos import receipt_escpos

    data = sample_receipt_data("bench-escpos-")
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
