"""Upload size limits: every upload route (found from the pages' forms, so a new one is covered)
refuses a request over MAX_CONTENT_LENGTH with a clear Chinese message and changes nothing; the
JSON API too. The limit is lowered for the test so that it stays quick; one test uses the real one."""
import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import current_app
from sqlalchemy import func, select

from tests.paperwork.util import PLAN_HEADERS, csv_bytes
from tests.security.test_fuzz_forms import discover
from webapp.config import Config
from webapp.extensions import db
from webapp.models import AuditEvent, ImportJob, Payment, Person, Receipt
from webapp.models.paperwork import BureauResult

LIMIT = 256 * 1024


@pytest.fixture
def app_config():
    return {"MAX_CONTENT_LENGTH": LIMIT}


def state() -> tuple:
    uploads = Path(current_app.instance_path) / "imports"
    return (tuple(db.session.scalar(select(func.count(m.id))) for m in (
                AuditEvent, ImportJob, Person, Payment, Receipt, BureauResult)),
            sorted(p.name for p in uploads.iterdir()) if uploads.exists() else [])


def upload_forms(app, client, role, scene) -> list:
    return [f for f in discover(app, client, role, scene) if any(x.type == "file" for x in f.fields)]


def big_csv(size: int) -> bytes:
    row = ["0001", "张三", "410411198005171234", "户主", "曹镇村东街1号", "13800138000", "", "否"]
    data = csv_bytes([PLAN_HEADERS] + [row] * (size // 60 + 1))
    return data[:size]


def post_file(client, form, data: bytes):
    fields = {f.name: (f.options[-1] if f.options else f.value) for f in form.fields if f.type != "file"}
    fields |= {f.name: (io.BytesIO(data), "plan.csv") for f in form.fields if f.type == "file"}
    return client.post(form.action, data=fields, content_type="multipart/form-data")


def assert_refused_in_chinese(resp):
    assert resp.status_code == 413
    body = resp.get_data(as_text=True)
    assert "文件太大" in body and "256 KB" in body, body[:500]


@pytest.mark.parametrize("role", ["township_admin", "district_admin"])
def test_every_upload_route_refuses_a_file_over_the_limit(app, scene, login_as, role):
    client = login_as(role)
    forms = upload_forms(app, client, role, scene)
    endpoints = {f.key(app)[1] for f in forms}
    assert {"paperwork.import_plan", "paperwork.import_gov", "paperwork.bureau_results"} <= endpoints
    for form in forms:
        before = state()
        resp = post_file(client, form, big_csv(LIMIT + 1))
        assert_refused_in_chinese(resp)
        assert state() == before, form.action
        # Just under the limit, the same form answers with the service's own verdict, not 413.
        small = post_file(client, form, big_csv(LIMIT // 2))
        assert small.status_code not in (413,) and small.status_code < 500, (form.action, small.status_code)


def test_the_api_refuses_a_body_over_the_limit(app, login_as, scene):
    client = login_as("coordinator")
    before = state()
    resp = client.post("/api/v1/payments", data=b'{"lines": [' + b" " * LIMIT + b"]}",
                       content_type="application/json")
    assert resp.status_code == 413
    assert resp.get_json()["error"].startswith("上传的文件太大") and resp.get_json()["code"] == "error"
    assert state() == before


def test_the_configured_limit_is_enforced(scene, login_as, app):
    """With the shipped limit (32 MB): a 33 MB upload is refused before anything reads it."""
    app.config["MAX_CONTENT_LENGTH"] = Config.MAX_CONTENT_LENGTH
    assert Config.MAX_CONTENT_LENGTH == 32 * 1024 * 1024
    client = login_as("township_admin")
    form = next(f for f in upload_forms(app, client, "township_admin", scene)
                if urlsplit(f.action).path == "/paperwork/imports/plan")
    before = state()
    resp = post_file(client, form, b"x" * (33 * 1024 * 1024))
    assert resp.status_code == 413 and "最大 32 MB" in resp.get_data(as_text=True)
    assert state() == before
