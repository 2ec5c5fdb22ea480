"""State that belongs to one app, kept in app.extensions rather than in module globals, so two
apps in one process (tests, a CLI next to a server) never share keys, caches or settings.

Services and models reach it through these helpers (they import no Flask themselves)."""
from flask import current_app, has_app_context

POLICIES = "lx.policies"                 # campaign policy per (database, campaign, settings version)
PASSWORD_HASH_METHOD = "lx.password_hash_method"
POLICY_CACHE_SIZE = 64


def init_app(app):
    app.extensions[POLICIES] = {}
    # scrypt by default; the test suite sets a cheaper method so it does not spend its time hashing.
    app.extensions[PASSWORD_HASH_METHOD] = app.config.get("PASSWORD_HASH_METHOD", "scrypt")


def policy_cache() -> dict | None:
    """This app's policy cache; None outside an app (nothing is kept then)."""
    return current_app.extensions.setdefault(POLICIES, {}) if has_app_context() else None


def password_hash_method() -> str:
    return current_app.extensions.get(PASSWORD_HASH_METHOD, "scrypt") if has_app_context() else "scrypt"
