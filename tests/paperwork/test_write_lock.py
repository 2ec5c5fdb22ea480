"""Slow work never blocks the door (issue 13 part 6), on the tests' SQLite file database with its
writer queue: a payment commits while a plan-list preview or an annex export is in the middle of
its work, and a writer that cannot get the lock in WRITE_LOCK_TIMEOUT_S is told "系统繁忙，请稍后重试"
(503 with Retry-After) instead of waiting for ever."""
import threading
from datetime import date
from pathlib import Path

import pytest

from tests.paperwork.util import PLAN_HEADERS, csv_bytes
from webapp.database import writer_queue
from webapp.extensions import db
from webapp.models import AuditEvent, ImportJob, Payment
from webapp.services import exports, imports, payments
from webapp.services.errors import Busy
from webapp.services.tx import unit_of_work

WAIT_S = 20   # far longer than a payment takes; reached only when the payment is blocked


def _in_thread(app, fn, *args):
    """Run fn(*args) in its own thread and app context (own session, own writer-queue descriptor)."""
    box = {}

    def target():
        with app.app_context():
            try:
                box["result"] = fn(*args)
            except BaseException as e:   # noqa: BLE001 - handed back to the test
                box["error"] = e
            finally:
                db.session.remove()
    t = threading.Thread(target=target, daemon=True)
    t.start()
    return t, box


def _pay(world, person_id: int) -> str:
    receipt, _ = payments.record_payment(world.actor("coord1"), [payments.LineRequest(person_id, "medical")])
    return receipt.number


def _paused(real, where: threading.Event, go_on: threading.Event):
    """A wrapper of `real` that stops the first time it is called until go_on is set."""
    def wrapper(*args, **kwargs):
        if not where.is_set():
            where.set()
            assert go_on.wait(WAIT_S)
        return real(*args, **kwargs)
    return wrapper


def _plan_list(world, n: int) -> bytes:
    return csv_bytes([PLAN_HEADERS] + [[f"{i:04d}", "王五", world.id_number(date(1980, 1, 1)), "户主", f"东街{i}号",
                                        "", "", ""] for i in range(n)])


@pytest.mark.parametrize("step", ["preview", "confirm"])
def test_a_payment_commits_while_a_plan_list_is_being_checked(app, world, step):
    """The preview, and the confirm's second check, read the list outside the write lock."""
    person_id = world.person(name="张三").id
    data = _plan_list(world, 50)
    job_id = imports.preview_plan(world.actor("tadmin1"), "plan.csv", data, village_code=world.V1).id
    checking, go_on = threading.Event(), threading.Event()

    def progress(phase, done, total):
        if phase == "检查" and not checking.is_set():
            checking.set()           # the rows are being checked: mid-way
            assert go_on.wait(WAIT_S)

    def run():
        if step == "preview":
            return imports.preview_plan(world.actor("tadmin1"), "plan.csv", data, village_code=world.V1,
                                        progress=progress).id
        return imports.confirm_plan(world.actor("tadmin1"), job_id, data, progress=progress).id

    db.session.commit()
    work, work_box = _in_thread(app, run)
    try:
        assert checking.wait(WAIT_S)
        payment, box = _in_thread(app, _pay, world, person_id)
        payment.join(WAIT_S / 2)
        assert not payment.is_alive(), f"the payment waited for the {step}"
        assert "error" not in box and box["result"]
        assert work.is_alive()    # still checking when the payment committed
    finally:
        go_on.set()
        work.join(WAIT_S)
    assert "error" not in work_box, work_box
    db.session.rollback()   # World's user objects were refreshed from the threads: start afresh
    job = db.session.get(ImportJob, work_box["result"])
    assert job.total_rows == 50 and job.error_count == 0
    assert job.status == ("done" if step == "confirm" else "checked")
    assert db.session.query(Payment).filter_by(person_id=person_id).count() == 1


def test_a_payment_commits_while_a_district_export_is_being_built(app, world, paid, monkeypatch):
    person_id = world.person(name="赵六").id
    building, go_on = threading.Event(), threading.Event()
    monkeypatch.setattr(exports, "payment_sheet", _paused(exports.payment_sheet, building, go_on))
    db.session.commit()
    export, export_box = _in_thread(app, lambda: exports.export_annex(world.actor("dadmin"), "pension",
                                                                      world.DISTRICT).rows)
    try:
        assert building.wait(WAIT_S)
        payment, box = _in_thread(app, _pay, world, person_id)
        payment.join(WAIT_S / 2)
        assert not payment.is_alive(), "the payment waited for the export"
        assert "error" not in box and box["result"]
        assert export.is_alive()
    finally:
        go_on.set()
        export.join(WAIT_S)
    db.session.rollback()
    assert export_box.get("result") == 2     # the two pension lines of `paid`
    assert db.session.query(AuditEvent).filter_by(action="annex.export").count() == 1


@pytest.fixture
def app_config():
    return {"WRITE_LOCK_TIMEOUT_S": 0.5}


def _hold_the_lock(app, world):
    """A thread inside a unit of work that has written (so holds the write lock) until released.
    The writer queue is SQLite's (PostgreSQL locks rows, not the database)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the writer queue is SQLite's")
    holding, release = threading.Event(), threading.Event()

    def hold():
        with unit_of_work():
            db.session.add(AuditEvent(action="test.hold", object_type="test", summary="holding the lock"))
            db.session.flush()
            holding.set()
            assert release.wait(WAIT_S)
    thread, box = _in_thread(app, hold)
    assert holding.wait(WAIT_S)
    return thread, release


def test_a_writer_that_cannot_get_the_lock_in_time_is_told_the_system_is_busy(app, world, client, login):
    person_id = world.person(name="钱七").id
    login("coord1")
    token = client.get("/api/v1/me").get_json()["csrf_token"]
    body = {"client_id": "7d0c5e6a-1f1e-4c55-9a55-2d1f3c1b0a01", "method": "cash",
            "lines": [{"person_id": person_id, "kind": "medical"}]}
    holder, release = _hold_the_lock(app, world)
    try:
        resp = client.post("/api/v1/payments", json=body, headers={"X-CSRFToken": token})
        assert resp.status_code == 503
        assert resp.headers["Retry-After"].isdigit()
        assert resp.get_json() == {"error": "系统繁忙，请稍后重试", "code": "busy"}
        with pytest.raises(Busy):   # a service call says the same
            _pay(world, person_id)
    finally:
        release.set()
        holder.join(WAIT_S)
    db.session.rollback()
    assert db.session.query(Payment).filter_by(person_id=person_id).count() == 0   # nothing half-saved
    # The lock given up on is handed on, not kept: the phone's retry goes through.
    resp = client.post("/api/v1/payments", json=body, headers={"X-CSRFToken": token})
    assert resp.status_code == 201, resp.get_json()
    assert _pay_again_is_refused(world, person_id)


def _pay_again_is_refused(world, person_id) -> bool:
    from webapp.services.errors import AlreadyPaid
    try:
        _pay(world, person_id)
    except AlreadyPaid:
        return True
    return False


def test_a_page_that_cannot_get_the_lock_in_time_says_so_in_chinese(app, world, client, login):
    login("dadmin")
    holder, release = _hold_the_lock(app, world)
    try:
        resp = client.post("/admin/areas/new", data={"parent": world.T1, "code": "410411200009",
                                                     "name": "新村", "kind": "village",
                                                     "point_kind": "village_committee"})
        assert resp.status_code == 503 and "Retry-After" in resp.headers
        assert "系统繁忙，请稍后重试" in resp.get_data(as_text=True)
    finally:
        release.set()
        holder.join(WAIT_S)


def test_the_queue_waits_for_the_lock_when_it_is_freed_in_time(app, world):
    holder, release = _hold_the_lock(app, world)
    queue = writer_queue(db.engine)
    assert queue.path and queue.timeout == 0.5
    threading.Timer(0.1, release.set).start()
    person_id = world.person(name="孙八").id     # waits ~0.1 s, well inside the timeout
    holder.join(WAIT_S)
    assert person_id


KILLED_CONFIRM = """
import sys, time
from pathlib import Path
from tests.conftest import make_test_config
from webapp import create_app
from webapp.models import User
from webapp.extensions import db
from webapp.services import imports
from webapp.services.actor import Actor

database_url, tmp, job_id, upload = sys.argv[1:5]
app = create_app(make_test_config(database_url, Path(tmp), INSTANCE_PATH=str(Path(tmp) / "killed-instance")))
with app.app_context():
    def progress(phase, done, total):
        if phase == "写入" and 0 < done < total:   # some rows written, more to come
            print("writing", flush=True)
            time.sleep(600)                       # SIGKILLed here
    actor = Actor(db.session.query(User).filter_by(username="tadmin1").one(), "127.0.0.1")
    imports.confirm_plan(actor, int(job_id), Path(upload).read_bytes(), progress=progress)
"""


def test_an_import_killed_while_writing_leaves_nothing_of_the_list(app, world, database_url, tmp_path):
    """SIGKILL in the middle of a confirm's inserts (a chunk of people written, more to come):
    afterwards not one person of the list is in the database and the job can be confirmed again."""
    import os
    import signal
    import subprocess
    import sys

    from tests.paperwork.conftest import person_count
    data = _plan_list(world, 60)
    job = imports.preview_plan(world.actor("tadmin1"), "plan.csv", data, village_code=world.V1)
    upload = tmp_path / "upload.csv"
    upload.write_bytes(data)
    db.session.commit()
    script = KILLED_CONFIRM.replace("from webapp.services import imports",
                                    "from webapp.services import imports\nimports.INSERT_CHUNK = 10")
    proc = subprocess.Popen([sys.executable, "-c", script, database_url, str(tmp_path), str(job.id), str(upload)],
                            cwd=Path(__file__).resolve().parents[2], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        line = proc.stdout.readline()
        assert line.strip() == "writing", line + proc.stdout.read()
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(30)
    db.session.rollback()
    assert person_count() == 0
    assert db.session.get(ImportJob, job.id).status != "done"
    job = imports.confirm_plan(world.actor("tadmin1"), job.id, data)   # and it goes in whole afterwards
    assert job.status == "done" and person_count() == 60
