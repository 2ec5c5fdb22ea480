"""Price versions: campaigns.price_version, receipts.price_version, payments.subsidy_fen and
campaign_price_versions (issue 12, part 5). Existing campaigns and receipts are version 1.
Groups: people.is_poverty (建档立卡) and pension_tiers.groups (a tier kept for some groups;
"" = open to everyone, as every existing tier is).

Revision ID: yearrules0001
Revises: counters0001
"""
import sqlalchemy as sa
from alembic import op

revision = "yearrules0001"
down_revision = "counters0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("people") as batch_op:
        batch_op.add_column(sa.Column("is_poverty", sa.Boolean(), server_default="0", nullable=False))
    with op.batch_alter_table("pension_tiers") as batch_op:
        batch_op.add_column(sa.Column("groups", sa.String(length=64), server_default="", nullable=False))
    with op.batch_alter_table("campaigns") as batch_op:
        batch_op.add_column(sa.Column("price_version", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("receipts") as batch_op:
        batch_op.add_column(sa.Column("price_version", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("payments") as batch_op:
        batch_op.add_column(sa.Column("subsidy_fen", sa.Integer(), nullable=True))
    op.create_table(
        "campaign_price_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"], name=op.f("fk_campaign_price_versions_campaign_id_campaigns")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_campaign_price_versions_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_price_versions")),
        sa.UniqueConstraint("campaign_id", "version", name="uq_price_version"),
    )
    with op.batch_alter_table("campaign_price_versions") as batch_op:
        batch_op.create_index(batch_op.f("ix_campaign_price_versions_campaign_id"), ["campaign_id"], unique=False)


def downgrade():
    with op.batch_alter_table("campaign_price_versions") as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_price_versions_campaign_id"))
    op.drop_table("campaign_price_versions")
    with op.batch_alter_table("payments") as batch_op:
        batch_op.drop_column("subsidy_fen")
    with op.batch_alter_table("receipts") as batch_op:
        batch_op.drop_column("price_version")
    with op.batch_alter_table("campaigns") as batch_op:
        batch_op.drop_column("price_version")
    with op.batch_alter_table("pension_tiers") as batch_op:
        batch_op.drop_column("groups")
    with op.batch_alter_table("people") as batch_op:
        batch_op.drop_column("is_poverty")
