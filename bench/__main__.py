"""`make bench`: run every bench/bench_*.py, print a table, write bench/results.json.

Each module has `run() -> dict` returning {key: number}. `python -m bench search receipt`
runs only the modules whose names contain one of the words. Figures from the last run of a
module that was not run this time are kept, so results.json always holds every key."""
import importlib
import json
import pkgutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"

# Budgets from the issues (DESIGN.md, Benchmarks): key -> (comparison, limit).
BUDGETS = {
    "search_p95_ms": ("<=", 100),
    "receipt_pdf_p50_ms": ("<=", 60), "receipt_pdf_p95_ms": ("<=", 150), "receipt_pdf_kb": ("<=", 60),
    "receipt_escpos_ms": ("<=", 60),
    "roster_pdf_2000_s": ("<=", 5), "roster_pdf_cached_ms": ("<=", 50),
    "plan_import_100k_s": ("<=", 15),
    "first_load_kb": ("<=", 50), "sync_500_s": ("<=", 30), "slow4g_usable_s": ("<=", 2),
    "lcp_slow4g_s": ("<=", 2.5), "lcp_slow4g_elder_s": ("<=", 2.5),
    "payments_per_s": (">=", 400), "payments_p95_ms": ("<=", 50),
    # Issue 17: search as any role at 400,000 people, and within 1.5x of its cost at 2,000 (CPU
    # time, which a shared machine's other work does not inflate); a 2,000-person village's worklist.
    "search_scope_p95_ms": ("<=", 50), "search_scope_cpu_growth": ("<=", 1.5), "worklist_p95_ms_400k": ("<=", 50),
    # Issue 17: dashboards read counters, at any size (bench_dashboard).
    "dashboard_p95_ms_400k": ("<=", 100), "admin_home_p95_ms_400k": ("<=", 100),
    "city_dashboard_p95_ms_400k": ("<=", 100),
    # Issue 13 part 6: payments' p95 while a 100,000-row plan list is previewed and while a district
    # 附件2 is exported, at most twice the quiet p95 of the same run (bench_contention.py).
    "payments_p95_import_ratio": ("<=", 2), "payments_p95_export_ratio": ("<=", 2),
    # Issue 17 part 2, `make bench-city` (bench/city.py): the same budgets on a city of 4,000,000
    # people on PostgreSQL; search CPU growth from a 2,000-person city on the same server.
    "search_p95_ms_city": ("<=", 50), "search_cpu_growth_city": ("<=", 1.5), "worklist_p95_ms_city": ("<=", 50),
    "dashboard_district_p95_ms_city": ("<=", 100), "dashboard_city_p95_ms_city": ("<=", 100),
    "receipt_pdf_p50_ms_city": ("<=", 60), "plan_import_100k_s_city": ("<=", 15),
    "payment_p95_ms_city": ("<=", 50), "payments_p95_ms_city": ("<=", 50),
}


def main(argv):
    words = argv[1:]
    modules = sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_"))
    if words:
        modules = [m for m in modules if any(w in m for w in words)]
    results = {}
    failed = []
    for name in modules:
        print(f"== {name}", flush=True)
        t0 = time.perf_counter()
        try:
            figures = importlib.import_module(f"bench.{name}").run()
        except Exception:  # one broken benchmark must not hide the others' figures
            import traceback
            traceback.print_exc()
            failed.append(name)
            continue
        results.update({k: round(float(v), 3) for k, v in figures.items()})
        print(f"   ({time.perf_counter() - t0:.1f} s)", flush=True)
    status = merge_and_report(results)
    if failed:
        print(f"benchmarks that failed: {', '.join(failed)}")
        return 1
    return status


def merge_and_report(figures: dict) -> int:
    """Merge figures into bench/results.json (other keys kept) and print every key with its
    budget's verdict."""
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.update({k: round(float(v), 3) for k, v in figures.items()})
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print()
    print(f"{'key':32} {'value':>12}  budget")
    for key in sorted(results):
        value = results[key]
        budget = BUDGETS.get(key)
        mark = ""
        if budget:
            op, limit = budget
            ok = value <= limit if op == "<=" else value >= limit
            mark = f"{op} {limit}  {'ok' if ok else 'OVER BUDGET'}"
        print(f"{key:32} {value:>12}  {mark}")
    print(f"\nwritten to {RESULTS.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
