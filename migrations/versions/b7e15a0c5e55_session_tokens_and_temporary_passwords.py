"""per-account session tokens; citizens' forced password change and temporary-password expiry

Revision ID: b7e15a0c5e55
Revises: 211715e1ace2
Create Date: 2026-12-01 10:00:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = 'b7e15a0c5e55'
down_revision = '211715e1ace2'
branch_labels = None
depends_on = None


def _fill_tokens(table: str) -> None:
    """Every existing account gets its own random token (existing sessions end: they carry none)."""
    connection = op.get_bind()
    ids = [row[0] for row in connection.execute(sa.text(f"SELECT id FROM {table} WHERE session_token IS NULL"))]
    for row_id in ids:
        connection.execute(sa.text(f"UPDATE {table} SET session_token = :token WHERE id = :id"),
                           {"token": secrets.token_urlsafe(16), "id": row_id})


def upgrade():
    for table in ('citizens', 'staff_users'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('session_token', sa.String(length=32), nullable=True))
        _fill_tokens(table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('session_token', existing_type=sa.String(length=32), nullable=False)
    with op.batch_alter_table('citizens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('temporary_password_until', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('citizens', schema=None) as batch_op:
        batch_op.drop_column('temporary_password_until')
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('session_token')
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.drop_column('session_token')
