"""Uploaded lists waiting between their preview and the confirm: they hold names and full ID
numbers, so they are kept sealed (AES-GCM under a key derived from the ID-number key, see
idvault.seal_file), readable by the service user only (0600), and swept once older than the
configured age whether or not anyone uploads again (a timer in each gunicorn worker, see
webapp/housekeeping.py, and `flask sweep-imports`).

No Flask here: the caller names the folder (instance/imports/)."""
import os
import time
from pathlib import Path

from ..idvault import idvault

SUFFIX = ".upload"
PROGRESS_PREFIX = "progress-"


def folder(instance_path: str | Path, shared: str | Path | None = None) -> Path:
    """Where previews wait between preview and confirm: instance/imports, or `shared`
    (UPLOAD_FOLDER) when several app nodes must all see them (docs/operations.md)."""
    path = Path(shared) if shared else Path(instance_path) / "imports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def path_for(directory: Path, job) -> Path:
    return directory / f"{job.id}-{job.file_sha256[:16]}{SUFFIX}"


def save(directory: Path, job, data: bytes) -> Path:
    """Sealed, written to a temporary name (0600 from the start) and renamed into place."""
    path = path_for(directory, job)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(idvault.seal_file(data, path.name))
    os.replace(tmp, path)
    return path


def load(directory: Path, job) -> bytes:
    """The upload's bytes, or b"" when it is gone (swept, confirmed) or cannot be opened: the
    confirm then asks for the file again."""
    path = path_for(directory, job)
    try:
        return idvault.open_file(path.read_bytes(), path.name)
    except (OSError, ValueError):
        return b""


def discard(directory: Path, job):
    path_for(directory, job).unlink(missing_ok=True)


def sweep(directory: Path, max_age_s: int, now: float | None = None) -> int:
    """Remove uploads (and progress files, and temporary files left by a crash) older than
    `max_age_s`. Returns how many uploads went."""
    cutoff = (time.time() if now is None else now) - max_age_s
    removed = 0
    if not directory.exists():
        return 0
    for p in directory.iterdir():
        if not (p.name.endswith((SUFFIX, ".tmp")) or p.name.startswith(PROGRESS_PREFIX)):
            continue
        try:
            if p.stat().st_mtime < cutoff:
                p.unlink()
                removed += p.name.endswith(SUFFIX)
        except OSError:
            pass
    return removed
