"""A/B of slow4g_usable and LCP with the functions of bench/bench_offline.py, 5 cold visits per page,
medians: run it in two checkouts side by side (`.venv/bin/python -m bench.ab_offline LABEL`) so
both meet the same machine load; `make bench` alone varies too much on a shared machine."""
import logging
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench import bench_offline as b
from tests.offline.live import LiveServer


def main(label: str):
    with tempfile.TemporaryDirectory() as tmp:
        app = b._app(Path(tmp))
        data = b._seed(app)
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        live = LiveServer(app).start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=b.ARGS, headless=True)
                for name, path in {"home": "/", "household": f"/households/{data['household']}"}.items():
                    usable = [b._slow_4g_usable(browser, live.url, path) for _ in range(5)]
                    lcp = [b._lcp_slow_4g(browser, live.url, path, False) for _ in range(5)]
                    print(label, name, "usable median", round(statistics.median(usable), 3),
                          [round(x, 2) for x in usable], "lcp median", round(statistics.median(lcp), 3), flush=True)
                browser.close()
        finally:
            live.stop()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "this")
