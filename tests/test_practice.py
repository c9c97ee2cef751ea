"""Practice mode ("Thi thử"): unlimited, graded and reviewed at once, labelled, absent from every figure."""
import re
from datetime import timedelta

from sqlalchemy import func, select

from quiz import tallies
from quiz.contest import practice
from quiz.contest.commune_prizes import CommuneScore, commune_standings
from quiz.contest.ranking import round_ranking
from quiz.infra.clock import utcnow
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.models import Attempt, BestResult, PracticeAttempt, QuestionVersion, Round
from quiz.reports.exports import appendix_csv
from quiz.tallies.figures import figures_from_database
from tests.admin_helpers import take
from tests.conftest import csrf_token
from tests.test_citizen_flow import register

LABEL = "THI THỬ</strong> – không tính điểm, không xếp hạng, không tính vào số liệu"


def _everything(round_id: int) -> tuple:
    """Every figure a practice sitting could wrongly move."""
    from quiz.reports.dashboard import commune_rows  # the organizer dashboard's rows, also behind the reports
    view = tallies.read_commune_figures(round_id)
    rows = commune_rows(view, "31")
    return (figures_from_database("31", round_id), {k: v.as_tuple() for k, v in view.by_commune.items()},
            tallies.read_daily(round_id), [(r.place, r.result) for r in round_ranking(db.session.get(Round, round_id), 100)],
            appendix_csv(rows), commune_standings([round_id], CommuneScore(), "31"),
            db.session.scalar(select(func.count(Attempt.id))),
            db.session.scalar(select(func.count(BestResult.id))))


def _practise(client) -> str:  # type: ignore[no-untyped-def]
    token = csrf_token(client.get("/thi-thu"))
    location = client.post("/thi-thu/bat-dau", data={"csrf_token": token}).headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert LABEL in page and "Nộp bài thi thử" in page
    positions = sorted({int(p) for p in re.findall(r'name="q(\d+)"', page)})
    return client.post(f"{location}/nop", data={"csrf_token": token, **{f"q{p}": "0" for p in positions}},
                       follow_redirects=True).get_data(as_text=True)


def test_practice_is_unlimited_reviewed_at_once_and_counted_nowhere(app, client, contest, redis):
    register(client)
    with app.app_context():
        from tests.conftest import make_citizen
        take(db.session.get(Round, contest.id), make_citizen().id, 17)  # a real result in the round
        round_ = db.session.get(Round, contest.id)
        round_.closes_at = utcnow() - timedelta(minutes=5)  # over: practice reviews show the answers
        db.session.commit()
        tallies.rebuild()
        before = _everything(contest.id)
    for _ in range(4):  # more than the round's 3 attempts
        review = _practise(client)
        assert LABEL in review and "Kết quả thi thử" in review and "(đáp án đúng)" in review
    with app.app_context():
        assert db.session.scalar(select(func.count(PracticeAttempt.id))) == 4
        assert _everything(contest.id) == before
        assert tallies.verify([contest.id]) == []


def test_practice_withholds_the_answers_while_an_open_round_does(app, client, contest):
    """Practice draws from the round's bank: six reviewed sittings showed most of it, answers and all, while
    the round itself kept its answers until the close (outside review: the weekly prizes made easy)."""
    register(client)
    review = _practise(client)
    assert "Kết quả thi thử" in review and "Đã nộp bài thi thử" in review
    assert "câu đúng" not in review  # a score would say, one answer a sitting, which choice is right
    assert "(đáp án đúng)" not in review and "✔ Đúng" not in review and "✘ Sai" not in review
    assert "Điểm và đáp án từng câu của bài thi thử sẽ hiện" in review
    sitting = review_url = None
    with app.app_context():
        sitting = db.session.scalar(select(PracticeAttempt.id))
        round_ = db.session.get(Round, contest.id)
        round_.opens_at, round_.closes_at = utcnow() - timedelta(days=8), utcnow() - timedelta(minutes=5)
        db.session.commit()
    review_url = f"/thi-thu/{sitting}"
    assert "(đáp án đúng)" in client.get(review_url).get_data(as_text=True)  # the round is over: shown


def test_a_practice_sitting_is_graded_once_and_is_private(app, client, contest):
    register(client)
    token = csrf_token(client.get("/thi-thu"))
    location = client.post("/thi-thu/bat-dau", data={"csrf_token": token}).headers["Location"]
    with app.app_context():
        sitting = db.session.scalar(select(PracticeAttempt))
        right = {}
        for position, item in enumerate(sitting.items):
            correct = db.session.get(QuestionVersion, item["v"]).correct
            right[f"q{position}"] = [str(p) for p, index in enumerate(item["o"]) if index in correct]
    client.post(f"{location}/nop", data={"csrf_token": token, **right})
    client.post(f"{location}/nop", data={"csrf_token": token})  # a second submit changes nothing
    with app.app_context():
        sitting = db.session.scalar(select(PracticeAttempt))
        assert sitting.score == sitting.max_score == 20
    other = app.test_client()
    register(other, phone="0987 654 321")
    assert other.get(location).status_code == 404


def _start(client) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    token = csrf_token(client.get("/thi-thu"))
    return token, client.post("/thi-thu/bat-dau", data={"csrf_token": token}).headers["Location"]


def _save(client, location: str, token: str, payload) -> int:  # type: ignore[no-untyped-def]
    return client.post(f"{location}/tra-loi", json=payload, headers={"X-CSRFToken": token}).status_code


def _sitting() -> PracticeAttempt:
    return db.session.scalar(select(PracticeAttempt))


def test_practice_has_the_rounds_timer_and_saves_each_answer(app, client, contest, redis):
    register(client)
    with app.app_context():
        tallies.rebuild()
        before = _everything(contest.id)
    token, location = _start(client)
    page = client.get(location).get_data(as_text=True)
    assert re.search(r'id="countdown" data-seconds-left="1(199|200)"', page)  # the round's 20 minutes
    assert '<span class="practice-tag">THI THỬ</span>' in page
    assert f'data-save-url="{location}/tra-loi"' in page
    assert _save(client, location, token, {"position": 0, "choices": [1]}) == 200
    assert _save(client, location, token, {"position": 2, "choices": [0]}) == 200
    assert _save(client, location, token, {"position": 2, "choices": []}) == 200  # emptied again
    for bad in ({"position": 99, "choices": [0]}, {"position": 1, "choices": [9]}):
        assert _save(client, location, token, bad) == 409
    for malformed in ([1], {"choices": [0]}, {"position": "x"}, {"position": 1, "choices": {"a": 1}}):
        assert _save(client, location, token, malformed) == 400
    with app.app_context():
        sitting = _sitting()
        assert sitting.items[0]["s"] == [sitting.items[0]["o"][1]] and sitting.items[2]["s"] is None
        assert sitting.deadline_at == sitting.started_at + timedelta(minutes=20)
        assert _everything(contest.id) == before and tallies.verify([contest.id]) == []
    assert 'value="1" checked' in client.get(location).get_data(as_text=True)  # a reload shows the saved answer
    client.post(f"{location}/nop", data={"csrf_token": token})  # a form without answers keeps the saved ones
    with app.app_context():
        assert _sitting().items[0]["s"] is not None and _sitting().submitted_at is not None
        assert _everything(contest.id) == before and tallies.verify([contest.id]) == []
    assert _save(client, location, token, {"position": 1, "choices": [0]}) == 409  # graded: nothing more


def test_past_its_time_a_practice_grades_only_what_was_saved_in_time(app, client, contest):
    register(client)
    token, location = _start(client)
    assert _save(client, location, token, {"position": 0, "choices": [0]}) == 200
    with app.app_context(), write_transaction():
        _sitting().deadline_at = utcnow() - timedelta(minutes=5)
    assert _save(client, location, token, {"position": 1, "choices": [0]}) == 409
    client.post(f"{location}/nop", data={"csrf_token": token, "q1": "0", "q2": "0"})
    with app.app_context():
        items = _sitting().items
        assert items[0]["s"] is not None and items[1]["s"] is None and items[2]["s"] is None


def test_a_practice_left_past_its_time_is_graded_at_the_next_visit(app, client, contest):
    register(client)
    token, location = _start(client)
    _save(client, location, token, {"position": 0, "choices": [0]})
    with app.app_context(), write_transaction():
        _sitting().deadline_at = utcnow() - timedelta(minutes=5)
    assert "Kết quả thi thử" in client.get(location).get_data(as_text=True)
    with app.app_context():
        assert _sitting().submitted_at is not None


def test_without_an_open_round_practice_is_untimed(app, client, contest):
    register(client)
    with app.app_context(), write_transaction():
        db.session.get(Round, contest.id).closes_at = utcnow() - timedelta(minutes=1)
    token, location = _start(client)
    page = client.get(location).get_data(as_text=True)
    assert 'id="countdown"' not in page and "không giới hạn thời gian" in page
    assert _save(client, location, token, {"position": 0, "choices": [0]}) == 200


def test_another_citizens_practice_cannot_be_saved_into(app, client, contest):
    register(client)
    token, location = _start(client)
    other = app.test_client()
    register(other, phone="0987 654 321")
    other_token = csrf_token(other.get("/thi-thu"))
    assert _save(other, location, other_token, {"position": 0, "choices": [0]}) == 404


def test_answers_saved_at_the_same_moment_are_all_kept(app, contest):
    """quiz.js sends the saves kept while offline all at once: none may overwrite another."""
    import threading
    with app.app_context():
        from tests.conftest import make_citizen
        citizen_id = make_citizen().id
        sitting_id = practice.start_practice(citizen_id, db.session.get(Round, contest.id), utcnow()).id
    barrier = threading.Barrier(10)

    def save(position: int) -> None:
        with app.app_context():
            barrier.wait()
            practice.save_practice_answer(sitting_id, citizen_id, position, [0], utcnow(), timedelta(seconds=30))
            db.session.remove()
    threads = [threading.Thread(target=save, args=(p,)) for p in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        items = db.session.get(PracticeAttempt, sitting_id).items
        assert [item["s"] is not None for item in items[:10]] == [True] * 10


def test_practice_withholds_while_a_round_revealing_after_submit_is_open(app, client, contest):
    """Outside review: with one attempt that reveals its own answers after submit, unlimited practice reviews
    gave the whole key before that one attempt."""
    register(client)
    with app.app_context():
        round_ = db.session.get(Round, contest.id)
        round_.reveal_answers, round_.attempts_allowed = Round.REVEAL_AFTER_SUBMIT, 1
        db.session.commit()
    review = _practise(client)
    assert "(đáp án đúng)" not in review and "câu đúng" not in review


def test_the_practice_page_says_what_it_withholds_only_while_it_does(app, client, contest):
    register(client)
    assert "Đang có đợt thi: bài thi thử chưa hiện điểm" in client.get("/thi-thu").get_data(as_text=True)
    with app.app_context():
        db.session.get(Round, contest.id).closes_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
    page = client.get("/thi-thu").get_data(as_text=True)
    assert "Đang có đợt thi" not in page and "hiện ngay khi nộp" in page
