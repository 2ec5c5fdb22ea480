"""Import pages show village names, not only codes, and list the user's past import jobs."""
from webapp.extensions import db
from webapp.models import ImportJob


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
