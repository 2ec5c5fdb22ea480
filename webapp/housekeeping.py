"""Files the app keeps under instance/: private to the service user, and swept on a timer.

instance/ holds the SQLite database, the key files, the rate-limit counts, import previews and
cached PDFs: names, full ID numbers (in previews) and the keys that decrypt the rest. Every file
is created 0600 and every folder 0700 (the process umask, set once in create_app), and a file an
older version or an operator left readable by others is narrowed when the app starts."""
import logging
import os
import stat
import threading
from pathlib import Path

from .services import upload_store

log = logging.getLogger(__name__)
PRIVATE_UMASK = 0o077


def tighten_instance(instance: str | Path) -> list:
    """chmod go-rwx on instance/ and everything under it that this user owns. Returns the paths
    changed (for the log). A file owned by someone else is left alone: it is the operator's."""
    changed = []
    uid = os.getuid()
    for root, dirs, files in os.walk(instance):
        for name in [None, *dirs, *files]:
            path = Path(root) if name is None else Path(root) / name
            try:
                st = path.lstat()
                if stat.S_ISLNK(st.st_mode) or st.st_uid != uid or not st.st_mode & 0o077:
                    continue
                os.chmod(path, stat.S_IMODE(st.st_mode) & 0o700)
                changed.append(str(path))
            except OSError:
                pass
    return changed


def sweep_imports(app) -> int:
    directory = upload_store.folder(app.instance_path, app.config.get("UPLOAD_FOLDER"))
    return upload_store.sweep(directory, app.config["IMPORT_PREVIEW_MAX_AGE_S"])


def start_sweeper(app) -> threading.Thread | None:
    """A daemon thread that sweeps unconfirmed import previews every IMPORT_SWEEP_INTERVAL_S, so
    a preview nobody confirms is gone after IMPORT_PREVIEW_MAX_AGE_S even if nobody uploads
    again. gunicorn starts one per worker (gunicorn.conf.py: post_worker_init); sweeping twice is
    harmless. 0 or None switches it off."""
    interval = app.config.get("IMPORT_SWEEP_INTERVAL_S")
    if not interval:
        return None
    stop = threading.Event()

    def run():
        while True:
            try:
                removed = sweep_imports(app)
                if removed:
                    log.info("swept %d unconfirmed import preview(s)", removed)
            except Exception:  # a full disk must not end the thread: try again next time
                log.exception("sweeping import previews failed")
            if stop.wait(interval):
                return

    thread = threading.Thread(target=run, name="sweep-imports", daemon=True)
    thread.stop = stop
    thread.start()
    return thread
