"""Fixtures and helpers for the security tests: a `scene` with an object of every kind in V1/T1
(so that every page holding a form exists), a walk over every GET page a role can open (from the
URL map, like tests/test_access.py: a new page is covered as it appears), and an HTML form parser."""
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from tests.factories import World
from tests.paperwork.util import PLAN_HEADERS, xlsx_bytes
from tests.test_access import endpoints, urls_for
from webapp.services import bureau, corrections, handover, imports, payments, roster
from webapp.timeutil import today_local

ROLES = {"coordinator": "coord1", "township_admin": "tadmin1", "district_admin": "dadmin"}


@pytest.fixture
def scene(world):
    """V1 (coord1, tadmin1): a household of two, a pensioner, receipts (one voided, one still on
    hand), a confirmed hand-over and one not yet confirmed, a 冲红 waiting for approval, two bureau
    batches (one with a rejected line, one with its serial and results pending), an import preview
    and a published roster. Returns the pools of ids and codes for the URL map's parameters (own
    objects only), and the objects."""
    head = world.person(world.V1, name="张三", birth=date(1980, 5, 17), address="曹镇村东街1号")
    wife = world.person(world.V1, name="李四", birth=date(1982, 3, 2), male=False, household=head.household_id)
    old = world.person(world.V1, name="王五", birth=date(1950, 1, 9))
    unpaid = world.person(world.V1, name="赵六", birth=date(1990, 1, 9))
    on_hand = world.person(world.V1, name="孙八", birth=date(1960, 1, 9))
    tier = min(t.amount_fen for t in world.campaign.tiers)
    r1 = world.pay("coord1", (head, "pension", tier), (head, "medical"))
    r2 = world.pay("coord1", (old, "medical"))
    voided = world.pay("coord1", (wife, "medical"))
    payments.void_receipt(world.actor("coord1"), voided.number, "录错了人")
    world.pay("coord1", (on_hand, "medical"))
    h = handover.create_handover(world.actor("coord1"), world.V1, [r1.number, r2.number],
                                 bank_slip_no="YH-001", amount_yuan=f"{(r1.total_fen + r2.total_fen) / 100:.2f}")
    tadmin = world.actor("tadmin1")
    # Only confirmed hand-overs go to the bureau; another one stays unconfirmed for its pages.
    handover.confirm_handover(tadmin, h.id, received_yuan=f"{(r1.total_fen + r2.total_fen) / 100:.2f}")
    late = world.person(world.V1, name="周九", birth=date(1970, 1, 9))
    r4 = world.pay("coord1", (late, "medical"))
    h2 = handover.create_handover(world.actor("coord1"), world.V1, [r4.number], bank_slip_no="YH-002",
                                  amount_yuan=f"{r4.total_fen / 100:.2f}")
    fix = corrections.propose(tadmin, r4.number, "人社局退回，需退款")    # a 冲红 waiting for approval
    rejecting = bureau.create_batch(tadmin, world.V1, "medical")
    bureau.import_results(tadmin, rejecting.id, "result.xlsx", xlsx_bytes(
        [["序号", "姓名", "公民身份号码", "导入结果", "失败原因"], [1, "张三", head.id_number, "成功", ""],
         [2, "王五", old.id_number, "失败", "姓名与公安户籍不符"]], title_row="导入结果"))
    pending = bureau.create_batch(tadmin, world.V1, "pension")
    bureau.record_serial(tadmin, pending.id, "PL-0001")
    job = imports.preview_plan(tadmin, "plan.xlsx", xlsx_bytes(
        [PLAN_HEADERS, ["0009", "钱七", world.id_number(), "户主", "曹镇村南街2号", "", "", "否"]]),
        village_code=world.V1)
    roster.publish_roster(world.actor("dadmin"), world.V1, posting_start=today_local(),
                          posting_end=today_local() + timedelta(days=6), office_phone="0375-1234567")
    return {"int": sorted({head.id, wife.id, old.id, unpaid.id, head.household_id, old.household_id,
                           unpaid.household_id, r1.id, voided.id, h.id, h2.id, fix.id, rejecting.id, pending.id, job.id,
                           world.users["coord1"].id, world.users["tadmin1"].id}),
            "str": [world.V1, world.T1, world.DISTRICT, r1.number, voided.number],
            "people": {"head": head, "wife": wife, "old": old, "unpaid": unpaid},
            "receipts": {"paid": r1, "voided": voided}}


# --- walking the pages -----------------------------------------------------------------------

def role_allows(view, role: str | None) -> bool:
    if role is None:
        return getattr(view, "public", False)
    return role in getattr(view, "roles", (role,))


def page_urls(app, role: str | None, values: dict):
    """Every GET URL of the map that `role` (None: anonymous) may open, filled with own values."""
    for rule, view in endpoints(app):
        if "GET" in rule.methods and role_allows(view, role):
            yield from urls_for(rule, values)


def html_pages(app, client, role: str | None, values: dict):
    """(url, response) for every page that answers 200 with HTML."""
    for url in page_urls(app, role, values):
        resp = client.get(url)
        if resp.status_code == 200 and resp.mimetype == "text/html":
            yield url, resp


@pytest.fixture
def login_as(client, world):
    """login_as(role or None) -> the client, logged in as that role's V1/T1 account (or out)."""
    def do(role):
        client.post("/logout")
        if role is not None:
            resp = client.post("/login", data={"username": ROLES[role], "password": World.PASSWORD})
            assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
        return client
    return do


# --- forms in HTML -------------------------------------------------------------------------------

@dataclass
class Field:
    tag: str            # input, select, textarea
    type: str           # text, hidden, checkbox, file, select-multiple ...
    name: str
    value: str = ""
    options: list = field(default_factory=list)


@dataclass
class Form:
    method: str
    action: str         # absolute path with query
    enctype: str
    fields: list

    def key(self, app) -> tuple:
        """The same form on many pages (or for many objects) is one form."""
        path = urlsplit(self.action).path
        try:
            endpoint, _ = app.url_map.bind("localhost").match(path, method=self.method)
        except Exception:  # noqa: BLE001 - an action outside the map is its own form
            endpoint = path
        return self.method, endpoint, tuple(sorted({f.name for f in self.fields}))


class _FormParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = Form(method=(a.get("method") or "get").upper(),
                              action=urljoin(self.page_url, a.get("action") or self.page_url),
                              enctype=a.get("enctype", ""), fields=[])
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind not in ("submit", "button", "reset", "image"):
                self._form.fields.append(Field("input", kind, a["name"], a.get("value", "on" if kind in (
                    "checkbox", "radio") else "")))
        elif tag == "select":
            self._select = Field("select", "select-multiple" if "multiple" in a else "select", a["name"])
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = Field("textarea", "textarea", a["name"])
            self._form.fields.append(self._textarea)
        elif tag == "button" and a.get("value"):
            self._form.fields.append(Field("button", "button", a["name"], a["value"]))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def parse_forms(page_url: str, html: str) -> list[Form]:
    parser = _FormParser(page_url)
    parser.feed(html)
    return parser.forms
