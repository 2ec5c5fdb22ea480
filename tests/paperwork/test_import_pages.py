"""Import pages show village names, not only codes, and list the user's past import jobs; a
preview whose confirm failed says so."""
import io

import pytest

from tests.paperwork.conftest import person_count
from tests.paperwork.test_imports import good_rows
from tests.paperwork.util import xlsx_bytes
from webapp.extensions import db
from webapp.models import ImportJob
from webapp.services import imports
from webapp.services.errors import Conflict


def job(world, username="tadmin1", **kw):
    j = ImportJob(kind="plan", filename="全乡清单.xlsx", file_sha256="0" * 64, file_size=1, total_rows=5,
                  created_by_id=world.users[username].id,
                  summary={"people": 5, "households": 2, "new_households": 2,
                           "villages": {world.V1: 3, world.V2: 2}}, **kw)
    db.session.add(j)
    db.session.commit()
    return j


def test_the_job_page_names_the_villages(world, login):
    j = job(world)
    page = login("tadmin1").get(f"/paperwork/imports/{j.id}").get_data(as_text=True)
    assert f"曹镇乡 曹镇村（{world.V1}）：3 人" in page and f"曹镇乡 大营村（{world.V2}）：2 人" in page


def test_past_jobs_are_listed_for_their_uploader(world, login):
    j = job(world)
    page = login("tadmin1").get("/paperwork/imports/plan").get_data(as_text=True)
    assert 'id="import-jobs"' in page and "全乡清单.xlsx" in page and f"/paperwork/imports/{j.id}" in page
    assert 'id="import-jobs"' not in login("tadmin2").get("/paperwork/imports/plan").get_data(as_text=True)
    assert 'id="import-jobs"' not in login("tadmin1").get("/paperwork/imports/gov").get_data(as_text=True)


def _preview(client, world, data, **extra):
    resp = client.post("/paperwork/imports/plan", data={
        "file": (io.BytesIO(data), "plan.xlsx"), "village": world.V1, "progress_token": "a" * 32, **extra},
        content_type="multipart/form-data")
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


@pytest.mark.parametrize("skip_existing", [False, True])
def test_a_stale_preview_is_not_left_confirmable_after_its_confirm_failed(world, login, skip_existing):
    """Two previews of one file; the second is confirmed; the first's confirm must fail, and its
    page must then say so instead of still offering 确认导入 with "0 problems"."""
    client = login("tadmin1")
    data = xlsx_bytes(good_rows())
    extra = {"skip_existing": "y"} if skip_existing else {}
    first, second = _preview(client, world, data, **extra), _preview(client, world, data, **extra)
    client.post(f"/paperwork/imports/{second}/confirm", data={"progress_token": "b" * 32})
    assert db.session.get(ImportJob, second).status == "done"
    resp = client.post(f"/paperwork/imports/{first}/confirm", data={"progress_token": "c" * 32},
                       follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert db.session.get(ImportJob, first).status == "checked" and person_count() == 4
    assert "确认导入失败" in page and 'id="confirm-failed"' in page
    assert "确认导入</button>" not in page and "已由另一次导入确认" in page
    assert "确认失败" in client.get("/paperwork/imports/plan").get_data(as_text=True)


def test_a_confirm_refused_by_its_recheck_lists_the_new_problems(world, login):
    from tests.paperwork.test_imports import ZS
    client = login("tadmin1")
    job_id = _preview(client, world, xlsx_bytes(good_rows()))
    world.person(name="张三", id_number=ZS)      # registered at the door meanwhile
    page = client.post(f"/paperwork/imports/{job_id}/confirm", data={"progress_token": "c" * 32},
                       follow_redirects=True).get_data(as_text=True)
    job = db.session.get(ImportJob, job_id)
    assert job.status == "checked" and job.error_count == 1 and job.problems[0][0] == 2
    assert "确认导入</button>" not in page and "已在曹镇乡曹镇村登记" in page and "确认导入失败" in page


def test_a_stale_preview_is_refused_by_the_service(world):
    data = xlsx_bytes(good_rows())
    a = imports.preview_plan(world.actor("tadmin1"), "a.xlsx", data, village_code=world.V1, skip_existing=True)
    b = imports.preview_plan(world.actor("tadmin1"), "a.xlsx", data, village_code=world.V1, skip_existing=True)
    imports.confirm_plan(world.actor("tadmin1"), b.id, data)
    with pytest.raises(Conflict, match="已由另一次导入确认"):
        imports.confirm_plan(world.actor("tadmin1"), a.id, data)
