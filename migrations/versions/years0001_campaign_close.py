"""Campaigns overlap: each is closed explicitly (结束) by the district admin, who and when.
`is_current` is no longer read (the campaign is chosen by date and by the year switch); the
column stays so that a downgrade finds it as it was.

Revision ID: years0001
Revises: city0001
"""
import sqlalchemy as sa
from alembic import op

revision = "years0001"
down_revision = "city0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("campaigns") as batch_op:
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("closed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_campaigns_closed_by", "users", ["closed_by_id"], ["id"])


def downgrade():
    with op.batch_alter_table("campaigns") as batch_op:
        batch_op.drop_constraint("fk_campaigns_closed_by", type_="foreignkey")
        batch_op.drop_column("closed_by_id")
        batch_op.drop_column("closed_at")
