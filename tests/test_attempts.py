"""Attempts: the draw, saving answers, the server's deadline, idempotent submit, best result."""
import random
import threading
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select, update

from quiz.contest import answer_keys, attempts
from quiz.errors import AttemptError
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import Attempt, AttemptItem, BestResult, Round, Topic
from tests.conftest import make_citizen

GRACE = timedelta(seconds=30)


def correct_shown(item) -> list[int]:
    return item.shown_correct


def answer_all(attempt, now, right: int) -> None:
    """Answer the first `right` items correctly and the rest wrongly."""
    for item in attempt.items:
        shown = correct_shown(item)
        if item.position >= right:
            shown = [p for p in range(len(item.choice_order)) if p not in shown][:1]
        attempts.save_answer(attempt.id, attempt.citizen_id, item.position, shown, now, GRACE)


def test_draw_serves_distinct_active_questions_with_shuffled_choices(ctx, contest):
    citizen = make_citizen()
    attempt = attempts.start_attempt(citizen.id, contest, utcnow(), GRACE, random.Random(1))
    versions = [item.question_version_id for item in attempt.items]
    assert len(versions) == 20 == len(set(versions))
    assert all(sorted(item.choice_order) == list(range(len(item.version.choices))) for item in attempt.items)
    assert any(item.choice_order != sorted(item.choice_order) for item in attempt.items)


def test_topic_quotas_are_honoured(ctx, contest):
    topics = db.session.scalars(select(Topic).order_by(Topic.id)).all()
    round_ = db.session.get(Round, contest.id)
    round_.topic_quotas = {str(topics[0].id): 3, str(topics[1].id): 2}
    round_.question_count = 5
    db.session.commit()
    attempt = attempts.start_attempt(make_citizen().id, round_, utcnow(), GRACE)
    drawn = [item.version.question.topic_id for item in attempt.items]
    assert sorted(drawn) == sorted([topics[0].id] * 3 + [topics[1].id] * 2)


def test_reopening_resumes_the_same_attempt_with_its_answers(ctx, contest):
    citizen, now = make_citizen(), utcnow()
    first = attempts.start_attempt(citizen.id, contest, now, GRACE)
    attempts.save_answer(first.id, citizen.id, 0, [1], now, GRACE)
    again = attempts.start_attempt(citizen.id, contest, now + timedelta(minutes=5), GRACE)
    assert again.id == first.id
    assert again.items[0].shown_selected == [1]


def test_perfect_submit_and_double_submit_record_one_result(ctx, contest):
    citizen, now = make_citizen(), utcnow()
    attempt = attempts.start_attempt(citizen.id, contest, now, GRACE)
    answer_all(attempt, now, right=20)
    first = attempts.submit_attempt(attempt.id, citizen.id, None, None, now + timedelta(minutes=3), GRACE)
    second = attempts.submit_attempt(attempt.id, citizen.id, None, None, now + timedelta(minutes=4), GRACE)
    assert first.newly_graded and first.first_completion and not second.newly_graded
    assert (first.attempt.score, first.attempt.percent, first.attempt.passed) == (20, 100.0, True)
    assert second.attempt.submitted_at == first.attempt.submitted_at
    assert db.session.scalar(select(func.count(BestResult.id))) == 1


def test_multiple_answer_items_score_only_when_exact(ctx, contest):
    citizen, now = make_citizen(), utcnow()
    attempt = attempts.start_attempt(citizen.id, contest, now, GRACE)
    multi = [item for item in attempt.items if item.version.is_multiple]
    if not multi:
        pytest.skip("this draw has no multiple-answer item")
    item = multi[0]
    attempts.save_answer(attempt.id, citizen.id, item.position, item.shown_correct[:1], now, GRACE)
    outcome = attempts.submit_attempt(attempt.id, citizen.id, None, None, now, GRACE)
    assert outcome.attempt.items[item.position].is_correct is False


def test_late_submit_counts_only_answers_saved_before_the_deadline(ctx, contest):
    citizen, now = make_citizen(), utcnow()
    attempt = attempts.start_attempt(citizen.id, contest, now, GRACE)
    answer_all(attempt, now, right=10)
    late = attempt.deadline_at + GRACE + timedelta(seconds=1)
    with pytest.raises(AttemptError):
        attempts.save_answer(attempt.id, citizen.id, 15, correct_shown(attempt.items[15]), late, GRACE)
    outcome = attempts.submit_attempt(attempt.id, citizen.id, {p: correct_shown(attempt.items[p]) for p in range(20)},
                                      None, late, GRACE)
    assert outcome.attempt.score == 10
    assert outcome.attempt.duration_seconds == contest.time_limit_seconds


def test_submit_within_grace_counts_the_answers_sent_with_it(ctx, contest):
    citizen, now = make_citizen(), utcnow()
    attempt = attempts.start_attempt(citizen.id, contest, now, GRACE)
    in_grace = attempt.deadline_at + timedelta(seconds=10)
    answers = {item.position: correct_shown(item) for item in attempt.items}
    assert attempts.submit_attempt(attempt.id, citizen.id, answers, None, in_grace, GRACE).attempt.score == 20


def item_marks(attempt_id: int) -> dict[int, bool | None]:
    db.session.expire_all()
    return dict(db.session.execute(select(AttemptItem.position, AttemptItem.is_correct)
                                   .where(AttemptItem.attempt_id == attempt_id)).all())


def test_each_save_marks_its_item_and_the_submit_marks_every_item(ctx, contest):
    citizen, now = make_citizen(), utcnow()
    attempt = attempts.start_attempt(citizen.id, contest, now, GRACE)
    answer_all(attempt, now, right=10)
    attempts.save_answer(attempt.id, citizen.id, 19, [], now, GRACE)  # emptied again: never answered
    marks = item_marks(attempt.id)
    assert [marks[p] for p in range(19)] == [True] * 10 + [False] * 9
    attempts.submit_attempt(attempt.id, citizen.id, None, None, now + timedelta(minutes=1), GRACE)
    assert item_marks(attempt.id) == {p: p < 10 for p in range(20)}


def test_a_late_submit_unmarks_answers_saved_after_the_deadline(ctx, contest):
    citizen, now = make_citizen(), utcnow()
    attempt = attempts.start_attempt(citizen.id, contest, now, GRACE)
    in_grace = attempt.deadline_at + timedelta(seconds=5)
    for item in attempt.items[:4]:
        attempts.save_answer(attempt.id, citizen.id, item.position, correct_shown(item), in_grace, GRACE)
    assert [mark for mark in item_marks(attempt.id).values() if mark] == [True] * 4
    outcome = attempts.submit_attempt(attempt.id, citizen.id, None, None, in_grace + GRACE, GRACE)
    assert outcome.attempt.score == 0
    assert set(item_marks(attempt.id).values()) == {False}


def test_answers_saved_without_a_mark_are_graded_at_submit(ctx, contest):
    """Answers stored before saves marked their items (or by a direct data fix) still count."""
    citizen, now = make_citizen(), utcnow()
    attempt = attempts.start_attempt(citizen.id, contest, now, GRACE)
    answer_all(attempt, now, right=7)
    db.session.execute(update(AttemptItem).where(AttemptItem.attempt_id == attempt.id).values(is_correct=None))
    db.session.commit()
    outcome = attempts.submit_attempt(attempt.id, citizen.id, None, None, now, GRACE)
    assert outcome.attempt.score == 7
    assert item_marks(attempt.id) == {p: p < 7 for p in range(20)}


def test_allowance_is_enforced_and_best_attempt_counts(ctx, contest):
    citizen, now = make_citizen(), utcnow()
    scores = []
    for right in (12, 18, 5):
        attempt = attempts.start_attempt(citizen.id, contest, now, GRACE)
        answer_all(attempt, now, right)
        scores.append(attempts.submit_attempt(attempt.id, citizen.id, None, None, now, GRACE))
    assert [o.best.score for o in scores] == [12, 18, 18]
    assert scores[1].previous_best.score == 12 and not scores[1].first_completion
    with pytest.raises(AttemptError) as error:
        attempts.start_attempt(citizen.id, contest, now, GRACE)
    assert "hết 3 lượt" in error.value.message


def test_forged_position_and_choice_and_other_citizen_are_refused(ctx, contest):
    owner, other, now = make_citizen(), make_citizen(), utcnow()
    attempt = attempts.start_attempt(owner.id, contest, now, GRACE)
    with pytest.raises(AttemptError):
        attempts.save_answer(attempt.id, owner.id, 99, [0], now, GRACE)
    with pytest.raises(AttemptError):
        attempts.save_answer(attempt.id, owner.id, 0, [7], now, GRACE)
    with pytest.raises(AttemptError) as error:
        attempts.submit_attempt(attempt.id, other.id, None, None, now, GRACE)
    assert error.value.message == attempts.NOT_FOUND
    assert db.session.get(Attempt, attempt.id).submitted_at is None


def test_an_abandoned_attempt_is_graded_when_the_citizen_returns(ctx, contest):
    citizen, now = make_citizen(), utcnow()
    attempt = attempts.start_attempt(citizen.id, contest, now, GRACE)
    answer_all(attempt, now, right=4)
    later = now + timedelta(hours=2)
    second = attempts.start_attempt(citizen.id, contest, later, GRACE)
    assert second.number == 2
    assert db.session.get(Attempt, attempt.id).score == 4


def test_closed_round_refuses_to_start(ctx, contest):
    with pytest.raises(AttemptError):
        attempts.start_attempt(make_citizen().id, contest, contest.closes_at + timedelta(seconds=1), GRACE)


@pytest.mark.parametrize("question, kept", [("Bao nhiêu người dự thi đạt?", 137), (None, None)])
def test_prediction_is_stored_only_when_the_round_asks_for_it(ctx, contest, question, kept):
    round_ = db.session.get(Round, contest.id)
    round_.prediction_question = question
    db.session.commit()
    citizen, now = make_citizen(), utcnow()
    attempt = attempts.start_attempt(citizen.id, round_, now, GRACE)
    outcome = attempts.submit_attempt(attempt.id, citizen.id, None, 137, now, GRACE)
    assert outcome.newly_graded
    assert outcome.attempt.prediction == kept


def test_submitting_another_citizens_attempt_is_not_found_and_changes_nothing(ctx, contest):
    owner, other, now = make_citizen(), make_citizen(), utcnow()
    attempt = attempts.start_attempt(owner.id, contest, now, GRACE)
    with pytest.raises(AttemptError) as error:
        attempts.submit_attempt(attempt.id, other.id, {0: [0]}, None, now, GRACE)
    assert error.value.message == attempts.NOT_FOUND
    assert db.session.get(Attempt, attempt.id).submitted_at is None
    assert db.session.scalar(select(func.count(BestResult.id))) == 0


@pytest.mark.parametrize("period", ["round", "day"])
def test_a_second_tap_that_read_no_open_attempt_gets_the_first_taps(ctx, contest, period):
    """Two taps of "Bắt đầu": both read "no open attempt" before the first one's start committed. The second,
    let in after that commit, must hand out the same attempt: not a second one, nor an "allowance used" error."""
    round_ = db.session.get(Round, contest.id)
    round_.attempts_allowed, round_.allowance_period = (2 if period == "round" else 1), period
    db.session.commit()
    citizen = make_citizen()
    now = utcnow()
    first = attempts.resume_or_start(citizen.id, round_, None, now, GRACE)
    second = attempts.resume_or_start(citizen.id, round_, None, now, GRACE)  # its view's read came before
    assert second.id == first.id
    assert db.session.scalar(select(func.count(Attempt.id)).where(Attempt.citizen_id == citizen.id)) == 1


def test_a_save_arriving_while_a_submit_holds_the_attempt_waits_and_is_refused(app, ctx, contest):
    """The submit locks the attempt; a save in flight waits for its commit, then sees it submitted and stores nothing."""
    citizen, now = make_citizen(), utcnow()
    attempt = attempts.start_attempt(citizen.id, contest, now, GRACE)
    attempts.save_answer(attempt.id, citizen.id, 0, [0], now, GRACE)  # the attempt's keys are known to this process
    before = db.session.scalar(select(AttemptItem.selected).where(AttemptItem.attempt_id == attempt.id,
                                                                  AttemptItem.position == 0))
    refused: list[str] = []

    def save_meanwhile() -> None:
        with app.app_context():
            try:
                attempts.save_answer(attempt.id, citizen.id, 0, [1], now, GRACE)
            except AttemptError as error:
                refused.append(error.message)
            finally:
                db.session.remove()

    locker = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with locker.connect() as submitting:
        if locker.dialect.name == "sqlite":
            submitting.exec_driver_sql("BEGIN IMMEDIATE")
        locked = select(Attempt.id).where(Attempt.id == attempt.id).with_for_update(key_share=True)
        submitting.execute(locked)
        submitting.execute(update(Attempt).where(Attempt.id == attempt.id).values(submitted_at=now))
        saver = threading.Thread(target=save_meanwhile)
        saver.start()
        saver.join(0.5)
        assert saver.is_alive(), "the save did not wait for the submit's lock"
        submitting.commit()
        saver.join(10)
    locker.dispose()
    assert refused == ["Bài thi đã được nộp, không thể sửa câu trả lời."]
    db.session.expire_all()
    assert db.session.scalar(select(AttemptItem.selected).where(AttemptItem.attempt_id == attempt.id,
                                                                AttemptItem.position == 0)) == before


@pytest.mark.parametrize("keys_known", [True, False])
def test_a_save_exactly_at_the_deadline_plus_grace_counts_on_both_paths(ctx, contest, keys_known):
    """The one-statement save (the attempt's keys known to the process) and the checked path apply one rule:
    up to and including the deadline plus the grace, and never past the round's close plus the grace."""
    citizen, now = make_citizen(), utcnow()
    attempt = attempts.start_attempt(citizen.id, contest, now, GRACE)
    last = attempt.deadline_at + GRACE
    if keys_known:
        attempts.save_answer(attempt.id, citizen.id, 0, [0], now, GRACE)
    else:
        answer_keys.forget_all()
    attempts.save_answer(attempt.id, citizen.id, 1, [0], last, GRACE)
    with pytest.raises(AttemptError, match="Đã hết giờ"):
        attempts.save_answer(attempt.id, citizen.id, 2, [0], last + timedelta(microseconds=1), GRACE)
    db.session.execute(update(Round).where(Round.id == contest.id).values(closes_at=now + timedelta(minutes=5)))
    db.session.commit()
    attempts.save_answer(attempt.id, citizen.id, 3, [0], now + timedelta(minutes=5) + GRACE, GRACE)
    with pytest.raises(AttemptError, match="Đã hết giờ"):
        attempts.save_answer(attempt.id, citizen.id, 4, [0], now + timedelta(minutes=5, microseconds=1) + GRACE, GRACE)
    assert {p for p, mark in item_marks(attempt.id).items() if mark is not None} == ({0, 1, 3} if keys_known else {1, 3})

