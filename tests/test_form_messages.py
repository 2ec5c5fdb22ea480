"""Every validation message is in Chinese, WTForms' own included.

Finding: "Not a valid date value.", "Not a valid choice." reached the page in English."""
import importlib
import pkgutil
import re

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import DateField, DateTimeField, DecimalField, FloatField, IntegerField, SelectField

import webapp
from webapp.forms_paperwork import BookingForm, ExportForm

ENGLISH = re.compile(r"[A-Za-z]{3,}")


def all_forms():
    for mod in pkgutil.walk_packages(webapp.__path__, "webapp."):
        importlib.import_module(mod.name)
    seen, todo = set(), list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        if cls not in seen:
            seen.add(cls)
            todo += cls.__subclasses__()
    return seen


def test_wtforms_own_messages_are_chinese_on_every_form(app):
    checked = 0
    with app.test_request_context(method="POST"):
        for cls in all_forms():
            form = cls(formdata=MultiDict())
            bad = MultiDict()
            for field in form:
                if isinstance(field, (DateField, DateTimeField)):
                    bad[field.name] = "2018-13-45"
                elif isinstance(field, (IntegerField, DecimalField, FloatField)):
                    bad[field.name] = "十二"
                elif isinstance(field, SelectField):
                    bad[field.name] = "no-such-choice"
            form = cls(formdata=bad)
            for field in form:
                if isinstance(field, SelectField) and not field.choices:
                    field.choices = [("a", "甲")]
            form.validate()
            for name, errors in form.errors.items():
                for message in errors:
                    assert not ENGLISH.search(str(message)), (cls.__name__, name, message)
                    checked += 1
    assert checked > 20


def test_the_two_quoted_messages(app):
    with app.test_request_context(method="POST"):
        form = BookingForm(formdata=MultiDict({"voucher_no": "X1", "booked_on": "2018/13/45"}))
        assert not form.validate()
        assert form.errors["booked_on"] == ["日期不对，请按 年-月-日 填写，如 2018-11-01"]
        form = ExportForm(formdata=MultiDict({"kind": "bogus", "fmt": "xlsx", "area": "1"}))
        assert not form.validate()
        assert form.errors["kind"] == ["请从列表中选择"]


def test_a_bad_date_on_the_export_page_is_chinese_next_to_the_field(world, login):
    client = login("tadmin1")
    resp = client.get(f"/paperwork/exports?kind=pension&fmt=xlsx&area={world.V1}&day_from=2018-99-01")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "日期不对" in body and "Not a valid" not in body
