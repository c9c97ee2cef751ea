"""The server closes overdue attempts: graded on answers saved before the deadline, dated at the deadline."""
from datetime import timedelta

from sqlalchemy import select

from quiz import tallies
from quiz.contest import attempts
from quiz.contest.overdue import close_overdue
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import Attempt, BestResult, Round
from quiz.tallies.figures import figures_from_database
from tests.conftest import make_citizen

GRACE = timedelta(seconds=30)


def _started(contest, started_at, right: int, late: int = 0) -> Attempt:
    """An attempt started at `started_at` with `right` correct answers saved in time, `late` after the deadline."""
    round_ = _opened_long_ago(contest)
    attempt = attempts.start_attempt(make_citizen().id, round_, started_at, GRACE)
    for item in attempt.items[:right]:
        attempts.save_answer(attempt.id, attempt.citizen_id, item.position, item.shown_correct,
                             started_at + timedelta(minutes=1), GRACE)
    for item in attempt.items[right:right + late]:
        attempts.save_answer(attempt.id, attempt.citizen_id, item.position, item.shown_correct,
                             attempt.deadline_at + timedelta(seconds=10), GRACE)
    return attempt


def _opened_long_ago(contest) -> Round:
    round_ = db.session.get(Round, contest.id)
    round_.opens_at = utcnow() - timedelta(days=1)
    db.session.commit()
    return round_


def test_the_sweep_grades_overdue_attempts_at_their_deadline(ctx, contest, redis):
    start = utcnow() - timedelta(hours=2)
    attempt = _started(contest, start, right=7, late=2)
    in_time = _started(contest, utcnow(), right=3)
    closed = close_overdue(utcnow(), GRACE)
    assert closed == 1
    db.session.expire_all()
    swept = db.session.get(Attempt, attempt.id)
    assert (swept.submitted_at, swept.score, swept.closed_automatically) == (swept.deadline_at, 7, True)
    assert swept.duration_seconds == contest.time_limit_seconds
    best = db.session.scalar(select(BestResult).where(BestResult.citizen_id == attempt.citizen_id))
    assert (best.score, best.first_completed_at) == (7, swept.deadline_at)
    assert db.session.get(Attempt, in_time.id).submitted_at is None
    assert close_overdue(utcnow(), GRACE) == 0  # nothing left: a second run changes nothing
    assert tallies.verify([contest.id]) == []


def test_the_sweep_keeps_the_better_earlier_result(ctx, contest, redis):
    citizen = make_citizen()
    round_ = _opened_long_ago(contest)
    first = attempts.start_attempt(citizen.id, round_, utcnow() - timedelta(hours=3), GRACE)
    for item in first.items[:12]:
        attempts.save_answer(first.id, citizen.id, item.position, item.shown_correct,
                             first.started_at + timedelta(minutes=1), GRACE)
    attempts.submit_attempt(first.id, citizen.id, None, None, first.started_at + timedelta(minutes=5), GRACE)
    second = attempts.start_attempt(citizen.id, round_, utcnow() - timedelta(hours=1), GRACE)
    attempts.save_answer(second.id, citizen.id, second.items[0].position, second.items[0].shown_correct,
                         second.started_at + timedelta(minutes=1), GRACE)
    tallies.rebuild()
    assert close_overdue(utcnow(), GRACE) == 1
    best = db.session.scalar(select(BestResult).where(BestResult.citizen_id == citizen.id))
    assert (best.attempt_id, best.score, best.attempts_count) == (first.id, 12, 2)
    assert tallies.verify([contest.id]) == []


def test_the_sweep_is_bounded_per_call(ctx, contest, redis):
    start = utcnow() - timedelta(hours=2)
    for _ in range(3):
        _started(contest, start, right=1)
    assert close_overdue(utcnow(), GRACE, limit=2) == 2
    assert close_overdue(utcnow(), GRACE, limit=2) == 1


def test_a_report_cut_off_between_deadline_and_return_counts_the_attempt(ctx, contest, redis):
    start = utcnow() - timedelta(hours=3)
    attempt = _started(contest, start, right=5)
    returned = attempt.deadline_at + timedelta(hours=2)
    attempts.submit_attempt(attempt.id, attempt.citizen_id, None, None, returned, GRACE)  # the citizen comes back
    cut_off = attempt.deadline_at + timedelta(minutes=10)
    figures = figures_from_database("31", contest.id, as_of=cut_off)["10507"]
    assert (figures.completed, figures.attempts, figures.score_sum) == (1, 1, 5)


def test_the_cli_closes_overdue_attempts(app, contest, redis):
    with app.app_context():
        _started(contest, utcnow() - timedelta(hours=2), right=2)
    result = app.test_cli_runner().invoke(args=["attempts", "close-overdue"])
    assert result.exit_code == 0, result.output
    assert "1" in result.output
    with app.app_context():
        assert db.session.scalar(select(Attempt.closed_automatically)) is True


def test_a_request_sweeps_a_bounded_batch(app, client, contest, redis, monkeypatch):
    with app.app_context():
        attempt_id = _started(contest, utcnow() - timedelta(hours=2), right=2).id
    monkeypatch.setitem(app.config, "OVERDUE_SWEEP_EVERY_SECONDS", 0)
    client.get("/")
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).submitted_at is not None


def test_a_report_cut_off_counts_attempts_nobody_came_back_to(app, client, contest, redis):
    from quiz.infra.clock import to_local
    from tests.admin_helpers import add_staff
    from tests.conftest import staff_login
    with app.app_context():
        attempt = _started(contest, utcnow() - timedelta(hours=3), right=4)
        cut_off = to_local(attempt.deadline_at + timedelta(minutes=10))
        add_staff("bantochuc")
        db.session.commit()
    staff_login(client)
    body = client.get(f"/quan-tri/bao-cao/phu-luc.csv?round={contest.id}&den={cut_off:%Y-%m-%dT%H:%M}")
    row = next(line for line in body.get_data(as_text=True).splitlines() if "Thành Đông" in line)
    completed, average = row.split(",")[4], row.split(",")[6]
    assert (completed, average) == ("1", "4.0"), row  # (registered "now", after the cut-off: 0)


def _rank_keys() -> dict[int, str | None]:
    return dict(db.session.execute(select(BestResult.citizen_id, BestResult.rank_key)).tuples().all())


def test_the_sweep_and_a_submit_keep_the_stored_rank_keys(ctx, contest, redis):
    from quiz.contest.ranking import refresh_round_rank_keys
    swept = _started(contest, utcnow() - timedelta(hours=2), right=7)
    submitted = _started(contest, utcnow(), right=4)
    attempts.submit_attempt(submitted.id, submitted.citizen_id, None, None, utcnow(), GRACE)
    close_overdue(utcnow(), GRACE)
    kept = _rank_keys()
    assert set(kept) == {swept.citizen_id, submitted.citizen_id} and None not in kept.values()
    refresh_round_rank_keys(db.session.get(Round, contest.id))  # every key written anew from the columns
    assert _rank_keys() == kept
