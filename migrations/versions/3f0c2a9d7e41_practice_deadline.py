"""practice sittings get a deadline (the round's time limit)

Revision ID: 3f0c2a9d7e41
Revises: 6524304b89b3
Create Date: 2026-12-01 12:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f0c2a9d7e41'
down_revision = '6524304b89b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('practice_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deadline_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('practice_attempts', schema=None) as batch_op:
        batch_op.drop_column('deadline_at')
