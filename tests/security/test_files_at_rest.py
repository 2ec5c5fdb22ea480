"""Files at rest (issue 11, part 9).

Before: an unconfirmed import preview kept the uploaded list, full ID numbers in clear, under
instance/imports/ until the next upload happened to sweep it, and app.db, the key files and the
previews were created 0644 (readable by every user of the machine). Now previews are sealed with
a key derived from the ID-number key, swept on a timer and by `flask sweep-imports`, and every
file under instance/ is the service user's only (0600, folders 0700)."""
import io
import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import RECEIPT_KEYS, TEST_KEYS
from tests.ops.live import ROOT, write_instance
from tests.paperwork.util import PLAN_HEADERS, xlsx_bytes
from webapp.extensions import db
from webapp.housekeeping import start_sweeper, tighten_instance
from webapp.idvault import idvault
from webapp.models import ImportJob
from webapp.services import upload_store


def plan(world):
    number = world.id_number()
    return number, xlsx_bytes([PLAN_HEADERS, ["0009", "钱七", number, "户主", "曹镇村南街2号", "", "", "否"]])


def upload(client, world, data):
    resp = client.post("/paperwork/imports/plan", data={"file": (io.BytesIO(data), "plan.xlsx"), "village": world.V1},
                       content_type="multipart/form-data")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    return db.session.query(ImportJob).order_by(ImportJob.id.desc()).first()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_preview_holds_no_id_number_in_clear_and_still_confirms(world, login, app):
    client = login("tadmin1")
    number, data = plan(world)
    job = upload(client, world, data)
    (stored,) = (Path(app.instance_path) / "imports").glob("*.upload")
    raw = stored.read_bytes()
    # Not the file, not the number (xlsx deflates its XML, so look in the CSV-like clear text too).
    assert raw != data and number.encode() not in raw and data[:4] not in raw[:8]
    assert mode(stored) == 0o600 and mode(stored.parent) == 0o700
    resp = client.post(f"/paperwork/imports/{job.id}/confirm", data={"progress_token": "b" * 32})
    assert "已导入 1 人" in client.get(resp.headers["Location"]).get_data(as_text=True)


def test_a_sealed_preview_opens_only_under_its_own_name(app):
    sealed = idvault.seal_file(b"410411198005171234", "1-aa.upload")
    assert idvault.open_file(sealed, "1-aa.upload") == b"410411198005171234"
    for label, blob in [("2-bb.upload", sealed), ("1-aa.upload", sealed[:-1] + bytes([sealed[-1] ^ 1])),
                        ("1-aa.upload", b"410411198005171234")]:
        with pytest.raises(ValueError):
            idvault.open_file(blob, label)


def test_a_preview_altered_on_disk_asks_for_the_file_again(world, login, app):
    client = login("tadmin1")
    _, data = plan(world)
    job = upload(client, world, data)
    (stored,) = (Path(app.instance_path) / "imports").glob("*.upload")
    stored.write_bytes(data)       # swapped for the clear file: it must not be trusted
    resp = client.post(f"/paperwork/imports/{job.id}/confirm", data={"progress_token": "b" * 32})
    assert "请重新上传" in client.get(resp.headers["Location"]).get_data(as_text=True)


def _age(path: Path, seconds: float):
    os.utime(path, (time.time() - seconds,) * 2)


def test_flask_sweep_imports_removes_old_previews_only(world, login, app):
    client = login("tadmin1")
    _, data = plan(world)
    upload(client, world, data)
    folder = Path(app.instance_path) / "imports"
    (fresh,) = folder.glob("*.upload")
    old = folder / "7-0123456789abcdef.upload"
    old.write_bytes(b"x")
    progress = folder / "progress-old.json"
    progress.write_text("{}")
    _age(old, 2 * 86400)
    _age(progress, 2 * 86400)
    result = app.test_cli_runner().invoke(args=["sweep-imports"])
    assert result.exit_code == 0 and "已清除 1 份" in result.output
    assert fresh.exists() and not old.exists() and not progress.exists()
    result = app.test_cli_runner().invoke(args=["sweep-imports", "--max-age", "0"])
    assert "已清除 1 份" in result.output and not fresh.exists()


def test_the_timer_sweeps_without_another_upload(app):
    folder = upload_store.folder(app.instance_path)
    old = folder / "3-0123456789abcdef.upload"
    old.write_bytes(b"x")
    _age(old, 2 * 86400)
    app.config["IMPORT_SWEEP_INTERVAL_S"] = 0.05
    thread = start_sweeper(app)
    try:
        deadline = time.time() + 20
        while old.exists() and time.time() < deadline:
            time.sleep(0.05)
        assert not old.exists() and thread.is_alive()
    finally:
        thread.stop.set()
        thread.join(5)


def test_files_left_readable_are_narrowed_at_start(tmp_path):
    inst = tmp_path / "inst"
    (inst / "cache").mkdir(parents=True)
    for p in (inst, inst / "cache"):
        os.chmod(p, 0o755)
    (inst / "app.db").write_bytes(b"")
    os.chmod(inst / "app.db", 0o644)
    changed = tighten_instance(inst)
    assert mode(inst) == 0o700 and mode(inst / "cache") == 0o700 and mode(inst / "app.db") == 0o600
    assert len(changed) == 3 and tighten_instance(inst) == []


SCRIPT = textwrap.dedent('''
    import io, sys
    from webapp import create_app
    app = create_app()
    app.config.update(WTF_CSRF_ENABLED=False)
    with app.app_context():
        from webapp.extensions import db
        from webapp.services import demo
        demo.seed_demo(password="Passwort-1234", n_people=5)
    c = app.test_client()
    c.post("/login", data={"username": "nobody", "password": "wrong"})        # ratelimit.db
    c.post("/login", data={"username": sys.argv[1], "password": "Passwort-1234"})
    resp = c.post("/paperwork/imports/plan", content_type="multipart/form-data", data={
        "file": (io.BytesIO(open(sys.argv[2], "rb").read()), "p.xlsx"), "village": "410411200001"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
''')


def test_a_fresh_instance_is_private_to_the_service_user(tmp_path, world):
    """The real start: `flask db upgrade` then the app as gunicorn loads it, from a shell whose
    umask is the usual 022, leaves nothing under instance/ that another user can read."""
    inst = tmp_path / "fresh-instance"
    write_instance(inst, TEST_KEYS, RECEIPT_KEYS)       # written by the test, 0644: narrowed at start
    _, data = plan(world)
    (tmp_path / "plan.xlsx").write_bytes(data)
    env = dict(os.environ, INSTANCE_PATH=str(inst), PYTHONPATH=str(ROOT))
    env.pop("DATABASE_URL", None)

    def run(*args):
        return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
                              preexec_fn=lambda: os.umask(0o022))

    done = run(sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade")
    assert done.returncode == 0, done.stderr[-2000:]
    done = run(sys.executable, "-c", SCRIPT, "caozhen", str(tmp_path / "plan.xlsx"))
    assert done.returncode == 0, done.stderr[-2000:]
    names = {p.name for p in inst.rglob("*")}
    assert {"app.db", "id_key.json", "receipt_keys.json", "secret_key", "ratelimit.db", "imports"} <= names, names
    assert list((inst / "imports").glob("*.upload")), "the preview was not kept"
    loose = [(str(p.relative_to(inst)), oct(mode(p))) for p in [inst, *inst.rglob("*")]
             if not p.is_symlink() and mode(p) & 0o077]
    assert loose == []
