"""When the money changed hands: receipts.taken_at and payments.taken_at (the phone's
recorded_at for a payment taken offline), next to created_at (when the server recorded it).
Existing rows were taken when they were recorded.

Revision ID: offline0001
Revises: years0001
"""
import sqlalchemy as sa
from alembic import op

revision = "offline0001"
down_revision = "years0001"
branch_labels = None
depends_on = None


def upgrade():
    for table in ("receipts", "payments"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("taken_at", sa.DateTime(), nullable=True))
        op.execute(f"UPDATE {table} SET taken_at = created_at")
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column("taken_at", existing_type=sa.DateTime(), nullable=False)
    with op.batch_alter_table("receipts") as batch_op:
        batch_op.create_index("ix_receipts_taken_at", ["taken_at"])


def downgrade():
    with op.batch_alter_table("receipts") as batch_op:
        batch_op.drop_index("ix_receipts_taken_at")
    for table in ("payments", "receipts"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("taken_at")
