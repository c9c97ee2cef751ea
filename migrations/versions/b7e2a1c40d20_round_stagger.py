"""Rounds: staggered opening per commune group (stagger_groups, stagger_minutes).

Revision ID: b7e2a1c40d20
Revises: 5fdc534cdfdd
"""
import sqlalchemy as sa
from alembic import op

revision = "b7e2a1c40d20"
down_revision = "5fdc534cdfdd"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("rounds") as batch:
        batch.add_column(sa.Column("stagger_groups", sa.Integer(), server_default="1", nullable=False))
        batch.add_column(sa.Column("stagger_minutes", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("rounds") as batch:
        batch.drop_column("stagger_minutes")
        batch.drop_column("stagger_groups")
