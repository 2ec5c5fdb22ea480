"""Reconciliation with the outside world: 汇总缴款书 with its amount and explanations of a
difference, decisions on results imported after booking, shortages made up after hand-over

Revision ID: money0002
Revises: money0001
Create Date: 2026-12-03 15:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "money0002"
down_revision = "money0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "vouchers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("amount_fen >= 0", name=op.f("ck_vouchers_amount_nonnegative")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_vouchers_recorded_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vouchers")),
        sa.UniqueConstraint("number", name=op.f("uq_vouchers_number")),
    )
    op.create_table(
        "voucher_explanations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("voucher_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("difference_fen", sa.Integer(), nullable=False),
        sa.Column("explained_by_id", sa.Integer(), nullable=False),
        sa.Column("explained_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["explained_by_id"], ["users.id"],
                                name=op.f("fk_voucher_explanations_explained_by_id_users")),
        sa.ForeignKeyConstraint(["voucher_id"], ["vouchers.id"], name=op.f("fk_voucher_explanations_voucher_id_vouchers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voucher_explanations")),
    )
    op.create_index(op.f("ix_voucher_explanations_voucher_id"), "voucher_explanations", ["voucher_id"])
    op.create_table(
        "late_result_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("book", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"], name=op.f("fk_late_result_decisions_decided_by_id_users")),
        sa.ForeignKeyConstraint(["result_id"], ["bureau_results.id"],
                                name=op.f("fk_late_result_decisions_result_id_bureau_results")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_late_result_decisions")),
        sa.UniqueConstraint("result_id", name=op.f("uq_late_result_decisions_result_id")),
    )
    op.create_table(
        "handover_makeups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handover_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("received_by_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_handover_makeups_amount_positive")),
        sa.ForeignKeyConstraint(["handover_id"], ["handovers.id"], name=op.f("fk_handover_makeups_handover_id_handovers")),
        sa.ForeignKeyConstraint(["received_by_id"], ["users.id"], name=op.f("fk_handover_makeups_received_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handover_makeups")),
    )
    op.create_index(op.f("ix_handover_makeups_handover_id"), "handover_makeups", ["handover_id"])


def downgrade():
    op.drop_index(op.f("ix_handover_makeups_handover_id"), table_name="handover_makeups")
    op.drop_table("handover_makeups")
    op.drop_table("late_result_decisions")
    op.drop_index(op.f("ix_voucher_explanations_voucher_id"), table_name="voucher_explanations")
    op.drop_table("voucher_explanations")
    op.drop_table("vouchers")
