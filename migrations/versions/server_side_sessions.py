"""user_sessions: logins kept on the server, so logout and password changes end them

Revision ID: e1a1d0000002
Revises: d3a9c1f0b7e2
Create Date: 2026-12-02 18:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = "e1a1d0000002"
down_revision = "d3a9c1f0b7e2"
branch_labels = None
depends_on = None


def upgrade():
    # Cookies issued before this revision carry no session token: their holders log in again.
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("ended_reason", sa.String(length=24), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
    )
    op.create_index("ix_user_sessions_user_live", "user_sessions", ["user_id", "ended_at"], unique=False)


def downgrade():
    op.drop_index("ix_user_sessions_user_live", table_name="user_sessions")
    op.drop_table("user_sessions")
