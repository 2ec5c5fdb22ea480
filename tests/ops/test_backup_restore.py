"""flask backup / flask restore on SQLite: a backup taken while serving restores to exactly that state."""
import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import Payment, Receipt


@pytest.fixture(autouse=True)
def sqlite_only(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite backup; PostgreSQL's (pg_dump) is tested in test_backup_restore_postgres.py")


def counts():
    db.session.rollback()
    return (db.session.scalar(select(func.count(Receipt.id))), db.session.scalar(select(func.count(Payment.id))))


def test_backup_then_restore_returns_to_the_backed_up_state(world, runner, tmp_path, app):
    a, b = world.person(), world.person()
    world.pay("coord1", (a, "medical"), (a, "pension", 20000))
    backup_file = tmp_path / "backups" / "lx.db"
    result = runner.invoke(args=["backup", str(backup_file)])
    assert result.exit_code == 0, result.output
    assert "收据 1" in result.output and "id_key.json" in result.output
    at_backup = counts()

    world.pay("coord1", (b, "medical"))
    assert counts() != at_backup

    result = runner.invoke(args=["restore", str(backup_file), "--yes"])
    assert result.exit_code == 0, result.output
    assert counts() == at_backup
    kept = list((tmp_path).glob("test.db.before-restore-*"))
    assert len(kept) == 1   # the replaced database is kept, not lost


def test_backup_refuses_to_overwrite_and_restore_refuses_foreign_files(world, runner, tmp_path):
    target = tmp_path / "x.db"
    target.write_text("not a database")
    assert runner.invoke(args=["backup", str(target)]).exit_code != 0
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code != 0 and "无法读取" in result.output
