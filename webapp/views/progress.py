"""Progress: the admins' dashboard and 通报 PDF, the city admin's page of districts, and the figures on the home screens
(the include hooks progress/_coordinator_home.html, _admin_dashboard.html, _admin_links.html)."""
import io

from flask import Blueprint, render_template, request, send_file
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import DateField, StringField
from wtforms.i18n import get_translations
from wtforms.validators import Length, Optional

from ..rules import roles
from ..services import progress
from ..services.errors import ValidationFailed
from . import actor, panels, put_errors, roles_required

bp = Blueprint("progress", __name__, url_prefix="/progress")


class ChineseMessages:
    """WTForms' own messages (an unparsable date ...) in Chinese, like the rest of the page."""
    def get_translations(self, form):
        return get_translations(["zh"])


class ProgressFilterForm(FlaskForm):
    """GET form: which day (figures as of its end) and which area."""
    class Meta(ChineseMessages):
        csrf = False

    day = DateField("截至日期", validators=[Optional()])
    area = StringField("范围", validators=[Optional(), Length(max=12)])


def _report(form: ProgressFilterForm, campaign):
    """The report the filter asks for; a bad day goes next to its field and today is shown."""
    form.validate()
    area = form.area.data or None
    try:
        day = None if form.day.errors else form.day.data
        return progress.progress_report(actor(), area_code=area, day=day, campaign=campaign)
    except ValidationFailed as e:
        put_errors(form, e)
        return progress.progress_report(actor(), area_code=area, campaign=campaign)


@bp.route("/")
@roles_required(*roles.VIEWERS)
def dashboard():
    form = ProgressFilterForm(request.args)
    campaign = panels.chosen_campaign()
    report = _report(form, campaign)
    if form.day.errors:
        form.day.raw_data = None
    form.day.data = report.day
    form.area.data = report.area.code
    charts = {k: Markup(v) for k, v in progress.charts(report).items()}
    return render_template("progress/dashboard.html", r=report, form=form, charts=charts, tab="home",
                           **panels.year_switch(campaign)), \
        (422 if form.errors else 200)


@bp.route("/<area>/report.pdf")
@roles_required(*roles.VIEWERS)
def report_pdf(area):
    """The 通报 of a township or the district (its code in the path) for ?day= (default today)."""
    form = ProgressFilterForm(request.args)
    if not form.validate():
        raise ValidationFailed({"day": "日期格式不正确"})
    content, filename = progress.report_pdf(actor(), area_code=area, day=form.day.data,
                                            campaign=panels.chosen_campaign())
    return send_file(io.BytesIO(content), mimetype="application/pdf", as_attachment=False, download_name=filename)


@bp.route("/city")
@roles_required(roles.CITY_ADMIN)
def city():
    """The city admin's home: one row per district, each opening that district's dashboard."""
    form = ProgressFilterForm(request.args)
    form.validate()
    campaign = panels.chosen_campaign()
    try:
        report = progress.city_report(actor(), day=None if form.day.errors else form.day.data, campaign=campaign)
    except ValidationFailed as e:
        put_errors(form, e)
        report = progress.city_report(actor(), campaign=campaign)
    if form.day.errors:
        form.day.raw_data = None
    form.day.data = report.day
    return render_template("progress/city.html", r=report, form=form, tab="home", **panels.year_switch(campaign)), \
        (422 if form.errors else 200)
