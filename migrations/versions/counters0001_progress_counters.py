"""Progress counters (issue 17 part 1): progress_people, progress_lines and progress_receipts,
backfilled from the people, payments, receipts and voids already recorded; and the city admin
role (市管理员, issue 17 part 2) allowed in users.role.

Revision ID: counters0001
Revises: offline0001
"""
import sqlalchemy as sa
from alembic import op

revision = "counters0001"
down_revision = "offline0001"
branch_labels = None
depends_on = None

ROLES_BEFORE = "role IN ('district_admin', 'township_admin', 'coordinator')"
ROLES_AFTER = "role IN ('city_admin', 'district_admin', 'township_admin', 'coordinator')"


def _key(*columns):
    return [sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaigns.id"), nullable=False),
            sa.Column("village_id", sa.Integer(), sa.ForeignKey("areas.id"), nullable=False), *columns]


def _count(name):
    return sa.Column(name, sa.Integer(), nullable=False, server_default="0")


def _roles_check(old: str, new: str):
    """Replace users.role's CHECK. PostgreSQL alters it. SQLite cannot, and batch mode's copy of
    the table fails on a database with data (every table referencing users blocks the DROP under
    foreign_keys=ON, which cannot be turned off inside the migration's transaction); so the
    constraint's text is replaced in the schema, the way SQLite's ALTER TABLE documentation gives
    for changes that leave the stored rows valid (section 7: loosening a CHECK is one)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_users_role"), "users", type_="check")
        op.create_check_constraint(op.f("ck_users_role"), "users", new)
        return
    sql = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'")).scalar()
    if old not in sql:
        raise RuntimeError(f"users.role CHECK is not {old!r}: {sql}")
    version = bind.execute(sa.text("PRAGMA schema_version")).scalar()
    bind.execute(sa.text("PRAGMA writable_schema = ON"))
    bind.execute(sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'users'"),
                 {"sql": sql.replace(old, new)})
    bind.execute(sa.text(f"PRAGMA schema_version = {int(version) + 1}"))
    bind.execute(sa.text("PRAGMA writable_schema = OFF"))


def upgrade():
    op.create_table(
        "progress_people",
        *_key(sa.Column("day", sa.Date(), nullable=False)),
        _count("expected_pension"), _count("expected_medical"), _count("new_enrollees"),
        sa.PrimaryKeyConstraint("campaign_id", "village_id", "day", name=op.f("pk_progress_people")))
    op.create_table(
        "progress_lines",
        *_key(sa.Column("kind", sa.String(16), nullable=False), sa.Column("paid_day", sa.Date(), nullable=False),
              sa.Column("void_day", sa.Date(), nullable=False), sa.Column("covered", sa.Integer(), nullable=False)),
        _count("lines"), _count("fen"), _count("gov_fen"),
        sa.PrimaryKeyConstraint("campaign_id", "village_id", "kind", "paid_day", "void_day", "covered",
                                name=op.f("pk_progress_lines")))
    op.create_table(
        "progress_receipts",
        *_key(sa.Column("paid_day", sa.Date(), nullable=False), sa.Column("void_day", sa.Date(), nullable=False)),
        _count("receipts"), _count("fen"),
        sa.PrimaryKeyConstraint("campaign_id", "village_id", "paid_day", "void_day", name=op.f("pk_progress_receipts")))
    _roles_check(ROLES_BEFORE, ROLES_AFTER)

    # The same INSERT ... SELECT statements as `flask recount-progress` (services/counters.py).
    from webapp.services.counters import backfill
    backfill(op.get_bind())


def downgrade():
    if op.get_bind().execute(sa.text("SELECT 1 FROM users WHERE role = 'city_admin'")).first():
        raise RuntimeError("city admin accounts exist (role city_admin): change their role before going back")
    _roles_check(ROLES_AFTER, ROLES_BEFORE)
    op.drop_table("progress_receipts")
    op.drop_table("progress_lines")
    op.drop_table("progress_people")
