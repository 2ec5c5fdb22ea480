"""Search indexes that follow the user's villages: (village_id, initials, name),
(village_id, pinyin), (village_id, id tail); initials ordered by name.

Revision ID: city0001
Revises: money0002
"""
from alembic import op

revision = "city0001"
down_revision = "money0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("people") as batch_op:
        batch_op.create_index("ix_people_village_initials", ["village_id", "name_initials", "name"])
        batch_op.create_index("ix_people_village_pinyin", ["village_id", "name_pinyin"])
        batch_op.create_index("ix_people_village_tail", ["village_id", "id_tail"])
        batch_op.create_index("ix_people_initials_name", ["name_initials", "name"])
        batch_op.drop_index("ix_people_name_initials")


def downgrade():
    with op.batch_alter_table("people") as batch_op:
        batch_op.create_index("ix_people_name_initials", ["name_initials"])
        batch_op.drop_index("ix_people_initials_name")
        batch_op.drop_index("ix_people_village_tail")
        batch_op.drop_index("ix_people_village_pinyin")
        batch_op.drop_index("ix_people_village_initials")
