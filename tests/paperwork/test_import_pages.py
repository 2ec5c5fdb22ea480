"""Import pages show village names, not only codes, and list the user's past import jobs; a
preview whose confirm failed says so."""
import io

import pytest

from tests.paperwork.conftest import person_count
from tests.paperwork.test_imports import good_rows
from tests.paperwork.util import csv_bytes, xlsx_bytes
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


def _preview(client, world, data, filename="plan.xlsx", **extra):
    resp = client.post("/paperwork/imports/plan", data={
        "file": (io.BytesIO(data), filename), "village": world.V1, "progress_token": "a" * 32, **extra},
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


def test_more_than_a_thousand_problems_download_whole(world, login):
    """1,200 bad rows: the page keeps the first 1,000; the workbook has every one, with its
    column and the value the file has there."""
    from openpyxl import load_workbook

    from tests.factories import valid_id
    bad = [valid_id(seed=i)[:17] + ("0" if valid_id(seed=i)[-1] != "0" else "1") for i in range(1200)]
    rows = [["户号", "姓名", "身份证号", "住址"]]
    rows += [[str(i), "张" + chr(0x4E00 + i), n, "东街"] for i, n in enumerate(bad)]
    rows.append(["x", "=HYPERLINK(\"http://a\")", valid_id(seed=5000), "东街"])    # row 1202: a bad name
    client = login("tadmin1")
    job_id = _preview(client, world, csv_bytes(rows), "plan.csv")
    job = db.session.get(ImportJob, job_id)
    assert job.error_count == 1201 and len(job.problems) == imports.KEEP_PROBLEMS
    page = client.get(f"/paperwork/imports/{job_id}").get_data(as_text=True)
    assert f"/paperwork/imports/{job_id}/problems.xlsx" in page
    resp = client.get(f"/paperwork/imports/{job_id}/problems.xlsx")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(resp.data)).worksheets[0]
    got = [tuple(c.value for c in r) for r in ws.iter_rows()]
    assert got[0] == ("行", "列", "值", "问题") and len(got) == 1 + 1201
    assert got[1][:3] == (2, "C（身份证号）", bad[0]) and got[1][3].startswith("身份证号：")
    assert got[1200][:3] == (1201, "C（身份证号）", bad[1199])
    last = ws.cell(1202, 3)
    assert got[1201][:2] == (1202, "B（姓名）") and last.value == '=HYPERLINK("http://a")'
    assert last.data_type == "s" and last.quotePrefix    # kept as it is, as text: never a formula


def test_the_problem_list_needs_the_upload(world, login, app):
    from pathlib import Path
    client = login("tadmin1")
    rows = good_rows() + [["9", "", "x", "", "", "", "", ""]]
    job_id = _preview(client, world, xlsx_bytes(rows))
    for p in (Path(app.instance_path) / "imports").glob("*.upload"):
        p.unlink()
    resp = client.get(f"/paperwork/imports/{job_id}/problems.xlsx", follow_redirects=True)
    assert "已不在服务器上" in resp.get_data(as_text=True)
    assert login("tadmin2").get(f"/paperwork/imports/{job_id}/problems.xlsx").status_code == 404
