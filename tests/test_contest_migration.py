"""An existing database migrates to contests of periods: every round gets a contest, no result is lost."""
from flask_migrate import upgrade
from sqlalchemy import text

from quiz import create_app
from quiz.contest.ranking import round_ranking
from quiz.infra.extensions import db
from quiz.models import Round
from tests.test_migrations import empty_database_url  # noqa: F401  (fixture)

BEFORE = "3fd4da0d0b29"
ROWS = [
    "INSERT INTO communes (code, province_code, name, kind, search_key) VALUES ('10507', '31', 'Phường Thành Đông', 'phuong', 'phuong thanh dong')",
    "INSERT INTO rounds (id, name, description, opens_at, closes_at, question_count, time_limit_seconds, attempts_allowed,"
    " pass_percent, reveal_answers, prediction_answer, created_at) VALUES (7, 'Đợt cũ', '', '2026-11-01 00:00:00',"
    " '2026-11-08 00:00:00', 20, 1200, 3, 80, 'after_close', 100, '2026-10-30 00:00:00')",
    "INSERT INTO citizens (id, full_name, commune_code, created_at) VALUES (1, 'Lê Thị Hoa', '10507', '2026-11-01 01:00:00'),"
    " (2, 'Trần Văn Bình', '10507', '2026-11-01 01:00:00')",
    "INSERT INTO attempts (id, round_id, citizen_id, number, started_at, deadline_at, submitted_at, score, max_score, percent,"
    " passed, duration_seconds, prediction) VALUES (1, 7, 1, 1, '2026-11-02 01:00:00', '2026-11-02 01:20:00',"
    " '2026-11-02 01:10:00', 18, 20, 90, true, 600, 90), (2, 7, 2, 1, '2026-11-02 02:00:00', '2026-11-02 02:20:00',"
    " '2026-11-02 02:10:00', 18, 20, 90, true, 600, 99)",
    "INSERT INTO best_results (id, round_id, citizen_id, attempt_id, score, percent, passed, duration_seconds, submitted_at,"
    " first_completed_at, attempts_count) VALUES (1, 7, 1, 1, 18, 90, true, 600, '2026-11-02 01:10:00', '2026-11-02 01:10:00', 1),"
    " (2, 7, 2, 2, 18, 90, true, 600, '2026-11-02 02:10:00', '2026-11-02 02:10:00', 1)",
]


def test_existing_rounds_and_results_survive_the_migration(empty_database_url):  # noqa: F811
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            for statement in ROWS:
                conn.execute(text(statement))
        upgrade()
        round_ = db.session.get(Round, 7)
        assert round_.contest.name == "Đợt cũ" and round_.contest_id == 7
        assert round_.tiebreak_chain == ["score", "duration", "prediction", "submitted_at"]
        assert (round_.allowance_period, round_.counting, round_.attempts_allowed) == ("round", "best", 3)
        # The same order as before: equal score and time, then the prediction nearer to 100 (99) first.
        assert [row.result.citizen_id for row in round_ranking(round_, 10)] == [2, 1]
        keys = db.session.execute(text("SELECT rank_key FROM best_results ORDER BY id")).scalars().all()
        assert None not in keys and keys[1] < keys[0]  # the results' rank keys were filled by the migration
        new_round = Round(name="Đợt mới", opens_at=round_.opens_at, closes_at=round_.closes_at)
        db.session.add(new_round)
        db.session.commit()
        assert new_round.contest_id == 8  # the contests' id sequence continues after the migrated ones
        db.session.remove()
        db.engine.dispose()
