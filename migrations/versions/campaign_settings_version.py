"""campaigns.settings_version: the key of the per-process policy cache

Revision ID: d3a9c1f0b7e2
Revises: c7d41e9a2b60
Create Date: 2026-11-28 17:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = "d3a9c1f0b7e2"
down_revision = "c7d41e9a2b60"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("settings_version", sa.Integer(), server_default="1", nullable=False))


def downgrade():
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("settings_version")
