"""a winner's phone pseudonym, so the per-person prize cap survives a deletion and a new registration

Revision ID: d5e1b7c2a904
Revises: c3a9d2f0e118
Create Date: 2026-12-02 01:00:00

Existing winners get no key here (the key is an HMAC under the app's secret, not known to a migration):
the prize code falls back to the citizen's current phone for them, and a deletion writes it first.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd5e1b7c2a904'
down_revision = 'c3a9d2f0e118'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('winners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_key', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_winners_phone_key', ['phone_key'], unique=False)


def downgrade():
    with op.batch_alter_table('winners', schema=None) as batch_op:
        batch_op.drop_index('ix_winners_phone_key')
        batch_op.drop_column('phone_key')
