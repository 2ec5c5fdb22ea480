"""areas.roster_names: a district chooses full or masked names on the public roster

Revision ID: privacy0001
Revises: e1a1d0000002
Create Date: 2026-12-03 14:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = "privacy0001"
down_revision = "e1a1d0000002"
branch_labels = None
depends_on = None


def upgrade():
    # Existing districts keep what they had: full names, as the 公示 has always printed them.
    with op.batch_alter_table("areas") as batch:
        batch.add_column(sa.Column("roster_names", sa.String(length=8), nullable=False, server_default="full"))


def downgrade():
    with op.batch_alter_table("areas") as batch:
        batch.drop_column("roster_names")
