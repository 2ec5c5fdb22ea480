"""progress and roster: published roster versions (公示) and their rows (issue 7)

Revision ID: c7d41e9a2b60
Revises: 62a913aaa913
Create Date: 2026-11-28

Only new tables. A version and its rows are written once, when the district admin publishes a
roster, and never changed: the public copy and the printed PDF read only these.
"""
from alembic import op
import sqlalchemy as sa


revision = 'c7d41e9a2b60'
down_revision = 'b5e7a0c4d2f1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('roster_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=128), nullable=False),
    sa.Column('campaign_name', sa.String(length=128), nullable=False),
    sa.Column('coverage_year', sa.Integer(), nullable=False),
    sa.Column('unit_name', sa.String(length=128), nullable=False),
    sa.Column('village_code', sa.String(length=12), nullable=False),
    sa.Column('posting_start', sa.Date(), nullable=False),
    sa.Column('posting_end', sa.Date(), nullable=False),
    sa.Column('office_phone', sa.String(length=32), nullable=False),
    sa.Column('row_count', sa.Integer(), nullable=False),
    sa.Column('pension_total_fen', sa.Integer(), nullable=False),
    sa.Column('medical_total_fen', sa.Integer(), nullable=False),
    sa.Column('total_fen', sa.Integer(), nullable=False),
    sa.Column('rows_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_roster_versions_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_roster_versions_published_by_id_users')),
    sa.ForeignKeyConstraint(['village_id'], ['areas.id'], name=op.f('fk_roster_versions_village_id_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_versions')),
    sa.UniqueConstraint('campaign_id', 'village_id', 'version', name=op.f('uq_roster_versions_campaign_id'))
    )
    with op.batch_alter_table('roster_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_versions_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_versions_village_id'), ['village_id'], unique=False)

    op.create_table('roster_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roster_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('id_masked', sa.String(length=18), nullable=False),
    sa.Column('pension_fen', sa.Integer(), nullable=True),
    sa.Column('medical_fen', sa.Integer(), nullable=True),
    sa.Column('total_fen', sa.Integer(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['roster_id'], ['roster_versions.id'], name=op.f('fk_roster_rows_roster_id_roster_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_rows')),
    sa.UniqueConstraint('roster_id', 'seq', name=op.f('uq_roster_rows_roster_id'))
    )


def downgrade():
    op.drop_table('roster_rows')
    with op.batch_alter_table('roster_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_versions_village_id'))
        batch_op.drop_index(batch_op.f('ix_roster_versions_campaign_id'))

    op.drop_table('roster_versions')
