"""The question bank: validation rules, versions that never change a past result, retiring, search, topics."""
import pytest
from sqlalchemy import func, select

from quiz import attempts
from quiz.clock import utcnow
from quiz.extensions import db
from quiz.models import AuditEvent, Question, Round, Topic
from quiz.questions import (QuestionDraft, QuestionError, create_question, retire_question, retire_topic,
                            save_topic, search_questions, update_question, validate)
from tests.admin_helpers import GRACE
from tests.conftest import make_citizen, make_staff


@pytest.fixture
def staff(ctx, contest):
    return make_staff()


def draft(**changes) -> QuestionDraft:
    topic = db.session.scalar(select(Topic).order_by(Topic.id))
    values = dict(topic_id=topic.id, text="Câu hỏi mới về an toàn?", choices=["Một", "Hai", "Ba"], correct=[1],
                  explanation="Vì vậy.", difficulty=2)
    values.update(changes)
    return QuestionDraft(**values)


@pytest.mark.parametrize("changes, field", [
    ({"text": "  "}, "text"),
    ({"text": "x" * 501}, "text"),
    ({"choices": ["Một"]}, "choices"),
    ({"choices": ["1", "2", "3", "4", "5", "6", "7"]}, "choices"),
    ({"choices": ["Một", "", "Ba"]}, "choices"),
    ({"choices": ["Một", "một ", "Ba"]}, "choices"),  # duplicates after normalising
    ({"choices": ["Một", "x" * 251]}, "choices"),
    ({"correct": []}, "correct"),
    ({"correct": [0, 1]}, "correct"),  # single answer with two correct
    ({"correct": [5]}, "correct"),
    ({"difficulty": 4}, "difficulty"),
    ({"topic_id": 999999}, "topic_id"),
])
def test_each_validation_rule(staff, changes, field):
    with pytest.raises(QuestionError) as error:
        validate(draft(**changes))
    assert error.value.field == field and error.value.message


def test_multiple_answer_question_is_valid(staff):
    question = create_question(draft(multiple=True, correct=[0, 2]), staff.id)
    assert question.multiple and question.current_version.correct == [0, 2]


def test_editing_after_an_attempt_keeps_its_score_and_review(staff):
    round_ = db.session.scalar(select(Round))
    citizen = make_citizen()
    attempt = attempts.start_attempt(citizen.id, round_, utcnow(), GRACE)
    item = attempt.items[0]
    served_version, served_text = item.question_version_id, item.version.text
    attempts.save_answer(attempt.id, citizen.id, 0, item.shown_correct, utcnow(), GRACE)
    outcome = attempts.submit_attempt(attempt.id, citizen.id, None, None, utcnow(), GRACE)
    score = outcome.attempt.score
    question_id = item.version.question_id
    wrong = [i for i in range(len(item.version.choices)) if i not in item.version.correct][0]
    update_question(question_id, draft(topic_id=item.version.question.topic_id, text="Nội dung đã sửa?",
                                       choices=item.version.choices, correct=[wrong], multiple=False), staff.id)
    db.session.expire_all()
    question = db.session.get(Question, question_id)
    assert question.current_version.number == 2 and question.current_version_id != served_version
    item = db.session.get(type(item), item.id)
    assert item.version.text == served_text and item.is_correct is True
    assert db.session.get(type(outcome.attempt), attempt.id).score == score


def test_retired_question_is_not_drawn_and_keeps_history(staff):
    questions = db.session.scalars(select(Question)).all()
    for question in questions[20:]:
        retire_question(question.id, staff.id)
    round_ = db.session.scalar(select(Round))
    attempt = attempts.start_attempt(make_citizen().id, round_, utcnow(), GRACE)
    served = {item.version.question_id for item in attempt.items}
    assert served == {q.id for q in questions[:20]}
    retire_question(questions[0].id, staff.id)
    with pytest.raises(Exception):
        attempts.start_attempt(make_citizen().id, round_, utcnow(), GRACE)  # not enough active questions now
    assert db.session.get(Question, questions[0].id).current_version is not None
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "retire_question")) == 51


def test_accent_insensitive_search_and_filters(staff):
    create_question(draft(text="Nhận diện cuộc gọi lừa đảo giả danh công an?"), staff.id)
    assert search_questions("lua dao gia danh").total == 1
    assert search_questions("LỪA ĐẢO giả danh").total == 1
    assert search_questions("100%_").total == 0
    assert search_questions(multiple=True).total == 14
    assert search_questions(difficulty=2, query="gia danh").total == 1
    assert search_questions(active=False).total == 0


def test_topics_create_rename_retire(staff):
    topic = save_topic("Trí tuệ nhân tạo", staff.id)
    save_topic("Trí tuệ nhân tạo an toàn", staff.id, topic.id)
    assert db.session.get(Topic, topic.id).name == "Trí tuệ nhân tạo an toàn"
    with pytest.raises(QuestionError):
        save_topic("Tri tue nhan tao an toan", staff.id)  # same slug
    retire_topic(topic.id, staff.id)
    with pytest.raises(QuestionError):
        validate(draft(topic_id=topic.id))
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"create_topic", "rename_topic", "retire_topic"} <= actions


def test_organizer_edits_through_the_page(app, client, contest):
    from tests.conftest import csrf_token, staff_login
    with app.app_context():
        make_staff()
        topic_id = db.session.scalar(select(Topic.id))
    staff_login(client)
    token = csrf_token(client.get("/quan-tri/cau-hoi/moi"))
    form = {"csrf_token": token, "topic_id": topic_id, "text": "Câu mới qua trang?", "choice0": "A", "choice1": "B",
            "correct": "1", "difficulty": "1", "active": "1"}
    response = client.post("/quan-tri/cau-hoi/moi", data=form)
    assert response.status_code == 302
    html = client.post("/quan-tri/cau-hoi/moi", data={**form, "correct": ["0", "1"]}).get_data(as_text=True)
    assert "đúng một đáp án đúng" in html
    assert "lua dao" not in client.get("/quan-tri/cau-hoi?q=cau+moi+qua").get_data(as_text=True)
    assert "Câu mới qua trang?" in client.get("/quan-tri/cau-hoi?q=cau+moi+qua").get_data(as_text=True)
