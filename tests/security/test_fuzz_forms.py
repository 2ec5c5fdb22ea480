"""Every HTML form the app serves, found by opening every page each role can reach (the URL map
filled with the scene's own ids and codes) and reading its <form> elements, is submitted with
hypothesis-made values: empty, very long, CJK, emoji, right-to-left, NUL, numbers, dates, SQL and
script payloads, garbage files. Never a 5xx, and a script payload never comes back unescaped.
A new form is covered as soon as a page shows it."""
import io

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings

from tests.factories import World
from tests.paperwork.util import PLAN_HEADERS, csv_bytes, xlsx_bytes
from tests.security.conftest import ROLES, html_pages, parse_forms

# What must never appear raw in a page: each would run script if it did.
PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', '" onmouseover="alert(1)"',
            "' onmouseover='alert(1)'", "</textarea><script>alert(1)</script>",
            "javascript:alert(1)//<svg/onload=alert(1)>"]
SPECIAL = ["", " ", "0", "-1", "-100", "-99999999999999999999", "1e309", "NaN", "3.14", "0.001", "１２３",
           "2018-02-30", "2018-13-01", "1900-01-01", "9999-12-31", "0000-00-00", "2018/11/01", "confirm",
           "quote", "' OR '1'='1", "1; DROP TABLE persons; --", "%s%n%x", "{{7*7}}", "${7*7}", "../../etc/passwd",
           "张三", "欧阳·娜娜", "𠮷𠀀", "😀👨‍👩‍👧", "مرحبا بالعالم", "\u202eevil\u202c", "\x00", "a\x00b", "\ufeff",
           "\r\n\t", "x" * 5000, "测" * 3000, "410411198005171234", "41041119800517123X", "13800138000"]
FUZZ = st.one_of(
    st.sampled_from(SPECIAL + PAYLOADS),
    st.text(max_size=40),
    st.integers().map(str),
    st.dates().map(str),
    st.builds(lambda a, p, b: a + p + b, st.text(max_size=6), st.sampled_from(PAYLOADS), st.text(max_size=6)),
)
CELLS = st.one_of(st.sampled_from(SPECIAL + PAYLOADS), st.text(max_size=20), st.integers(), st.none())
FILES = st.one_of(
    st.binary(max_size=2000),
    st.lists(st.lists(CELLS, max_size=10), max_size=6).map(lambda rows: csv_bytes(
        [PLAN_HEADERS] + [[("" if c is None else c) for c in r] for r in rows])),
    st.lists(st.lists(CELLS, max_size=10), max_size=6).map(
        lambda rows: xlsx_bytes([PLAN_HEADERS] + [[_cell(c) for c in r] for r in rows])),
)
FILENAMES = st.sampled_from(["plan.xlsx", "plan.csv", "result.xlsx", "x.txt", "", "../../a.xlsx", "名单.CSV",
                             "<script>alert(1)</script>.csv"])


def _cell(value):
    # openpyxl refuses control characters in cells; those are for the CSV and raw-bytes files.
    if isinstance(value, str):
        return "".join(ch for ch in value if ch >= " " or ch in "\t\n\r")
    return value


def field_values(fields) -> st.SearchStrategy:
    """Values for one field name (several <input>s may share it): a list of strings, possibly
    empty (the field left out), or a file."""
    first = fields[0]
    if first.type == "file":
        return st.tuples(FILES, FILENAMES)
    own = [f.value for f in fields if f.value] + [o for f in fields for o in f.options]
    one = st.one_of(st.sampled_from(own), FUZZ) if own else FUZZ
    if first.type in ("checkbox", "select-multiple"):
        return st.lists(one, max_size=len(own) + 1)
    return st.one_of(one.map(lambda v: [v]), st.just([]), st.lists(one, min_size=2, max_size=2))


def form_data(form) -> st.SearchStrategy:
    by_name = {}
    for f in form.fields:
        by_name.setdefault(f.name, []).append(f)
    return st.fixed_dictionaries({name: field_values(fields) for name, fields in by_name.items()})


def submit(client, form, values):
    if form.method == "GET":
        query = [(k, v) for k, vs in values.items() for v in vs]
        return client.get(form.action, query_string=query, follow_redirects=True)
    data = {}
    for name, v in values.items():
        if isinstance(v, tuple):
            data[name] = (io.BytesIO(v[0]), v[1])
        elif v:
            data[name] = v
    return client.post(form.action, data=data, follow_redirects=True,
                       content_type="multipart/form-data" if form.enctype == "multipart/form-data" else None)


def assert_safe(resp, form, values):
    where = (form.method, form.action, {k: (v if not isinstance(v, tuple) else ("<file>", v[1])) for k, v in
                                        values.items()})
    assert resp.status_code < 500, (resp.status_code, where)
    if resp.mimetype == "text/html":
        body = resp.get_data(as_text=True)
        for payload in PAYLOADS:
            assert payload not in body, (payload, where)


def discover(app, client, role, scene) -> list:
    forms = {}
    for url, resp in html_pages(app, client, role, scene):
        for form in parse_forms(url, resp.get_data(as_text=True)):
            forms.setdefault(form.key(app), form)
    return list(forms.values())


def fuzz_form(client, form, role):
    @settings(max_examples=20, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.filter_too_much, HealthCheck.large_base_example])
    @given(values=form_data(form))
    def fuzz(values):
        resp = submit(client, form, values)
        assert_safe(resp, form, values)
        if role is not None and (resp.request.path == "/login" or resp.status_code == 401):
            # The form logged us out (the 退出 button): log in again for the next example.
            again = client.post("/login", data={"username": ROLES[role], "password": World.PASSWORD})
            assert again.status_code == 302, "the account was locked out by its own form"

    fuzz()


@pytest.mark.parametrize("role", [None, *ROLES])
def test_every_form_survives_fuzzing(app, scene, login_as, role):
    client = login_as(role)
    forms = discover(app, client, role, scene)
    assert forms, "no form found: the walk is broken"
    for form in forms:
        fuzz_form(client, form, role)


def test_forms_of_every_kind_are_found(app, scene, login_as):
    """The walk reaches the forms that matter (so that a broken walk cannot pass by finding none)."""
    client = login_as("district_admin")
    found = {form.key(app)[1] for form in discover(app, client, "district_admin", scene)}
    assert {"collect.register", "collect.edit_person", "collect.rename", "admin.campaign", "admin.new_user",
            "admin.new_area", "paperwork.import_plan", "paperwork.bureau_results", "roster.publish",
            "collect.search_people", "admin.audit_log"} <= found
    client = login_as("coordinator")
    found = {form.key(app)[1] for form in discover(app, client, "coordinator", scene)}
    assert {"collect.pay", "collect.void", "paperwork.new_handover", "receipts.reissue_receipt",
            "paperwork.resubmit"} <= found
