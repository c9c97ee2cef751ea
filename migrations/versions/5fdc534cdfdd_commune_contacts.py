"""commune contacts: each commune's help desk (name, phone, address, hours) for "Quên mật khẩu"

Revision ID: 5fdc534cdfdd
Revises: 3fd4da0d0b29
Create Date: 2026-12-01 08:59:44.797534

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5fdc534cdfdd'
down_revision = '3fd4da0d0b29'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('commune_contacts',
    sa.Column('commune_code', sa.String(length=5), nullable=False),
    sa.Column('office_name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('hours', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['commune_code'], ['communes.code'], name=op.f('fk_commune_contacts_commune_code_communes')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['staff_users.id'], name=op.f('fk_commune_contacts_updated_by_id_staff_users')),
    sa.PrimaryKeyConstraint('commune_code', name=op.f('pk_commune_contacts'))
    )


def downgrade():
    op.drop_table('commune_contacts')
