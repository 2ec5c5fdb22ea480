"""冲红: receipt corrections after hand-over, their decisions and refunds; the district's setting
whether another township admin may approve them

Revision ID: money0001
Revises: privacy0001
Create Date: 2026-12-03 14:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = "money0001"
down_revision = "privacy0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("areas") as batch:
        batch.add_column(sa.Column("peer_correction_approval", sa.Boolean(), server_default="0", nullable=False))
    op.create_table(
        "receipt_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=False),
        sa.Column("handover_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("refund_fen", sa.Integer(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("refund_fen >= 0", name=op.f("ck_receipt_corrections_refund_nonnegative")),
        sa.ForeignKeyConstraint(["handover_id"], ["handovers.id"], name=op.f("fk_receipt_corrections_handover_id_handovers")),
        sa.ForeignKeyConstraint(["proposed_by_id"], ["users.id"], name=op.f("fk_receipt_corrections_proposed_by_id_users")),
        sa.ForeignKeyConstraint(["receipt_id"], ["receipts.id"], name=op.f("fk_receipt_corrections_receipt_id_receipts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt_corrections")),
    )
    op.create_index(op.f("ix_receipt_corrections_handover_id"), "receipt_corrections", ["handover_id"])
    op.create_index(op.f("ix_receipt_corrections_receipt_id"), "receipt_corrections", ["receipt_id"])
    op.create_table(
        "correction_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("correction_id", sa.Integer(), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("void_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["correction_id"], ["receipt_corrections.id"],
                                name=op.f("fk_correction_decisions_correction_id_receipt_corrections")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_correction_decisions_decided_by_id_users")),
        sa.ForeignKeyConstraint(["void_id"], ["receipt_voids.id"], name=op.f("fk_correction_decisions_void_id_receipt_voids")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correction_decisions")),
        sa.UniqueConstraint("correction_id", name=op.f("uq_correction_decisions_correction_id")),
        sa.UniqueConstraint("void_id", name=op.f("uq_correction_decisions_void_id")),
    )
    op.create_table(
        "refunds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("correction_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("paid_to", sa.String(length=32), nullable=False),
        sa.Column("given_by", sa.String(length=32), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_refunds_amount_positive")),
        sa.ForeignKeyConstraint(["correction_id"], ["receipt_corrections.id"],
                                name=op.f("fk_refunds_correction_id_receipt_corrections")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_refunds_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
        sa.UniqueConstraint("correction_id", name=op.f("uq_refunds_correction_id")),
    )


def downgrade():
    op.drop_table("refunds")
    op.drop_table("correction_decisions")
    op.drop_index(op.f("ix_receipt_corrections_receipt_id"), table_name="receipt_corrections")
    op.drop_index(op.f("ix_receipt_corrections_handover_id"), table_name="receipt_corrections")
    op.drop_table("receipt_corrections")
    with op.batch_alter_table("areas") as batch:
        batch.drop_column("peer_correction_approval")
