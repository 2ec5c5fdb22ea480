"""Health check for load balancers and monitoring (blueprint "public": pages open to anyone)."""
from flask import Blueprint, jsonify
from sqlalchemy import text

from ..extensions import db
from . import public

bp = Blueprint("public", __name__)


@bp.route("/healthz")
@public
def healthz():
    """For load balancers and monitoring: the process answers and the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
        return jsonify(status="ok")
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        db.session.rollback()
        return jsonify(status="database unavailable"), 503
