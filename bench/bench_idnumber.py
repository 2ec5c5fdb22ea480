"""ID number parsing, the per-row cost of every plan list: plain ASCII numbers (nearly all
cells) and numbers typed in full-width (folded first). Best of 7 runs of 20,000 numbers."""
import random
import time
from datetime import date

N, RUNS = 20000, 7
_FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def _per_number_us(parse, numbers) -> float:
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        for n in numbers:
            parse(n)
        best = min(best, time.perf_counter() - start)
    return round(best / len(numbers) * 1e6, 2)


def run() -> dict:
    from webapp.rules.idnumber import parse_id_number
    from webapp.services.demo import make_id_number

    rng = random.Random(1)
    plain = [make_id_number(rng, date(1950 + i % 50, 1 + i % 12, 1 + i % 28), i % 2 == 0) for i in range(N)]
    return {"id_parse_ascii_us": _per_number_us(parse_id_number, plain),
            "id_parse_full_width_us": _per_number_us(parse_id_number, [n.translate(_FULL_WIDTH) for n in plain])}
