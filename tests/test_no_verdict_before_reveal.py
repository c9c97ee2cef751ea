"""Before the reveal no response tells which served question was right (only the score, pass/fail, time)."""
import re
from datetime import timedelta

from sqlalchemy import update

from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import Round
from tests.fair_helpers import answer, items_of, logged_in, set_round, start, submit

CITIZEN_PAGES = ("/", "/thi", "/ket-qua", "/du-lieu-cua-toi", "/du-lieu-cua-toi/tai-ve.json",
                 "/du-lieu-cua-toi/tai-ve.html")


def _responses(client, attempt_id: int) -> dict[str, str]:
    """Every citizen page about the attempt, with what varies by request alone (CSRF tokens) removed."""
    pages = {}
    for url in (*CITIZEN_PAGES, f"/ket-qua/{attempt_id}", f"/thi/{attempt_id}"):
        response = client.get(url)
        assert response.status_code < 500
        body = response.get_data(as_text=True)
        pages[url] = re.sub(r'(csrf_token" (?:type="hidden" )?value=|csrf-token" content=)"[^"]*"', "", body)
    return pages


def _swap_first_and_last_verdicts(app, attempt_id: int) -> None:
    """Make the first (right) item wrong and the last (wrong) item right: same score, other verdicts."""
    with app.app_context():
        items = items_of(attempt_id)
        first, last = items[0], items[-1]
        wrong_for_first = [i for i in range(len(first.version.choices)) if i not in first.selected][:1]
        _set_key(first.version.id, wrong_for_first)
        _set_key(last.version.id, list(last.selected))
        for item, mark in ((first, False), (last, True)):
            db.session.execute(update(type(item)).where(type(item).id == item.id).values(is_correct=mark))
        db.session.commit()


def _set_key(version_id: int, correct: list[int]) -> None:
    from quiz.models import QuestionVersion
    db.session.execute(update(QuestionVersion).where(QuestionVersion.id == version_id).values(correct=correct))


def _submitted_attempt(app, client, contest) -> int:
    logged_in(app, client)
    attempt_id = start(client)
    answer(client, app, attempt_id, right_positions=set(range(10)))
    assert submit(client, attempt_id).status_code == 302
    return attempt_id


def test_before_the_reveal_no_route_tells_which_question_was_right(app, client, contest):
    attempt_id = _submitted_attempt(app, client, contest)
    before = _responses(client, attempt_id)
    assert "10/20" in before[f"/ket-qua/{attempt_id}"]
    _swap_first_and_last_verdicts(app, attempt_id)
    after = _responses(client, attempt_id)
    for url in before:
        assert before[url] == after[url], f"{url} tells which question was right before the reveal"


def test_the_same_comparison_sees_the_verdicts_after_the_reveal(app, client, contest):
    """The check above can see a verdict: after the round's reveal the review changes with the key."""
    attempt_id = _submitted_attempt(app, client, contest)
    set_round(app, contest.id, reveal_answers=Round.REVEAL_AFTER_SUBMIT)
    before = _responses(client, attempt_id)
    _swap_first_and_last_verdicts(app, attempt_id)
    assert _responses(client, attempt_id)[f"/ket-qua/{attempt_id}"] != before[f"/ket-qua/{attempt_id}"]


def test_after_close_and_grace_the_full_review_is_shown(app, client, contest):
    attempt_id = _submitted_attempt(app, client, contest)
    set_round(app, contest.id, closes_at=utcnow() - timedelta(minutes=5))
    html = client.get(f"/ket-qua/{attempt_id}").get_data(as_text=True)
    assert "(đáp án đúng)" in html
