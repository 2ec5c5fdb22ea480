"""Several app nodes: a plan-list upload previewed on one node is confirmed on another, because
both keep uploads in the shared UPLOAD_FOLDER rather than their own instance/imports."""
import io

import pytest

from tests.conftest import FreshContextClient, make_test_config
from tests.paperwork.test_imports import good_rows
from tests.paperwork.util import xlsx_bytes
from webapp import create_app
from webapp.extensions import db
from webapp.models import ImportJob
from webapp.services.people import find_by_id_number


@pytest.fixture
def app_config(tmp_path):
    return {"UPLOAD_FOLDER": str(tmp_path / "shared-uploads"), "WTF_CSRF_ENABLED": False}


def test_preview_on_one_node_confirm_on_the_other(world, app, login, database_url, tmp_path):
    token = "d" * 32
    node_a = login("tadmin1")
    resp = node_a.post("/paperwork/imports/plan", data={
        "file": (io.BytesIO(xlsx_bytes(good_rows())), "plan.xlsx"), "village": world.V1, "progress_token": token},
        content_type="multipart/form-data")
    assert resp.status_code == 302
    assert list((tmp_path / "shared-uploads").glob("*.upload"))
    job_id = db.session.query(ImportJob).one().id
    db.session.commit()

    other = create_app(make_test_config(database_url, tmp_path / "node-b",
                                        UPLOAD_FOLDER=str(tmp_path / "shared-uploads")))
    other.test_client_class = FreshContextClient
    with other.app_context():
        node_b = other.test_client()
        assert node_b.post("/login", data={"username": "tadmin1", "password": world.PASSWORD}).status_code == 302
        assert node_b.get(f"/paperwork/imports/progress/{token}").get_json()["done"] > 0
        resp = node_b.post(f"/paperwork/imports/{job_id}/confirm", data={"progress_token": "e" * 32})
        assert resp.status_code == 302
        assert "已导入 4 人" in node_b.get(resp.headers["Location"]).get_data(as_text=True)
        db.session.remove()
        db.engine.dispose()
    db.session.rollback()
    assert find_by_id_number(good_rows()[1][2]).name == "张三"
    assert not list((tmp_path / "shared-uploads").glob("*.upload"))
