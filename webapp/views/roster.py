"""The public roster (公示): the online copy anyone may open (no login, masked data only), and the
admins' pages to publish versions and print them for the notice board."""
import io

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import Length, Optional

from ..extensions import limiter
from ..rules import roles
from ..services import roster, roster_pdf
from ..services.errors import Conflict, NotFound, ValidationFailed
from . import actor, db_int, panels, public, put_errors, roles_required, site
from .progress import ChineseMessages

bp = Blueprint("roster", __name__)

# The public copy is for people reading one village's list, not for harvesting every village's.
DEFAULT_RATE_LIMIT = "120 per minute"


def _public_rate_limit() -> str:
    return current_app.config.get("ROSTER_RATE_LIMIT") or DEFAULT_RATE_LIMIT


class PublishForm(FlaskForm):
    class Meta(ChineseMessages):
        pass

    # Required-ness and the date rules are the service's (one place, one message).
    posting_start = DateField("公示开始日期", validators=[Optional()])
    posting_end = DateField("公示结束日期", validators=[Optional()], description="公示期一般为 7 天")
    office_phone = StringField("异议电话", validators=[Length(max=32)],
                               description="群众对公示有异议时拨打的办公电话")


def _paper() -> str:
    paper = request.args.get("paper", "A4").upper()
    if paper not in roster_pdf.PAPERS:
        raise NotFound("没有这种纸张（A4 或 A3）")
    return paper


# --- admins ------------------------------------------------------------------------------------

@bp.route("/rosters")
@roles_required(*roles.ADMINS)
def overview():
    campaign = panels.chosen_campaign()
    return render_template("roster/overview.html", statuses=roster.roster_overview(actor(), campaign), tab="admin",
                           **panels.year_switch(campaign))


def _detail_page(code: str, form: PublishForm, status: int = 200):
    campaign = panels.chosen_campaign()
    detail = roster.roster_detail(actor(), code, campaign)
    if not form.is_submitted():
        form.posting_start.data, form.posting_end.data = roster.posting_defaults()
        form.office_phone.data = detail.office_phone
    return render_template("roster/detail.html", d=detail, form=form, papers=roster_pdf.PAPERS, tab="admin",
                           **panels.year_switch(campaign)), status


@bp.route("/rosters/<code>")
@roles_required(*roles.ADMINS)
def detail(code):
    return _detail_page(code, PublishForm())


@bp.route("/rosters/<code>/publish", methods=["POST"])
@roles_required(roles.DISTRICT_ADMIN)
def publish(code):
    form = PublishForm()
    if form.validate_on_submit():
        try:
            version = roster.publish_roster(actor(), code, posting_start=form.posting_start.data,
                                            posting_end=form.posting_end.data, office_phone=form.office_phone.data,
                                            campaign=panels.chosen_campaign())
        except ValidationFailed as e:
            for message in put_errors(form, e):
                flash(message, "error")
        except Conflict as e:
            flash(e.message, "warn")
            return redirect(url_for("roster.detail", code=code))
        else:
            flash(f"已发布第 {version.version} 版公示名单（{version.row_count} 人），网上公示已更新", "ok")
            return redirect(url_for("roster.detail", code=code))
    return _detail_page(code, form, 422)


@bp.route("/rosters/<code>/<int:year>/v<int:number>.pdf")
@roles_required(*roles.ALL)
def version_pdf(code, year, number):
    paper = _paper()
    path = roster_pdf.roster_pdf(actor(), site(), code, year, number, paper)
    return send_file(path, mimetype="application/pdf", download_name=f"公示名单-{code}-{year}-第{number}版-{paper}.pdf",
                     conditional=True)


@bp.route("/rosters/<code>/draft.pdf")
@roles_required(*roles.ADMINS)
def draft_pdf(code):
    paper = _paper()
    content = roster_pdf.draft_pdf(actor(), code, paper, panels.chosen_campaign())
    return send_file(io.BytesIO(content), mimetype="application/pdf",
                     download_name=f"公示名单-{code}-草稿-{paper}.pdf")


# --- the public --------------------------------------------------------------------------------

@bp.route("/gongshi/<code>")
@bp.route("/gongshi/<code>/<int:year>/v<int:number>")
@public
@limiter.limit(_public_rate_limit)
def public_page(code, year=None, number=None):
    """The online copy (what the printed QR code opens). Unpublished: 404, like any unknown page."""
    r = roster.public_roster(code, year, number, q=request.args.get("q", ""),
                             page=request.args.get("page", 1, type=db_int))
    resp = render_template("roster/public.html", r=r)
    headers = {}
    if not current_user.is_authenticated:
        headers["Cache-Control"] = "public, max-age=300"
    return resp, 200, headers
