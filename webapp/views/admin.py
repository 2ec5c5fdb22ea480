"""Township and district admins: campaign settings, accounts, areas, voids, audit log."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from ..extensions import db
from ..forms import (
    AreaCodeForm,
    AreaEditForm,
    AreaForm,
    AuditFilterForm,
    CampaignForm,
    PrivacyForm,
    UserEditForm,
    UserForm,
    choices,
)
from ..rules import roles
from ..rules.categories import GOV_GROUPS, KINDS, POINT_KINDS
from ..services import accounts, areas, audit, campaigns, payments, privacy
from ..services.errors import ServiceError, ValidationFailed
from ..services.scope import villages_of
from ..timeutil import today_local
from . import actor, db_int, panels, put_errors, roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@roles_required(*roles.ADMINS)
def home():
    campaign = campaigns.default_campaign()
    return render_template("admin/home.html", campaign=campaign,
                           phase=campaigns.phase_of(campaign) if campaign else None,
                           villages=villages_of(actor()), tab="home", **panels.admin_home(actor()))


# --- campaign --------------------------------------------------------------------------------

def _campaign_input(form: CampaignForm, year: int) -> campaigns.CampaignInput:
    gov = {}
    for g in GOV_GROUPS:
        for k in KINDS:
            gov[(g, k)] = (form[f"gov_{g}_{k}_full"].data, form[f"gov_{g}_{k}_yuan"].data or "0")
    return campaigns.CampaignInput(
        year=year, coverage_year=form.coverage_year.data, name=form.name.data,
        mobilisation_start=form.mobilisation_start.data, mobilisation_end=form.mobilisation_end.data,
        collection_start=form.collection_start.data, collection_end=form.collection_end.data,
        summary_start=form.summary_start.data, summary_end=form.summary_end.data,
        extended_until=form.extended_until.data, pension_min_age=form.pension_min_age.data,
        pension_max_age=form.pension_max_age.data, pension_born_from=form.pension_born_from.data,
        pension_born_until=form.pension_born_until.data, tiers_text=form.tiers_text.data,
        medical_yuan={"resident": form.medical_resident.data, "student": form.medical_student.data},
        gov_rules=gov)


def _fill_campaign_form(form: CampaignForm, data: campaigns.CampaignInput):
    for f in ["name", "coverage_year", "mobilisation_start", "mobilisation_end", "collection_start",
              "collection_end", "summary_start", "summary_end", "extended_until", "pension_min_age",
              "pension_max_age", "pension_born_from", "pension_born_until", "tiers_text"]:
        form[f].data = getattr(data, f)
    form.medical_resident.data = data.medical_yuan.get("resident", "")
    form.medical_student.data = data.medical_yuan.get("student", "")
    for (g, k), (full, yuan) in data.gov_rules.items():
        form[f"gov_{g}_{k}_full"].data = full
        form[f"gov_{g}_{k}_yuan"].data = yuan


def _save_campaign(form: CampaignForm, year: int, campaign_id: int | None):
    """Create (campaign_id None) or update; field errors go next to their fields. True if saved."""
    data = _campaign_input(form, year)
    try:
        if campaign_id:
            campaigns.update_campaign(actor(), campaign_id, data, price_reason=form.price_reason.data or "")
        else:
            campaigns.create_campaign(actor(), data)
    except ValidationFailed as e:
        aliases = {f"gov_{g}_{k}": f"gov_{g}_{k}_yuan" for g in GOV_GROUPS for k in KINDS}
        aliases |= {"medical_resident": "medical_resident", "medical_student": "medical_student"}
        for message in put_errors(form, e, aliases):
            flash(message, "error")
        return False
    except ServiceError as e:      # a closed campaign is read-only
        flash(e.message, "error")
        return False
    return True


@bp.route("/campaign", methods=["GET", "POST"])
@roles_required(roles.DISTRICT_ADMIN)
def campaign():
    """The chosen year's settings (the year switch), or the first campaign's defaults."""
    c = panels.chosen_campaign()
    form = CampaignForm()
    year = c.year if c else request.args.get("year", today_local().year, type=int)
    if not 2000 <= year <= 2100:  # ?year= names the first campaign's year; anything else is ignored
        year = today_local().year
    if not form.is_submitted():
        _fill_campaign_form(form, campaigns.input_from(c) if c else campaigns.default_input(year))
    elif form.validate() and _save_campaign(form, year, c.id if c else None):
        flash("征缴参数已保存", "ok")
        return redirect(url_for("admin.campaign", campaign=year))
    return render_template("admin/campaign.html", form=form, c=c, year=year, tab="admin", new=False,
                           state=campaigns.state_of(c) if c else None, close_form=FlaskForm(),
                           price_versions=campaigns.price_versions(c.id) if c else [],
                           **panels.year_switch(c)), (422 if form.errors else 200)


@bp.route("/campaign/new", methods=["GET", "POST"])
@roles_required(roles.DISTRICT_ADMIN)
def new_campaign():
    """Next year's campaign from the newest one: every setting copied, dates a year later, then edited."""
    newest = next(iter(campaigns.all_campaigns()), None)
    if newest is None:
        return redirect(url_for("admin.campaign"))
    year = newest.year + 1
    form = CampaignForm()
    if not form.is_submitted():
        _fill_campaign_form(form, campaigns.next_year_input(newest))
    elif form.validate() and _save_campaign(form, year, None):
        flash(f"已新建 {year} 年度征缴期", "ok")
        return redirect(url_for("admin.campaign", campaign=year))
    return render_template("admin/campaign.html", form=form, c=None, year=year, tab="admin", new=True,
                           state=None, close_form=None, years=None, price_versions=[]), (422 if form.errors else 200)


@bp.route("/campaign/<int:year>/close", methods=["POST"])
@roles_required(roles.DISTRICT_ADMIN)
def close_campaign(year):
    """结束: the summary is done; the year stays readable, nothing in it changes any more."""
    c = campaigns.campaign_of_year(year)
    if c is None:
        abort(404)
    if FlaskForm().validate_on_submit():
        try:
            campaigns.close_campaign(actor(), c.id)
        except ServiceError as e:
            flash(e.message, "error")
        else:
            flash(f"{year} 年度征缴期已结束，今后只能查看", "ok")
    return redirect(url_for("admin.campaign", campaign=year))


# --- accounts --------------------------------------------------------------------------------

def _area_choices(role_filter=None):
    out = []
    for a in areas.area_tree(actor()):
        if role_filter and a.level != roles.AREA_LEVEL[role_filter]:
            continue
        indent = {"district": "", "township": "　", "village": "　　"}[a.level]
        out.append((a.code, f"{indent}{a.name}（{a.code}）"))
    return choices(out)


@bp.route("/users")
@roles_required(*roles.ADMINS)
def users():
    rows = db.session.scalars(accounts.manageable_users(actor())).all()
    return render_template("admin/users.html", users=rows, tab="admin",
                           manageable={u.id for u in rows if accounts.may_manage(actor(), u)})


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(*roles.ADMINS)
def new_user():
    form = UserForm()
    if current_user.role == roles.TOWNSHIP_ADMIN:
        form.role.choices = choices([(roles.COORDINATOR, roles.LABELS[roles.COORDINATOR])])
    form.areas.choices = _area_choices()
    if form.validate_on_submit():
        try:
            user, password = accounts.create_user(
                actor(), username=form.username.data, name=form.name.data, role=form.role.data,
                area_codes=form.areas.data, title=form.title.data, phone=form.phone.data)
        except ValidationFailed as e:
            for message in put_errors(form, e):
                flash(message, "error")
        else:
            return render_template("admin/password_issued.html", user=user, password=password, tab="admin")
    return render_template("admin/user_form.html", form=form, user=None, tab="admin"), (422 if form.errors else 200)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(*roles.ADMINS)
def edit_user(user_id):
    user = accounts.get_manageable_user(actor(), user_id)
    form = UserEditForm(obj=user)
    form.areas.choices = _area_choices(user.role)
    if not form.is_submitted():
        form.areas.data = [a.code for a in user.areas]
    if form.validate_on_submit():
        try:
            accounts.update_user(actor(), user_id, name=form.name.data, title=form.title.data,
                                 phone=form.phone.data, active=form.active.data, area_codes=form.areas.data)
        except ValidationFailed as e:
            for message in put_errors(form, e):
                flash(message, "error")
        else:
            flash("账号已保存", "ok")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user, tab="admin"), (422 if form.errors else 200)


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@roles_required(*roles.ADMINS)
def reset_password(user_id):
    try:
        password = accounts.reset_password(actor(), user_id)
    except ServiceError as e:
        flash(e.message, "error")
        return redirect(url_for("admin.users"))
    user = accounts.get_manageable_user(actor(), user_id)
    return render_template("admin/password_issued.html", user=user, password=password, reset=True, tab="admin")


# --- areas -----------------------------------------------------------------------------------

@bp.route("/areas")
@roles_required(*roles.ADMINS)
def area_list():
    return render_template("admin/areas.html", areas=areas.area_tree(actor()), point_kinds=POINT_KINDS, tab="admin")


@bp.route("/areas/new", methods=["GET", "POST"])
@roles_required(roles.DISTRICT_ADMIN)
def new_area():
    form = AreaForm()
    form.parent.choices = choices((a.code, f"{a.name}（{a.code}）") for a in areas.area_tree(actor())
                                  if a.level != "village")
    if not form.is_submitted() and request.args.get("parent"):
        form.parent.data = request.args["parent"]
    if form.validate_on_submit():
        try:
            area = areas.create_area(actor(), parent_code=form.parent.data, code=form.code.data,
                                     name=form.name.data, kind=form.kind.data, point_kind=form.point_kind.data or None,
                                     full_name=form.full_name.data, office_phone=form.office_phone.data)
        except ValidationFailed as e:
            for message in put_errors(form, e):
                flash(message, "error")
        else:
            flash(f"已新建 {area.name}", "ok")
            return redirect(url_for("admin.area_list"))
    return render_template("admin/area_form.html", form=form, area=None, tab="admin"), (422 if form.errors else 200)


@bp.route("/areas/<code>", methods=["GET", "POST"])
@roles_required(roles.DISTRICT_ADMIN)
def edit_area(code):
    from ..services.scope import get_area
    area = get_area(actor(), code)
    form = AreaEditForm(obj=area)
    if form.validate_on_submit():
        try:
            areas.update_area(actor(), code, name=form.name.data, full_name=form.full_name.data,
                              point_kind=form.point_kind.data or None, office_phone=form.office_phone.data)
        except ValidationFailed as e:
            for message in put_errors(form, e):
                flash(message, "error")
        else:
            flash("已保存", "ok")
            return redirect(url_for("admin.area_list"))
    return render_template("admin/area_form.html", form=form, area=area, code_form=AreaCodeForm(formdata=None),
                           tab="admin"), (422 if form.errors else 200)


@bp.route("/areas/<code>/code", methods=["POST"])
@roles_required(roles.DISTRICT_ADMIN)
def change_area_code(code):
    from ..services.scope import get_area
    area = get_area(actor(), code)
    form = AreaCodeForm()
    if form.validate_on_submit():
        try:
            area = areas.change_code(actor(), code, form.code.data, form.reason.data)
        except ValidationFailed as e:
            for message in put_errors(form, e):
                flash(message, "error")
        else:
            flash(f"区划代码已更正为 {area.code}", "ok")
            return redirect(url_for("admin.edit_area", code=area.code))
    return render_template("admin/area_form.html", form=AreaEditForm(obj=area), area=area, code_form=form,
                           tab="admin"), 422


# --- privacy ---------------------------------------------------------------------------------

@bp.route("/privacy", methods=["GET", "POST"])
@roles_required(roles.DISTRICT_ADMIN)
def privacy_settings():
    """How the district's public roster shows names (one form per district the admin runs)."""
    districts = privacy.districts_of(actor())
    code = request.form.get("district", "") if request.method == "POST" else ""
    forms = {}
    for d in districts:
        posted = d.code == code
        forms[d.code] = PrivacyForm(formdata=None if not posted else request.form,
                                    data=None if posted else {"roster_names": d.roster_names}, prefix="")
    form = forms.get(code)
    if request.method == "POST":
        if form is None:
            return redirect(url_for("admin.privacy_settings"))
        if form.validate():
            try:
                privacy.set_roster_names(actor(), code, form.roster_names.data)
            except ValidationFailed as e:
                put_errors(form, e)
            else:
                flash("已保存：公示名单上的姓名按新的方式显示", "ok")
                return redirect(url_for("admin.privacy_settings"))
    return render_template("admin/privacy.html", districts=districts, forms=forms, tab="admin"), \
        (422 if form is not None and form.errors else 200)


# --- oversight -------------------------------------------------------------------------------

@bp.route("/voids")
@roles_required(*roles.ADMINS)
def voids():
    page = request.args.get("page", 1, type=db_int)
    pagination = db.paginate(payments.receipts_query(actor(), voided=True), page=page, per_page=30, error_out=False)
    return render_template("admin/voids.html", pagination=pagination, tab="admin")


def _audit_filters(form):
    if form.validate():
        return dict(user=form.user.data or "", action=form.action.data or "",
                    object_type=form.object_type.data or "", object_id=form.object_id.data or "",
                    day_from=form.day_from.data, day_to=form.day_to.data)
    return {}


@bp.route("/audit")
@roles_required(*roles.ADMINS)
def audit_log():
    form = AuditFilterForm(request.args)
    form.action.choices = choices([("", "全部")] + list(audit.ACTION_LABELS.items()))
    filters = _audit_filters(form)
    page = request.args.get("page", 1, type=db_int)
    campaign = panels.chosen_campaign()
    period = campaigns.period_of(campaign) if campaign else None
    pagination = audit.search_events(actor(), page=page, period=period, **filters)
    # The export links carry the filter fields only (a query may hold anything else, even `fmt`).
    export_args = {k: v for k, v in request.args.items()
                   if k in ("user", "action", "object_type", "object_id", "day_from", "day_to")}
    return render_template("admin/audit.html", form=form, pagination=pagination, objects=audit.OBJECT_LABELS,
                           labels=audit.ACTION_LABELS, export_args=export_args, tab="admin",
                           **panels.year_switch(campaign))


@bp.route("/audit.<fmt>")
@roles_required(*roles.ADMINS)
def audit_export(fmt):
    from urllib.parse import quote

    from flask import Response
    form = AuditFilterForm(request.args)
    form.action.choices = choices([("", "全部")] + list(audit.ACTION_LABELS.items()))
    campaign = panels.chosen_campaign()
    data, _ = audit.export_events(actor(), fmt, period=campaigns.period_of(campaign) if campaign else None,
                                  **_audit_filters(form))
    resp = Response(data, mimetype="text/csv; charset=utf-8" if fmt == "csv" else
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'审计日志_{today_local()}.{fmt}')}"
    return resp
