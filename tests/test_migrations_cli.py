"""Migrations build exactly the schema the models describe; the set-up commands work."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from webapp.extensions import db


def test_migrations_build_the_models_schema_and_go_back_down(app):
    # The test database was built by the migrations (tests/schema.py).
    with db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"render_as_batch": True}), db.metadata)
    assert diffs == [], diffs
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert set(inspect(db.engine).get_table_names()) >= set(db.metadata.tables)


def test_seed_demo_prints_one_line_per_account(runner):
    result = runner.invoke(args=["seed-demo", "--people", "60", "--password", "Other2019x"])
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.output.strip().splitlines()]
    roles = {r[0] for r in rows}
    assert roles == {"district_admin", "township_admin", "coordinator"}
    assert all(len(r) == 4 and r[2] == "Other2019x" and r[3].startswith("410411") for r in rows)
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0 and "跳过" in again.output


def test_seed_demo_refuses_a_weak_password(runner):
    result = runner.invoke(args=["seed-demo", "--password", "123"])
    assert result.exit_code != 0 and "密码" in result.output


def test_demo_data_has_paid_and_unpaid_households(runner, app):
    from sqlalchemy import func, select

    from webapp.models import Campaign, Person, Receipt
    from webapp.timeutil import today_local
    runner.invoke(args=["seed-demo", "--people", "400"])
    assert db.session.scalar(select(func.count(Person.id))) == 400
    assert db.session.scalar(select(func.count(Receipt.id))) >= 5
    assert db.session.scalar(select(Campaign).order_by(Campaign.year.desc()).limit(1)).is_open_on(today_local())


def test_create_district_and_user(runner):
    assert runner.invoke(args=["create-district", "410411", "湛河区"]).exit_code == 0
    result = runner.invoke(args=["create-user", "--role", "district_admin", "--username", "boss",
                                 "--name", "局长", "--area", "410411"])
    assert result.exit_code == 0 and result.output.startswith("district_admin\tboss\t")
    bad = runner.invoke(args=["create-user", "--role", "coordinator", "--username", "x1x",
                              "--name", "x", "--area", "410411"])
    assert bad.exit_code != 0
