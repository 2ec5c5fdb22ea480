"""A receipt's print, download and share actions, and 重开收据 after a void (logged in).

The buttons live in templates/receipts/_actions.html, included by collect/receipt.html.
"""
import io
import uuid
from types import SimpleNamespace

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from markupsafe import Markup

from ..forms import payment_form_class
from ..printing.engine import PdfEngineMissing
from ..printing.qr import qr_svg
from ..printing.raster import FontMissing
from ..rules import roles
from ..services import payments, receipt_escpos, receipt_pdf, reissue
from ..services.campaigns import COLLECTING, require_campaign, state_of
from ..services.errors import AlreadyPaid, CampaignClosed, Conflict, Forbidden, ValidationFailed
from . import actor, put_errors, roles_required, site

bp = Blueprint("receipts", __name__)


def receipt_extras(r):
    """What _actions.html needs besides the receipt (views/panels.receipt_page passes it)."""
    return SimpleNamespace(
        formats=list(receipt_pdf.FORMATS.values()),
        verify_url=receipt_pdf.verification_url(site(), r.number),
        replacement=reissue.replacement_of(r.id) if r.is_voided else None,
        # Another year's receipt (summary or closed) is read-only: no void, no reissue.
        campaign_state=state_of(r.campaign),
        collecting=state_of(r.campaign) == COLLECTING,
    )


@bp.app_errorhandler(PdfEngineMissing)
def pdf_engine_missing(e):
    """Any PDF route (receipts, rosters ...) on a server without a CJK font: say what to install."""
    return render_template("errors/error.html", status=503, title="无法生成 PDF",
                           message=f"服务器缺少生成 PDF 所需的组件，请联系管理员：{e}"), 503


@bp.app_errorhandler(FontMissing)
def font_missing(e):
    """An ESC/POS receipt on a server without the CJK font."""
    return render_template("errors/error.html", status=503, title="无法生成打印数据",
                           message=f"服务器缺少中文字体，请联系管理员：{e}"), 503


@bp.route("/receipts/<number>/pdf/<fmt>")
@roles_required(*roles.ALL)
def pdf(number, fmt):
    """Inline, for the phone's PDF viewer and its print or share menu; ?download=1 saves it."""
    result = receipt_pdf.receipt_pdf(actor(), site(), number, fmt)
    return send_file(io.BytesIO(result.content), mimetype="application/pdf",
                     as_attachment=request.args.get("download") == "1", download_name=result.filename)


@bp.route("/receipts/<number>/escpos/<width>")
@roles_required(*roles.ALL)
def escpos(number, width):
    """The receipt as an ESC/POS print job (58mm or 80mm), for 蓝牙打印 (static/js/btprint.js)."""
    result = receipt_escpos.receipt_escpos(actor(), site(), number, width)
    resp = send_file(io.BytesIO(result.content), mimetype="application/octet-stream",
                     as_attachment=True, download_name=result.filename)
    resp.headers["Cache-Control"] = "private, no-store"  # a void changes it
    return resp


@bp.route("/receipts/<number>/share")
@roles_required(*roles.ALL)
def share(number):
    """Without the Web Share API: the QR code to scan off this screen, the link, the PDF."""
    r = payments.get_receipt(actor(), number)
    url = receipt_pdf.verification_url(site(), r.number)
    svg, _version = qr_svg(url, box_size=8, border=4)
    return render_template("receipts/share.html", r=r, verify_url=url, qr=Markup(svg),
                           formats=receipt_pdf.FORMATS.values(), tab="receipts")


def _reissue_form(plan: reissue.ReissuePlan):
    members = [SimpleNamespace(person=p) for p in plan.people]
    return payment_form_class(members, require_campaign().policy())()


def _prefill(form, plan: reissue.ReissuePlan):
    for line in plan.lines:
        if line.kind == "pension":
            form[f"pension_{line.person_id}"].data = str(line.tier_fen)
        else:
            form[f"medical_{line.person_id}"].data = True
    form.method.data = plan.receipt.method
    form.payer_name.data = plan.receipt.payer_name


@bp.route("/receipts/<number>/reissue", methods=["GET", "POST"])
@roles_required(roles.COORDINATOR)
def reissue_receipt(number):
    """Two steps like a payment: pick the lines (from the voided receipt), confirm the total.
    The confirm step goes straight to the service, which answers a repeated tap with the
    replacement already issued."""
    plan = reissue.reissue_plan(actor(), number)
    if plan.refusal and request.form.get("step") != "confirm":
        flash(plan.refusal, "error")
        return redirect(url_for("collect.receipt", number=number))
    form = _reissue_form(plan)
    page = dict(plan=plan, form=form, tab="receipts")
    if not form.is_submitted():
        _prefill(form, plan)
        return render_template("receipts/reissue.html", **page)
    if not form.validate():
        return render_template("receipts/reissue.html", **page), 422
    lines = form.selected_lines()
    try:
        if form.step.data != "confirm":
            quote = reissue.quote_reissue(actor(), number, lines)
            form.step.data, form.client_id.data = "confirm", str(uuid.uuid4())
            return render_template("receipts/reissue.html", quote=quote, **page)
        receipt, created = reissue.reissue_receipt(
            actor(), number, lines, method=form.method.data, payer_name=form.payer_name.data,
            client_id=form.client_id.data)
    except ValidationFailed as e:
        form.step.data = "quote"
        for message in put_errors(form, e, aliases={"lines": None}):
            flash(message, "error")
        return render_template("receipts/reissue.html", errors=e.errors, **page), 422
    except (AlreadyPaid, CampaignClosed, Conflict, Forbidden) as e:
        flash(e.message, "error")
        return redirect(url_for("collect.receipt", number=number))
    flash(f"已重开收据，替代 {number}" if created else "这张收据已经重开过，下面是新收据", "ok")
    return redirect(url_for("collect.receipt", number=receipt.number))
