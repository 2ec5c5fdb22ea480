"""Signed receipt URLs for the QR code: {PUBLIC_BASE_URL}/v/{number}/{token}.

token = key id (decimal digits) + 22 base64url characters: the first 128 bits of
HMAC-SHA256(key, "lx-receipt|{key id}|{number}"). The key id lets keys rotate: the newest key
signs, every key still in the ring verifies, so receipts printed last year keep verifying.
128 bits is far beyond guessing (and the page is rate limited); the whole URL stays short enough
for a QR code of version 6 or lower at error correction M, which a cheap phone camera reads off
thermal paper.

Verification compares the token *text*, not decoded bytes: a base64 string of 16 bytes has 4
spare bits in its last character, and a lenient decoder would accept a changed character.
"""
import base64
import hashlib
import hmac
import re

PATH_PREFIX = "/v/"
SIG_BYTES = 16
SIG_CHARS = 22  # base64url of 16 bytes, without padding
_NUMBER = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]{0,31}")
_TOKEN = re.compile(r"([0-9]{1,6})([A-Za-z0-9_-]{" + str(SIG_CHARS) + "})")


def newest_key_id(keys: dict) -> str:
    """The key id that signs: the highest number in the ring."""
    ids = [str(k) for k in keys if str(k).isdigit()]
    if not ids:
        raise ValueError("no receipt signing key")
    return max(ids, key=int)


def _signature(key: bytes, key_id: str, number: str) -> str:
    mac = hmac.new(key, f"lx-receipt|{key_id}|{number}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:SIG_BYTES]).rstrip(b"=").decode()


def sign_number(number: str, keys: dict) -> str:
    """The token for a receipt number, made with the newest key."""
    if not _NUMBER.fullmatch(number or ""):
        raise ValueError(f"not a receipt number: {number!r}")
    key_id = newest_key_id(keys)
    return key_id + _signature(keys[key_id], key_id, number)


def verify_token(number: str, token: str, keys: dict) -> bool:
    """True only when `token` is exactly what one of the keys makes for `number`."""
    m = _TOKEN.fullmatch(token or "")
    if not m or not _NUMBER.fullmatch(number or ""):
        return False
    key_id = m.group(1)
    key = keys.get(key_id)
    if key is None:
        return False
    return hmac.compare_digest(token, key_id + _signature(key, key_id, number))


def receipt_path(number: str, keys: dict) -> str:
    return f"{PATH_PREFIX}{number}/{sign_number(number, keys)}"


def receipt_url(base_url: str, number: str, keys: dict) -> str:
    return base_url.rstrip("/") + receipt_path(number, keys)


def split_path(rest: str) -> tuple[str, str]:
    """The part of the path after /v/ -> (number, token); ("", "") when it has another shape."""
    parts = (rest or "").split("/")
    if len(parts) != 2:
        return "", ""
    return parts[0], parts[1]


def verify_url(url: str, base_url: str, keys: dict) -> str | None:
    """The receipt number a full URL vouches for, or None. The URL must be on `base_url` exactly."""
    prefix = base_url.rstrip("/") + PATH_PREFIX
    if not (url or "").startswith(prefix):
        return None
    number, token = split_path(url[len(prefix):])
    return number if verify_token(number, token, keys) else None
