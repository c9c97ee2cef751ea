"""Practice mode ("Thi thử"): unlimited, graded and reviewed at once, labelled, absent from every figure."""
import re

from sqlalchemy import func, select

from quiz import tallies
from quiz.contest.ranking import round_ranking
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
            appendix_csv(rows), db.session.scalar(select(func.count(Attempt.id))),
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
        tallies.rebuild()
        before = _everything(contest.id)
    for _ in range(4):  # more than the round's 3 attempts
        review = _practise(client)
        assert LABEL in review and "Kết quả thi thử" in review and "(đáp án đúng)" in review
    with app.app_context():
        assert db.session.scalar(select(func.count(PracticeAttempt.id))) == 4
        assert _everything(contest.id) == before
        assert tallies.verify([contest.id]) == []


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
