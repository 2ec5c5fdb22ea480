"""ID numbers at rest: encrypted, found through a keyed hash, searched by their last four digits.

The key lives in instance/id_key (or the file named by ID_KEY_FILE); without it the column
`people.id_cipher` is unreadable, so a stolen database file does not leak ID numbers.
Every ciphertext carries the id of the key that made it, so the key can be rotated: new rows use
the newest key, old rows still decrypt.
"""
import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

from .rules.idnumber import is_plain_id_number, normalize_id_number


class IdVault:
    def __init__(self):
        self._keys = {}        # key id -> 32-byte key
        self._current = None
        self._hash_key = None

    def configure(self, keys: dict):
        if not keys:
            raise RuntimeError("no ID encryption key configured")
        self._keys = {str(k): bytes(v) for k, v in keys.items()}
        self._current = max(self._keys, key=int)
        # The lookup hash must not change when the encryption key rotates: it is derived from
        # the first key, which is therefore never retired.
        first = self._keys[min(self._keys, key=int)]
        self._hash_key = hmac.new(first, b"id-lookup-hash", hashlib.sha256).digest()

    def lookup_hash(self, number: str) -> str:
        """The same hash for every spelling of a number (full-width digits, zero-width spaces,
        dashes...): a look-up can never miss a person because of how the number was typed."""
        return self._digest(normalize_id_number(number))

    def _digest(self, text: str) -> str:
        return hmac.new(self._hash_key, text.encode(), hashlib.sha256).hexdigest()

    def encrypt(self, number: str) -> str:
        """Only the plain spelling (17 ASCII digits + digit or X) is ever stored: a caller that
        forgot to parse the number fails here instead of writing a second spelling."""
        if not is_plain_id_number(number):
            raise ValueError("refusing to store an ID number that is not normalised")
        return self._seal(number)

    def _seal(self, number: str) -> str:
        key_id = self._current
        nonce = os.urandom(12)
        ct = AESGCM(self._keys[key_id]).encrypt(nonce, number.encode(), key_id.encode())
        return f"{key_id}:{base64.urlsafe_b64encode(nonce + ct).decode()}"

    # --- whole files at rest (import previews) -------------------------------------------------
    FILE_MAGIC = b"LXF1"

    def _file_key(self, key_id: str) -> bytes:
        # A key of its own, derived from the ID key, so that no ciphertext of one kind can ever
        # be passed off as the other.
        return hmac.new(self._keys[key_id], b"files-at-rest", hashlib.sha256).digest()

    def seal_file(self, data: bytes, label: str) -> bytes:
        """Encrypt a file's bytes under the newest key; `label` (its name) is bound to it, so a
        sealed file renamed to another job's name does not open."""
        key_id = self._current
        nonce = os.urandom(12)
        body = AESGCM(self._file_key(key_id)).encrypt(nonce, data, f"{key_id}:{label}".encode())
        return self.FILE_MAGIC + key_id.encode() + b":" + nonce + body

    def open_file(self, blob: bytes, label: str) -> bytes:
        """The bytes seal_file sealed; ValueError if the file is not one, was altered or renamed,
        or its key is gone."""
        if not blob.startswith(self.FILE_MAGIC) or b":" not in blob[:16]:
            raise ValueError("not a sealed file")
        key_id, _, rest = blob[len(self.FILE_MAGIC):].partition(b":")
        key_id = key_id.decode(errors="replace")
        if key_id not in self._keys:
            raise ValueError("the key of this file is gone")
        from cryptography.exceptions import InvalidTag
        try:
            return AESGCM(self._file_key(key_id)).decrypt(rest[:12], rest[12:], f"{key_id}:{label}".encode())
        except InvalidTag:
            raise ValueError("the file was altered or belongs to another name") from None

    def decrypt(self, token: str) -> str:
        key_id, _, body = token.partition(":")
        raw = base64.urlsafe_b64decode(body)
        return AESGCM(self._keys[key_id]).decrypt(raw[:12], raw[12:], key_id.encode()).decode()


EXTENSION = "idvault"


class _AppVault:
    """`idvault` as the models and services import it: the current app's IdVault, kept in
    app.extensions, so two apps in one process never encrypt with each other's keys."""

    def init_app(self, app):
        vault = IdVault()
        vault.configure(app.config["ID_KEYS"])  # {"1": bytes, ...}; set up by keys.ensure_keys
        app.extensions[EXTENSION] = vault

    def __getattr__(self, name):
        return getattr(current_app.extensions[EXTENSION], name)


idvault = _AppVault()
