"""The coordinator's phone screens: home, worklist, search, household, register, pay, receipts."""
import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..forms import PersonEditForm, PersonForm, RenameForm, VoidForm, payment_form_class
from ..rules import roles
from ..services import payments, people, search, worklist
from ..services.campaigns import COLLECTING, default_campaign, phase_of, require_campaign, state_of
from ..services.errors import (
    AlreadyPaid,
    CampaignClosed,
    Conflict,
    ServiceError,
    ValidationFailed,
)
from ..services.scope import villages_of
from . import actor, db_int, panels, put_errors, roles_required

bp = Blueprint("collect", __name__)


@bp.route("/")
@login_required
def home():
    if current_user.role == roles.CITY_ADMIN:
        return redirect(url_for("progress.city"))
    if current_user.role != roles.COORDINATOR:
        return redirect(url_for("admin.home"))
    campaign = default_campaign()
    today = payments.count_today(actor(), campaign) if campaign else (0, 0)
    return render_template("collect/home.html", campaign=campaign, villages=villages_of(actor()),
                           phase=phase_of(campaign) if campaign else None, today=today, tab="home",
                           **panels.coordinator_home(actor()))


@bp.route("/villages/<code>")
@roles_required(*roles.ALL)
def village(code):
    campaign = require_campaign()
    status = request.args.get("status", "unpaid")
    page = request.args.get("page", 1, type=db_int)
    wl = worklist.village_worklist(actor(), code, campaign, status=status, page=page)
    return render_template("collect/village.html", wl=wl, status=status, filters=worklist.FILTERS,
                           campaign=campaign, tab="list")


@bp.route("/worklist")
@roles_required(*roles.ALL)
def worklist_home():
    """The 名单 tab: straight to the village when there is one, a choice otherwise."""
    villages = villages_of(actor())
    if len(villages) == 1:
        return redirect(url_for("collect.village", code=villages[0].code))
    return render_template("collect/villages.html", villages=villages, tab="list")


@bp.route("/search")
@roles_required(*roles.ALL)
def search_people():
    q = request.args.get("q", "").strip()[:40]
    results = search.search_people(actor(), q) if q else []
    return render_template("collect/search.html", q=q, results=results, tab="list")


@bp.route("/households/<int:household_id>", methods=["GET", "POST"])
@roles_required(*roles.ALL)
def household(household_id):
    campaign = require_campaign()
    sheet = worklist.household_sheet(actor(), household_id, campaign)
    form = payment_form_class(sheet.members, campaign.policy())()
    if not form.is_submitted():
        # Sensible defaults at the door: medical ticked for everyone who still owes it.
        for m in sheet.members:
            form[f"medical_{m.person.id}"].data = m.medical.expected and not m.medical.paid
    return render_template("collect/household.html", sheet=sheet, form=form, campaign=campaign, tab="list")


@bp.route("/households/<int:household_id>/pay", methods=["POST"])
@roles_required(roles.COORDINATOR)
def pay(household_id):
    """Two steps, both without JavaScript: 'quote' shows the total to confirm with the payer;
    'confirm' records it. The client_id minted at the quote step makes a double tap harmless."""
    campaign = require_campaign()
    sheet = worklist.household_sheet(actor(), household_id, campaign)
    form = payment_form_class(sheet.members, campaign.policy())()
    if not form.validate_on_submit():
        return render_template("collect/household.html", sheet=sheet, form=form, campaign=campaign, tab="list"), 422
    lines = form.selected_lines()
    try:
        if form.step.data != "confirm":
            quote = payments.quote_payment(actor(), lines)
            form.client_id.data = str(uuid.uuid4())
            form.step.data = "confirm"
            return render_template("collect/confirm.html", sheet=sheet, form=form, quote=quote, tab="list")
        receipt, created = payments.record_payment(
            actor(), lines, method=form.method.data, payer_name=form.payer_name.data,
            client_id=form.client_id.data, household_id=household_id)
    except ValidationFailed as e:
        for message in put_errors(form, e, aliases={"lines": None}):
            flash(message, "error")
        return render_template("collect/household.html", sheet=sheet, form=form, campaign=campaign,
                               errors=e.errors, tab="list"), 422
    except (AlreadyPaid, Conflict, CampaignClosed) as e:
        flash(e.message, "error")
        sheet = worklist.household_sheet(actor(), household_id, campaign)
        return render_template("collect/household.html", sheet=sheet, form=form, campaign=campaign,
                               tab="list"), e.status
    flash("收款成功，收据已开具" if created else "这笔缴费已经记录过，下面是原来的收据", "ok")
    return redirect(url_for("collect.receipt", number=receipt.number))


@bp.route("/villages/<code>/register", methods=["GET", "POST"])
@roles_required(*roles.ALL)
def register(code):
    from ..services.scope import get_village
    village = get_village(actor(), code)
    form = PersonForm()
    hh = None
    hid = request.args.get("household", type=db_int) or request.form.get("household_id", type=db_int)
    if hid:
        hh = people.get_household(actor(), hid)
        form.household_id.data = str(hh.id)
        if not form.is_submitted():
            form.relation.data = "子女"
            form.address.data = hh.address
    if form.validate_on_submit():
        data = people.PersonInput(
            name=form.name.data, id_number=form.id_number.data, address=form.address.data,
            phone=form.phone.data, relation=form.relation.data,
            household_id=hh.id if hh else None, household_number=form.household_number.data,
            flags=form.flags())
        try:
            person = people.register_person(actor(), code, data)
        except ValidationFailed as e:
            for message in put_errors(form, e):
                flash(message, "error")
        else:
            flash(f"已登记 {person.name}", "ok")
            return redirect(url_for("collect.household", household_id=person.household_id))
    return render_template("collect/register.html", form=form, village=village, household=hh, tab="list"), \
        (422 if form.errors else 200)


@bp.route("/people/<int:person_id>")
@roles_required(*roles.ALL)
def person(person_id):
    p = people.get_person(actor(), person_id)
    campaign = default_campaign()
    paid = payments.live_payments(campaign.id, [p.id]) if campaign else {}
    return render_template("collect/person.html", p=p, history=people.name_history(p), paid=paid,
                           campaign=campaign, tab="list")


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@roles_required(*roles.ALL)
def edit_person(person_id):
    p = people.get_person(actor(), person_id)
    form = PersonEditForm(obj=p)
    if form.validate_on_submit():
        try:
            people.update_person(actor(), person_id, address=form.address.data, phone=form.phone.data,
                                 relation=form.relation.data, flags=form.flags())
        except ValidationFailed as e:
            for message in put_errors(form, e):
                flash(message, "error")
        else:
            flash("已保存", "ok")
            return redirect(url_for("collect.person", person_id=person_id))
    return render_template("collect/person_edit.html", form=form, p=p, tab="list"), (422 if form.errors else 200)


@bp.route("/people/<int:person_id>/rename", methods=["GET", "POST"])
@roles_required(*roles.ALL)
def rename(person_id):
    p = people.get_person(actor(), person_id)
    form = RenameForm()
    if form.validate_on_submit():
        try:
            people.rename_person(actor(), person_id, form.new_name.data, form.reason.data)
        except ValidationFailed as e:
            put_errors(form, e)
        else:
            flash("已改名，原姓名保留在改名记录中", "ok")
            return redirect(url_for("collect.person", person_id=person_id))
    return render_template("collect/rename.html", form=form, p=p, tab="list"), (422 if form.errors else 200)


@bp.route("/people/<int:person_id>/id-number", methods=["POST"])
@roles_required(*roles.ADMINS)
def reveal_id(person_id):
    number = people.reveal_id_number(actor(), person_id)
    p = people.get_person(actor(), person_id)
    campaign = default_campaign()
    paid = payments.live_payments(campaign.id, [p.id]) if campaign else {}
    return render_template("collect/person.html", p=p, history=people.name_history(p), paid=paid,
                           campaign=campaign, full_id=number, tab="list")


@bp.route("/receipts")
@roles_required(*roles.ALL)
def receipts():
    """Receipts of the chosen year: a coordinator's own while her year is collecting; another
    year's (read-only) for every village of hers, whoever issued them."""
    page = request.args.get("page", 1, type=db_int)
    campaign = panels.chosen_campaign()
    mine = current_user.role == roles.COORDINATOR and campaign is not None and state_of(campaign) == COLLECTING
    q = payments.receipts_query(actor(), mine_only=mine, campaign=campaign)
    pagination = db.paginate(q, page=page, per_page=20, error_out=False)
    return render_template("collect/receipts.html", pagination=pagination, tab="receipts",
                           **panels.year_switch(campaign))


@bp.route("/receipts/<number>")
@roles_required(*roles.ALL)
def receipt(number):
    r = payments.get_receipt(actor(), number)
    return render_template("collect/receipt.html", r=r, tab="receipts", **panels.receipt_page(r))


@bp.route("/receipts/<number>/void", methods=["GET", "POST"])
@roles_required(roles.COORDINATOR)
def void(number):
    r = payments.get_receipt(actor(), number)
    form = VoidForm()
    if form.validate_on_submit():
        try:
            payments.void_receipt(actor(), number, form.reason.data)
        except ValidationFailed as e:
            put_errors(form, e)
        except ServiceError as e:
            flash(e.message, "error")
            return redirect(url_for("collect.receipt", number=number))
        else:
            flash("收据已作废，其中的缴费项目可以重新收取", "ok")
            return redirect(url_for("collect.receipt", number=number))
    return render_template("collect/void.html", form=form, r=r, tab="receipts"), (422 if form.errors else 200)


@bp.route("/me")
@login_required
def me():
    return render_template("collect/me.html", villages=villages_of(actor()), tab="me")
