"""rank keys (any tie-break chain read in index order) and per-phone day/week allowance windows

Revision ID: c3a9d2f0e118
Revises: 3f0c2a9d7e41
Create Date: 2026-12-01 12:40:00

Existing best results get their round's rank key here; existing allowances start with no window
(each registration's own attempts of the day or week still count, as before).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3a9d2f0e118'
down_revision = '3f0c2a9d7e41'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('best_results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rank_key', sa.String(length=160), nullable=True))
    with op.batch_alter_table('round_allowances', schema=None) as batch_op:
        batch_op.add_column(sa.Column('window_start', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('window_used', sa.Integer(), server_default='0', nullable=False))
    _fill_rank_keys()
    with op.batch_alter_table('best_results', schema=None) as batch_op:
        batch_op.create_index('ix_best_results_rank_key', ['round_id', 'rank_key', 'attempt_id'], unique=False)


def _fill_rank_keys():
    """Each round's results keyed by its chain, with the very expression the application keeps them by."""
    from quiz.contest.tiebreak import ChainColumns, rank_key_expression

    rounds = sa.table('rounds', sa.column('id', sa.Integer), sa.column('tiebreak_chain', sa.JSON),
                      sa.column('prediction_answer', sa.BigInteger))
    best = sa.table('best_results', sa.column('round_id', sa.Integer), sa.column('attempt_id', sa.Integer),
                    sa.column('score', sa.Integer), sa.column('duration_seconds', sa.Integer),
                    sa.column('submitted_at', sa.DateTime), sa.column('attempts_count', sa.Integer),
                    sa.column('rank_key', sa.String))
    attempts = sa.table('attempts', sa.column('id', sa.Integer), sa.column('prediction', sa.BigInteger),
                        sa.column('started_at', sa.DateTime))
    columns = ChainColumns(score=best.c.score, prediction=attempts.c.prediction, duration=best.c.duration_seconds,
                           submitted_at=best.c.submitted_at, started_at=attempts.c.started_at,
                           attempts_used=best.c.attempts_count, attempt_id=best.c.attempt_id)
    connection = op.get_bind()
    for round_id, chain, answer in connection.execute(sa.select(rounds.c.id, rounds.c.tiebreak_chain,
                                                                rounds.c.prediction_answer)).all():
        key = (sa.select(rank_key_expression(chain, columns, answer)).where(attempts.c.id == best.c.attempt_id)
               .scalar_subquery())
        connection.execute(best.update().where(best.c.round_id == round_id).values(rank_key=key))


def downgrade():
    with op.batch_alter_table('best_results', schema=None) as batch_op:
        batch_op.drop_index('ix_best_results_rank_key')
        batch_op.drop_column('rank_key')
    with op.batch_alter_table('round_allowances', schema=None) as batch_op:
        batch_op.drop_column('window_used')
        batch_op.drop_column('window_start')
