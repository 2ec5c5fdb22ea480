"""Against a real gunicorn: each worker sweeps unconfirmed import previews on its timer
(gunicorn.conf.py: post_worker_init), with no upload to trigger it, and the key files the test
wrote world-readable are narrowed to the service user when the app starts."""
import os
import stat
import time

from tests.conftest import RECEIPT_KEYS, TEST_KEYS
from tests.ops.live import Gunicorn, write_instance


def test_gunicorn_workers_sweep_old_previews_on_their_timer(app, database_url, tmp_path):
    instance = tmp_path / "live-instance"
    write_instance(instance, TEST_KEYS, RECEIPT_KEYS)
    (instance / "config.py").write_text("IMPORT_SWEEP_INTERVAL_S = 1\n")
    folder = instance / "imports"
    folder.mkdir()
    old, fresh = folder / "5-0123456789abcdef.upload", folder / "6-0123456789abcdef.upload"
    for p in (old, fresh):
        p.write_bytes(b"sealed")
    os.utime(old, (time.time() - 2 * 86400,) * 2)
    server = Gunicorn(database_url, instance, workers=2, threads=1).start()
    try:
        deadline = time.time() + 30
        while old.exists() and time.time() < deadline:
            time.sleep(0.2)
        assert not old.exists() and fresh.exists()
        for name in ("id_key.json", "receipt_keys.json", "secret_key", "config.py"):
            assert stat.S_IMODE((instance / name).stat().st_mode) == 0o600, name
        assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    finally:
        server.stop()
