"""JSON API for the phone (offline outbox) and other clients, described at /api/v1/openapi.json.

Authentication is the logged-in session; CSRF stays on for every POST (the page's
<meta name="csrf-token"> sent as X-CSRFToken, or a fresh one from GET /api/v1/me). Errors are
{"error": Chinese message, "code": ..., "errors": {field: Chinese message}}.
"""
from datetime import UTC, datetime
from functools import wraps

from flask import Blueprint, jsonify, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf

from ..extensions import db
from ..rules import roles
from ..services import people, receipt_pdf, sync, worklist
from ..services.campaigns import default_campaign, require_campaign
from ..services.errors import AlreadyPaid, CampaignClosed, Conflict, ServiceError, ValidationFailed
from ..services.scope import villages_of
from ..timeutil import to_local, today_local
from ..web import retry_after
from . import DB_INT_MAX, actor, db_int, public, site
from .api_doc import OPENAPI

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MOMENTS = (datetime(2000, 1, 1), datetime(2100, 1, 1))   # what `recorded_at` may be (UTC)


def api_roles(*roles):
    """Like roles_required, but a JSON 401 instead of a redirect to the login page."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return jsonify(error="请先登录", code="login_required"), 401
            if current_user.role not in roles:
                return jsonify(error="您没有权限进行此操作", code="forbidden"), 403
            return view(*args, **kwargs)
        wrapped.roles = roles
        return wrapped
    return decorator


def _code(e: ServiceError) -> str:
    if isinstance(e, AlreadyPaid):
        return "already_paid"          # someone else took this money: refund or check
    if isinstance(e, Conflict) and e.field == "client_id":
        return "client_id_conflict"    # same key, different content
    if isinstance(e, CampaignClosed):
        return "campaign_closed"
    return {422: "invalid", 404: "not_found", 403: "forbidden", 409: "conflict", 503: "busy"}.get(e.status, "error")


@bp.errorhandler(ServiceError)
def service_error(e):
    db.session.rollback()
    body = {"error": e.message, "code": _code(e)}
    if isinstance(e, ValidationFailed):
        body["errors"] = e.errors
    return jsonify(body), e.status, retry_after(e)


@bp.errorhandler(CSRFError)
def csrf_error(e):
    return jsonify(error="页面已过期，请刷新后重试", code="csrf"), 400


# --- reading the request -------------------------------------------------------------------

class _Reader:
    """Pull typed values out of a JSON object, collecting Chinese errors by field path."""

    def __init__(self):
        self.errors = {}

    def text(self, obj, key, at="", max_len=128) -> str:
        value = obj.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.errors[at + key] = "应为文字"
            return ""
        if "\x00" in value:  # PostgreSQL cannot store it; nobody types it
            self.errors[at + key] = "含有无法识别的字符"
            return ""
        if len(value) > max_len:
            self.errors[at + key] = f"太长（最多 {max_len} 个字）"
        return value.strip()

    def integer(self, obj, key, at="") -> int | None:
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.errors[at + key] = "应为整数"
            return None
        if abs(value) > DB_INT_MAX:
            # Ids and amounts are database integers: a larger one names nothing and cannot be
            # stored, and passed on it makes the driver fail (a 500).
            self.errors[at + key] = "数值超出范围"
            return None
        return value

    def moment(self, obj, key) -> datetime | None:
        value = self.text(obj, key, max_len=40)
        if not value:
            return None
        try:
            dt = datetime.fromisoformat(value)
            dt = dt.astimezone(UTC).replace(tzinfo=None) if dt.tzinfo else dt
        except ValueError:
            self.errors[key] = "时间格式不正确"
            return None
        except OverflowError:   # 0001-01-01T00:00+08:00 is before datetime.min in UTC
            self.errors[key] = "时间超出范围"
            return None
        if not MOMENTS[0] <= dt <= MOMENTS[1]:
            # Nobody took money before the scheme or in the next century; and a moment at
            # datetime's limits overflows as soon as it is moved to China time.
            self.errors[key] = "时间超出范围"
            return None
        return dt


def _json_object() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed({"body": "请求内容应为 JSON 对象"})
    return body


def _payment_submission(body: dict) -> sync.PaymentSubmission:
    r = _Reader()
    raw_lines = body.get("lines")
    if not isinstance(raw_lines, list):
        raw_lines = []
    lines = []
    for i, raw in enumerate(raw_lines[:50]):
        at = f"lines[{i}]."
        if not isinstance(raw, dict):
            r.errors[f"lines[{i}]"] = "格式不正确"
            continue
        lines.append(sync.LineInput(
            kind=r.text(raw, "kind", at, 16), person_id=r.integer(raw, "person_id", at),
            id_number=r.text(raw, "id_number", at, 40), amount_fen=r.integer(raw, "amount_fen", at),
            name=r.text(raw, "name", at, 32), address=r.text(raw, "address", at, 128),
            phone=r.text(raw, "phone", at, 20), village=r.text(raw, "village", at, 12),
            relation=r.text(raw, "relation", at, 8)))
    if len(raw_lines) > 50:
        r.errors["lines"] = "一张收据最多 50 项"
    sub = sync.PaymentSubmission(
        client_id=r.text(body, "client_id", max_len=40), lines=tuple(lines),
        method=r.text(body, "method", max_len=16) or "cash", payer_name=r.text(body, "payer_name", max_len=32),
        household_id=r.integer(body, "household_id"),
        expected_total_fen=r.integer(body, "expected_total_fen"), recorded_at=r.moment(body, "recorded_at"))
    if r.errors:
        raise ValidationFailed(r.errors)
    return sub


# --- writing the answer --------------------------------------------------------------------

def receipt_links(receipt) -> dict:
    """Where the phone sends the payer: the receipt page, its PDF, and the signed public URL of
    its QR code (the receipts feature makes both)."""
    return {"receipt_url": url_for("collect.receipt", number=receipt.number),
            "pdf_url": url_for("receipts.pdf", number=receipt.number, fmt=receipt_pdf.DEFAULT_FORMAT),
            "verify_url": receipt_pdf.verification_url(site(), receipt.number)}


def receipt_json(receipt) -> dict:
    return {
        "receipt_number": receipt.number, **receipt_links(receipt),
        "client_id": receipt.client_id, "household_id": receipt.household_id,
        "payer_name": receipt.payer_name, "method": receipt.method,
        "total_fen": receipt.total_fen, "gov_total_fen": receipt.gov_total_fen,
        # When the money was taken (the phone's recorded_at) and when the server recorded it.
        "issued_at": to_local(receipt.taken_at).isoformat(timespec="seconds"),
        "synced_at": to_local(receipt.created_at).isoformat(timespec="seconds"),
        "issued_by": receipt.issued_by.name,
        "lines": [{"person_id": p.person_id, "person_name": p.person_name, "id_masked": p.id_masked,
                   "kind": p.kind, "tier_fen": p.tier_fen, "amount_fen": p.amount_fen,
                   "self_fen": p.self_fen, "gov_fen": p.gov_fen, "new_enrollee": p.new_enrollee}
                  for p in receipt.lines],
    }


def person_json(p) -> dict:
    return {"person_id": p.id, "name": p.name, "id_masked": p.id_masked, "relation": p.relation,
            "sex": p.sex, "birth_date": p.birth_date.isoformat(), "village": p.village.code,
            "household_id": p.household_id, "new_enrollee": p.new_enrollee}


def _line_state(s) -> dict:
    return {"expected": s.expected, "paid": s.paid is not None,
            "receipt_number": s.paid.receipt.number if s.paid else None,
            "amount_fen": s.paid.amount_fen if s.paid else None,
            "blocked": s.block_message or None}


def household_json(h) -> dict:
    hh = h.household
    return {
        "household_id": hh.id, "number": hh.number, "address": hh.address, "village": hh.village.code,
        "head_name": hh.head.name if hh.head else "", "done": h.done, "unpaid_count": h.unpaid_count,
        "members": [{
            "person_id": m.person.id, "name": m.person.name, "relation": m.person.relation,
            "sex": m.person.sex, "age": m.age, "id_masked": m.person.id_masked,
            "new_enrollee": m.person.new_enrollee,
            "pension": _line_state(m.pension), "medical": _line_state(m.medical),
            "medical_self_fen": m.medical_fen - m.medical_gov_fen, "medical_gov_fen": m.medical_gov_fen,
            "pension_gov_full": m.pension_gov_full, "pension_gov_cap_fen": m.pension_gov_cap_fen,
            "warnings": [f.message for f in m.warnings] + m.notes,
        } for m in h.members],
    }


# --- routes --------------------------------------------------------------------------------

@bp.get("/openapi.json")
@public
def openapi():
    return jsonify(OPENAPI)


@bp.get("/me")
@api_roles(*roles.ALL)
def me():
    """Who is logged in, a fresh CSRF token (an outbox item may outlive its page's), the villages."""
    campaign = default_campaign()
    return jsonify(
        user={"id": current_user.id, "username": current_user.username, "name": current_user.name,
              "role": current_user.role},
        csrf_token=generate_csrf(),
        villages=[{"code": v.code, "name": v.name, "full_name": v.full_name} for v in villages_of(actor())],
        campaign=None if campaign is None else {
            "year": campaign.year, "name": campaign.name, "open": campaign.is_open_on(today_local()),
            "pension_tiers": sorted(t.amount_fen for t in campaign.tiers)})


@bp.get("/villages/<code>/worklist")
@api_roles(*roles.ALL)
def village_worklist(code):
    campaign = require_campaign()
    status = request.args.get("status", "all")
    wl = worklist.village_worklist(actor(), code, campaign, status=status,
                                   page=request.args.get("page", 1, type=db_int),
                                   per_page=min(max(request.args.get("per_page", 100, type=int), 1), 500))
    return jsonify(
        village={"code": wl.village.code, "name": wl.village.name, "full_name": wl.village.full_name},
        status=status if status in worklist.FILTERS else "unpaid", page=wl.page, pages=wl.pages,
        total=wl.total, counts=wl.counts, pension_tiers=sorted(campaign.policy().pension_tiers),
        households=[household_json(h) for h in wl.households])


@bp.get("/households/<int:household_id>")
@api_roles(*roles.ALL)
def household(household_id):
    campaign = require_campaign()
    return jsonify(household_json(worklist.household_sheet(actor(), household_id, campaign)))


@bp.post("/people/lookup")
@api_roles(*roles.ALL)
def lookup_person():
    """By full ID number, in a POST body so that the number stays out of URLs and access logs."""
    body = _json_object()
    number = body.get("id_number") if isinstance(body.get("id_number"), str) else ""
    return jsonify(person_json(sync.find_person(actor(), number)))


@bp.post("/people")
@api_roles(*roles.ALL)
def register_person():
    body = _json_object()
    r = _Reader()
    flags = body.get("flags") if isinstance(body.get("flags"), dict) else {}
    data = people.PersonInput(
        name=r.text(body, "name", max_len=32), id_number=r.text(body, "id_number", max_len=40),
        address=r.text(body, "address"), phone=r.text(body, "phone", max_len=20),
        relation=r.text(body, "relation", max_len=8) or "户主", household_id=r.integer(body, "household_id"),
        household_number=r.text(body, "household_number", max_len=32),
        flags={f: flags.get(f) is True for f in people.FLAGS})
    village = r.text(body, "village", max_len=12)
    if not village:
        r.errors["village"] = "请选择村/社区"
    if r.errors:
        raise ValidationFailed(r.errors)
    return jsonify(person_json(people.register_person(actor(), village, data))), 201


@bp.post("/payments")
@api_roles(roles.COORDINATOR)
def record_payment():
    """Idempotent by client_id: a replay answers exactly as the first time (201, same receipt)."""
    receipt, created = sync.submit_payment(actor(), _payment_submission(_json_object()))
    resp = jsonify(receipt_json(receipt))
    resp.status_code = 201
    resp.headers["Location"] = url_for("collect.receipt", number=receipt.number)
    if not created:
        resp.headers["Idempotent-Replayed"] = "true"
    return resp
