"""The public receipt verification page that a receipt's QR code opens: no login, phone first.

Rate limited per client address (VERIFY_RATE_LIMIT, default 30 a minute) so that nobody can
walk through receipt numbers; the signature already makes guessing hopeless. The page sets no
cookie and has no per-request content, so a forged code and an unknown number give byte-for-byte
the same answer.
"""
from flask import Blueprint, current_app, render_template

from ..extensions import limiter
from ..rules import signing
from ..services import verification
from . import public

bp = Blueprint("verify", __name__)

DEFAULT_RATE_LIMIT = "30 per minute"


def _rate_limit() -> str:
    return current_app.config.get("VERIFY_RATE_LIMIT") or DEFAULT_RATE_LIMIT


def _page(result: verification.Verification):
    status = 404 if result.status == verification.UNVERIFIABLE else 200
    resp = current_app.make_response((render_template("verify/result.html", v=result), status))
    # The answer changes when a receipt is voided: never serve it from a cache.
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Robots-Tag"] = "noindex, nofollow"
    return resp


@bp.route(signing.PATH_PREFIX + "<path:rest>")
@public
@limiter.limit(_rate_limit)
def verify(rest):
    number, token = signing.split_path(rest)
    return _page(verification.verify_receipt(current_app.config["RECEIPT_KEYS"], number, token))


@bp.errorhandler(429)
def too_many(e):
    resp = current_app.make_response((render_template("verify/too_many.html"), 429))
    resp.headers["Cache-Control"] = "no-store"
    return resp
