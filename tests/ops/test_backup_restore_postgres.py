"""flask backup / flask restore on PostgreSQL (pg_dump / pg_restore): a backup taken while serving
restores to exactly that state, the replaced data is kept, and foreign files are refused. Runs on
PostgreSQL whichever database the rest of the suite uses (tests/ops/conftest.py)."""
import subprocess

import pytest
from sqlalchemy import func, select, text

from webapp.extensions import db
from webapp.models import AuditEvent, Payment, Person, Receipt, User


@pytest.fixture
def database_url(postgres_database_url):
    return postgres_database_url


def counts():
    db.session.rollback()
    return tuple(db.session.scalar(select(func.count(m.id))) for m in (Person, Receipt, Payment, AuditEvent))


def schema():
    return db.session.scalar(text("SELECT current_schema()"))


def test_pg_backup_then_restore_returns_to_the_backed_up_state(world, runner, tmp_path):
    a, b = world.person(), world.person()
    b_id = b.id
    user_ids = {name: u.id for name, u in world.users.items()}
    world.pay("coord1", (a, "medical"), (a, "pension", 20000))
    backup_file = tmp_path / "backups" / "lx.dump"
    result = runner.invoke(args=["backup", str(backup_file)])
    assert result.exit_code == 0, result.output
    assert "收据 1" in result.output and "缴费 2" in result.output and "id_key.json" in result.output
    at_backup = counts()
    # A real pg_dump archive of this schema only.
    listing = subprocess.run(["pg_restore", "--list", str(backup_file)], capture_output=True, text=True,
                             check=True).stdout
    assert f"TABLE DATA {schema()} payments" in listing

    world.pay("coord1", (b, "medical"))
    world.person()
    after_backup = counts()
    assert after_backup != at_backup

    result = runner.invoke(args=["restore", str(backup_file), "--yes"])
    assert result.exit_code == 0, result.output
    assert counts() == at_backup
    # The restored database works: sequences continue past the restored rows.
    world.users = {name: db.session.get(User, i) for name, i in user_ids.items()}
    world.pay("coord1", (db.session.get(Person, b_id), "medical"))
    assert counts()[2] == at_backup[2] + 1
    # The replaced data is kept, not lost.
    kept = db.session.scalar(text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :p"),
                             {"p": f"{schema()}_before_restore_%"})
    assert kept
    assert db.session.scalar(text(f'SELECT count(*) FROM "{kept}".payments')) == after_backup[2]


def test_pg_backup_refuses_to_overwrite_and_restore_refuses_foreign_files(world, runner, tmp_path):
    target = tmp_path / "x.dump"
    target.write_text("not a database")
    assert runner.invoke(args=["backup", str(target)]).exit_code != 0
    before = counts()
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code != 0 and "无法读取" in result.output
    assert counts() == before
