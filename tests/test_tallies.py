"""Live tallies against a real Redis: equal to the database, idempotent, rebuilt, and Redis-down safe."""
import random

import pytest
import redis as redis_lib

from quiz import tallies
from quiz.contest import attempts
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import Citizen
from quiz.tallies.figures import daily_from_database, figures_from_database
from tests.admin_helpers import GRACE, take
from tests.conftest import any_commune_codes, make_citizen


def populate(round_, communes=6, per_commune=3, seed=7):
    rng = random.Random(seed)
    for code in any_commune_codes(communes):
        for _ in range(per_commune):
            citizen = make_citizen(code)
            first = take(round_, citizen.id, rng.randint(5, 20))
            tallies.record_submission(first)  # a repeated call changes nothing
            if rng.random() < 0.6:
                take(round_, citizen.id, rng.randint(0, 20))  # better or worse second attempt


@pytest.fixture
def live(ctx, contest, redis):
    tallies.rebuild()
    return db.session.merge(contest)


def test_tallies_equal_the_database_after_mixed_activity(live):
    populate(live)
    make_citizen(any_commune_codes(1)[0])  # registered, never took part
    assert tallies.verify([live.id]) == []
    view = tallies.read_commune_figures(live.id)
    assert not view.degraded
    truth = figures_from_database("31", live.id)
    assert {c: f.as_tuple() for c, f in view.by_commune.items()} == {c: f.as_tuple() for c, f in truth.items()}
    assert view.totals.completed == 18 and view.totals.registered == 19


def test_better_second_attempt_moves_sums_without_double_counting(live):
    citizen = make_citizen("10507")
    take(live, citizen.id, 10)
    take(live, citizen.id, 17)
    figures = tallies.read_commune_figures(live.id).by_commune["10507"]
    assert (figures.completed, figures.attempts, figures.score_sum, figures.passed) == (1, 2, 17, 1)
    take(live, citizen.id, 3)
    figures = tallies.read_commune_figures(live.id).by_commune["10507"]
    assert (figures.completed, figures.attempts, figures.score_sum, figures.passed) == (1, 3, 17, 1)


def test_double_submit_changes_nothing(live):
    citizen = make_citizen("10507")
    outcome = take(live, citizen.id, 12)
    again = attempts.submit_attempt(outcome.attempt.id, citizen.id, None, None, utcnow(), GRACE)
    tallies.record_submission(again)
    tallies.record_submission(outcome)  # even replaying the original event
    assert tallies.read_commune_figures(live.id).by_commune["10507"].attempts == 1
    assert tallies.verify([live.id]) == []


def test_flush_then_rebuild_restores_equality(live, redis):
    populate(live, communes=3, per_commune=2)
    redis.flushdb()
    view = tallies.read_commune_figures(live.id)
    assert view.degraded  # served from the database meanwhile
    assert {c: f.as_tuple() for c, f in view.by_commune.items()} == \
        {c: f.as_tuple() for c, f in figures_from_database("31", live.id).items()}
    tallies.rebuild()
    assert tallies.verify([live.id]) == []


def test_events_arriving_during_a_rebuild_are_not_lost(live, redis):
    populate(live, communes=2, per_commune=2)
    generation = redis.incr(f"{tallies.prefix()}:generation-seq")
    redis.set(tallies.building_key(), generation)  # a rebuild has started elsewhere
    take(live, make_citizen("10507").id, 15)
    redis.delete(tallies.building_key())
    tallies.rebuild()
    assert tallies.verify([live.id]) == []


def test_redis_down_registration_and_submission_succeed_and_figures_stay_right(app, live, redis):
    populate(live, communes=2, per_commune=1)
    working = app.extensions["redis"]
    app.extensions["redis"] = redis_lib.Redis.from_url("redis://127.0.0.1:6399/0", socket_connect_timeout=0.2,
                                                       socket_timeout=0.2, decode_responses=True)
    try:
        citizen = make_citizen("10792")
        outcome = take(live, citizen.id, 20)
        assert outcome.attempt.score == 20
        view = tallies.read_commune_figures(live.id)
        assert view.degraded
        assert view.by_commune["10792"].completed == 1
        assert {c: f.as_tuple() for c, f in view.by_commune.items()} == \
            {c: f.as_tuple() for c, f in figures_from_database("31", live.id).items()}
    finally:
        app.extensions["redis"] = working  # the app's own client (a cluster client on a Redis Cluster run)
    # Redis is back with stale figures: this process lost a write, so every reader is served the
    # database (degraded) until the rebuild it starts by itself has swapped in fresh tallies.
    back = tallies.read_commune_figures(live.id)
    assert back.degraded and back.by_commune["10792"].completed == 1
    for _ in range(50):
        if tallies.verify([live.id]) == []:
            break
        import time
        time.sleep(0.1)
    assert tallies.verify([live.id]) == []


def test_commune_change_moves_the_figures(live):
    citizen = make_citizen("10507")
    take(live, citizen.id, 18)
    citizen = db.session.merge(citizen)
    citizen.commune_code = "10792"
    db.session.commit()
    tallies.record_commune_change(citizen.id, "10507", "10792")
    assert tallies.verify([live.id]) == []
    assert tallies.read_commune_figures(live.id).by_commune["10792"].completed == 1


def test_daily_series_match(live):
    populate(live, communes=2, per_commune=2)
    from quiz.tallies.figures import daily_from_database
    assert tallies.read_daily(live.id) == daily_from_database(live.id)
    assert tallies.read_daily(live.id, "10507") == daily_from_database(live.id, "10507")


def test_verify_names_the_commune_and_figure_that_differs(live, redis):
    take(live, make_citizen("10507").id, 9)
    generation = redis.get(f"{tallies.prefix()}:gen")
    redis.hincrby(f"{tallies.generation_key(generation)}:r:{live.id}:score_sum", "10507", 5)
    differences = tallies.verify([live.id])
    assert differences == [f"round {live.id} commune 10507 score_sum: redis=14 database=9"]


def test_rebuild_snapshot_is_one_consistent_view(app, live, monkeypatch):
    """A registration committed while the rebuild reads the database is counted exactly once."""
    import threading

    from quiz.tallies import snapshot as tally_snapshot
    populate(live, communes=2, per_commune=1)
    read_days = tally_snapshot.registrations_by_day

    def register_elsewhere():
        with app.app_context():
            make_citizen("10792")  # commits in its own session and tells the tallies (pending list)
            db.session.remove()

    def slow_read():
        worker = threading.Thread(target=register_elsewhere)
        worker.start()
        worker.join()
        return read_days()

    monkeypatch.setattr(tally_snapshot, "registrations_by_day", slow_read)
    tallies.rebuild()
    assert tallies.verify([live.id]) == []
    assert tallies.read_daily(live.id) == daily_from_database(live.id)


def test_commune_change_during_a_rebuild_forces_another_rebuild(app, live, redis, monkeypatch):
    """A move is not idempotent: arriving mid-rebuild it marks the tallies stale instead of being replayed."""
    import threading

    from quiz.tallies import rebuilding
    from quiz.tallies import snapshot as tally_snapshot
    citizen_id = make_citizen("10507").id
    take(live, citizen_id, 18)
    snapshot = tally_snapshot.take_snapshot

    def move_elsewhere():
        with app.app_context():
            db.session.get(Citizen, citizen_id).commune_code = "10792"
            db.session.commit()
            tallies.record_commune_change(citizen_id, "10507", "10792")
            db.session.remove()

    def snapshot_after_a_move(province_code):
        worker = threading.Thread(target=move_elsewhere)
        worker.start()
        worker.join()
        return snapshot(province_code)  # holds the move; replaying the event would move it twice

    monkeypatch.setattr(rebuilding, "take_snapshot", snapshot_after_a_move)
    tallies.rebuild()
    monkeypatch.setattr(rebuilding, "take_snapshot", snapshot)
    view = tallies.read_commune_figures(live.id)  # stale: served from the database meanwhile
    assert view.degraded and view.by_commune["10792"].completed == 1 and view.by_commune["10507"].completed == 0
    tallies.rebuild()
    assert tallies.verify([live.id]) == []
    assert redis.get(tallies.stale_key()) is None


def test_verify_names_a_chart_day_that_differs(live, redis):
    citizen = make_citizen("10507")
    take(live, citizen.id, 9)
    day = tallies.read_daily(live.id, "10507")[0][0]
    generation = redis.get(f"{tallies.prefix()}:gen")
    redis.hincrby(f"{tallies.generation_key(generation)}:r:{live.id}:day:10507", day, 2)
    redis.hincrby(f"{tallies.generation_key(generation)}:reg:day", "2020-01-01", 1)
    assert tallies.verify([live.id]) == [
        "round None commune all registrations on 2020-01-01: redis=1 database=0",
        f"round {live.id} commune 10507 completions on {day}: redis=3 database=1"]


def test_cli_rebuild_then_verify_exit_codes(app, live, redis):
    take(live, make_citizen("10507").id, 11)
    runner = app.test_cli_runner()
    redis.flushdb()
    assert runner.invoke(args=["tallies", "verify"]).exit_code == 1  # nothing in Redis
    assert runner.invoke(args=["tallies", "rebuild"]).exit_code == 0
    result = runner.invoke(args=["tallies", "verify"])
    assert result.exit_code == 0, result.output
    generation = redis.get(f"{tallies.prefix()}:gen")
    redis.hincrby(f"{tallies.generation_key(generation)}:r:{live.id}:passed", "10792", 1)
    result = runner.invoke(args=["tallies", "verify"])
    assert result.exit_code == 1 and f"round {live.id} commune 10792 passed: redis=1 database=0" in result.output


def test_one_rebuild_at_a_time(live, redis):
    generation = redis.get(f"{tallies.prefix()}:gen")
    redis.set(tallies.rebuild_lock_key(), "another-worker", ex=60)
    with pytest.raises(TimeoutError):
        tallies.rebuild(wait_seconds=0.3)
    redis.delete(f"{tallies.prefix()}:gen")  # flushed: readers ask for a rebuild, but the lock is held
    assert tallies.read_commune_figures(live.id).degraded
    assert redis.get(tallies.rebuild_lock_key()) == "another-worker" and redis.get(f"{tallies.prefix()}:gen") is None
    redis.delete(tallies.rebuild_lock_key())
    assert int(tallies.rebuild()) > int(generation)
    assert redis.get(tallies.rebuild_lock_key()) is None
