"""Secrets generated into instance/ on first run, never committed.

- instance/secret_key       Flask's SECRET_KEY (sessions, CSRF)
- instance/id_key.json      keys that encrypt ID numbers at rest ({"1": hex, ...})
- instance/receipt_keys.json  keys that sign receipt QR codes ({"1": hex, ...})

An environment variable or instance/config.py wins over the files.
"""
import json
import os
import secrets
from pathlib import Path


def _read_or_create(path: Path, make) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two workers starting together must not write two different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(make())
    return path.read_text().strip()


def _keyring(path: Path) -> dict:
    text = _read_or_create(path, lambda: json.dumps({"1": secrets.token_hex(32)}))
    return {k: bytes.fromhex(v) for k, v in json.loads(text).items()}


def add_key(path: Path) -> str:
    """Add a new key to a key ring file (rotation); returns its id."""
    ring = json.loads(path.read_text())
    new_id = str(max(int(k) for k in ring) + 1)
    ring[new_id] = secrets.token_hex(32)
    path.write_text(json.dumps(ring))
    return new_id


def ensure_keys(app):
    inst = Path(app.instance_path)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _read_or_create(inst / "secret_key", lambda: secrets.token_hex(32))
    if not app.config.get("ID_KEYS"):
        path = Path(app.config.get("ID_KEY_FILE") or inst / "id_key.json")
        app.config["ID_KEYS"] = _keyring(path)
    if not app.config.get("RECEIPT_KEYS"):
        path = Path(app.config.get("RECEIPT_KEY_FILE") or inst / "receipt_keys.json")
        app.config["RECEIPT_KEYS"] = _keyring(path)
