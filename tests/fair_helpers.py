"""Helpers for the fair-contest tests: a logged-in citizen's client and answering through the real routes."""
from datetime import timedelta

from sqlalchemy import select, update

from quiz.contest.ranking import refresh_round_rank_keys
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import Attempt, AttemptItem, Round
from tests.conftest import csrf_token, make_citizen, next_phone

PASSWORD = "matkhau123"


def logged_in(app, client, phone: str | None = None, commune_code: str = "10507") -> tuple[int, str]:
    """Register a citizen through the domain and log them in through the form; (citizen id, phone)."""
    phone = phone or next_phone()
    with app.app_context():
        citizen_id = make_citizen(commune_code=commune_code, phone=phone).id
    token = csrf_token(client.get("/dang-nhap"))
    response = client.post("/dang-nhap", data={"phone": phone, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return citizen_id, phone


def start(client) -> int:
    token = csrf_token(client.get("/thi"))
    response = client.post("/thi/bat-dau", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def shown_keys(app, attempt_id: int) -> list[tuple[int, list[int], int]]:
    """(position, correct positions as shown, choice count) of each served item (read as the test's oracle)."""
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        return [(item.position, item.shown_correct, len(item.choice_order)) for item in attempt.items]


def answer(client, app, attempt_id: int, right_positions: set[int]) -> None:
    """Save an answer to every item: right for the positions given, wrong for the others."""
    token = csrf_token(client.get(f"/thi/{attempt_id}"))
    for position, correct, count in shown_keys(app, attempt_id):
        choices = correct if position in right_positions else [p for p in range(count) if p not in correct][:1]
        response = client.post(f"/thi/{attempt_id}/tra-loi", json={"position": position, "choices": choices},
                               headers={"X-CSRFToken": token})
        assert response.status_code == 200, response.get_data(as_text=True)


def submit(client, attempt_id: int, **fields):  # type: ignore[no-untyped-def]
    token = csrf_token(client.get(f"/thi/{attempt_id}"))
    return client.post(f"/thi/{attempt_id}/nop", data={"csrf_token": token, **fields})


def set_round(app, round_id: int, **values) -> None:
    with app.app_context():
        db.session.execute(update(Round).where(Round.id == round_id).values(**values))
        refresh_round_rank_keys(db.session.get(Round, round_id))  # as quiz.contest.rounds.update_round does
        db.session.commit()


def only_active_questions(app, count: int) -> None:
    """Keep `count` questions active (so every attempt serves the same questions)."""
    from quiz.models import Question
    with app.app_context():
        ids = list(db.session.scalars(select(Question.id).order_by(Question.id)))
        db.session.execute(update(Question).where(Question.id.in_(ids[count:])).values(active=False))
        db.session.commit()


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def items_of(attempt_id: int) -> list[AttemptItem]:
    return list(db.session.scalars(select(AttemptItem).where(AttemptItem.attempt_id == attempt_id)
                                   .order_by(AttemptItem.position)))


__all__ = ["logged_in", "start", "answer", "submit", "set_round", "shown_keys", "only_active_questions",
           "minutes", "items_of", "utcnow"]
