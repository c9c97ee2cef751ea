"""The question bank: validation rules, versions that never change a past result, retiring, search, topics."""
import json
import re
import unicodedata

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from quiz.contest import attempts
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import (
    Attempt,
    AttemptItem,
    AuditEvent,
    Question,
    QuestionVersion,
    Round,
    Topic,
)
from quiz.questions.bank import SAMPLE_BANK
from quiz.questions.editing import (
    QuestionDraft,
    QuestionError,
    create_question,
    retire_question,
    retire_topic,
    save_topic,
    search_questions,
    update_question,
    validate,
)
from tests.admin_helpers import GRACE
from tests.conftest import csrf_token, make_citizen, make_staff, staff_login

BANK = json.loads(SAMPLE_BANK.read_text(encoding="utf-8"))["questions"]


@pytest.fixture
def staff(ctx, contest):
    return make_staff()


def draft(**changes) -> QuestionDraft:
    topic = db.session.scalar(select(Topic).order_by(Topic.id))
    values = dict(topic_id=topic.id, text="Câu hỏi mới về an toàn?", choices=["Một", "Hai", "Ba"], correct=[1],
                  explanation="Vì vậy.", difficulty=2)
    values.update(changes)
    return QuestionDraft(**values)


@pytest.mark.parametrize("changes, field, message", [
    ({"text": "  "}, "text", "nhập nội dung"),
    ({"text": "x" * 501}, "text", "dài quá 500"),
    ({"choices": ["Một"]}, "choices", "từ 2 đến 6"),
    ({"choices": ["1", "2", "3", "4", "5", "6", "7"]}, "choices", "từ 2 đến 6"),
    ({"choices": ["Một", "", "Ba"]}, "choices", "trống"),
    ({"choices": ["Một", "một ", "Ba"]}, "choices", "trùng"),  # duplicates after normalising
    ({"choices": ["Lừa đảo", "lua dao", "Ba"]}, "choices", "trùng"),  # ... accents and case included
    ({"choices": ["Một", "x" * 251]}, "choices", "tối đa 250"),
    ({"correct": []}, "correct", "ít nhất một"),
    ({"correct": [], "multiple": True}, "correct", "ít nhất một"),
    ({"correct": [0, 1]}, "correct", "đúng một"),  # single answer with two correct
    ({"correct": [5]}, "correct", "số 6 không có"),  # not one of the choices
    ({"difficulty": 4}, "difficulty", "1, 2 hoặc 3"),
    ({"explanation": "x" * 601}, "explanation", "tối đa 600"),
    ({"topic_id": 999999}, "topic_id", "chủ đề"),
])
def test_each_validation_rule(staff, changes, field, message):
    with pytest.raises(QuestionError) as error:
        validate(draft(**changes))
    assert error.value.field == field and message in error.value.message


def test_valid_drafts_are_cleaned(staff):
    cleaned = validate(draft(text="  Câu   hỏi\n mới? ", choices=["A", " B ", "", ""], correct=[1, 1]))
    assert (cleaned.text, cleaned.choices, cleaned.correct) == ("Câu hỏi mới?", ["A", "B"], [1])


def test_multiple_answer_questions(staff):
    question = create_question(draft(multiple=True, correct=[0, 2]), staff.id)
    assert question.multiple and question.current_version.correct == [0, 2]
    # "choose all that apply" with one right answer stays a checkbox question for the citizen
    single_right = create_question(draft(text="Chọn tất cả?", multiple=True, correct=[1]), staff.id)
    assert single_right.multiple and single_right.current_version.is_multiple


def _take_first_item_right(citizen_id: int) -> tuple[Attempt, AttemptItem]:
    round_ = db.session.scalar(select(Round))
    attempt = attempts.start_attempt(citizen_id, round_, utcnow(), GRACE)
    item = attempt.items[0]
    attempts.save_answer(attempt.id, citizen_id, 0, item.shown_correct, utcnow(), GRACE)
    outcome = attempts.submit_attempt(attempt.id, citizen_id, None, None, utcnow(), GRACE)
    return outcome.attempt, item


def test_editing_after_an_attempt_keeps_its_score_and_review(staff):
    citizen = make_citizen()
    attempt, item = _take_first_item_right(citizen.id)
    served_version, served_text, score = item.question_version_id, item.version.text, attempt.score
    question_id = item.version.question_id
    wrong = [i for i in range(len(item.version.choices)) if i not in item.version.correct][0]
    update_question(question_id, draft(topic_id=item.version.question.topic_id, text="Nội dung đã sửa?",
                                       choices=item.version.choices, correct=[wrong]), staff.id)
    db.session.expire_all()
    question = db.session.get(Question, question_id)
    assert question.current_version.number == 2 and question.current_version_id != served_version
    assert question.text_key == "noi dung da sua?"
    item = db.session.get(AttemptItem, item.id)
    assert item.version.text == served_text and item.version.number == 1 and item.is_correct is True
    assert db.session.get(Attempt, attempt.id).score == score
    # an edit that changes no wording (difficulty only) adds no version
    update_question(question_id, draft(topic_id=question.topic_id, text="Nội dung đã sửa?", difficulty=3,
                                       choices=item.version.choices, correct=[wrong]), staff.id)
    assert db.session.scalar(select(func.count(QuestionVersion.id)).where(QuestionVersion.question_id == question_id)) == 2


def test_the_citizens_review_page_shows_the_served_version(app, client, contest):
    from tests.test_citizen_flow import login
    with app.app_context():
        db.session.get(Round, contest.id).reveal_answers = Round.REVEAL_AFTER_SUBMIT
        db.session.commit()
        staff_id = make_staff().id
        citizen = make_citizen(phone="0912345678")
        attempt, item = _take_first_item_right(citizen.id)
        attempt_id, served_text, question_id = attempt.id, item.version.text, item.version.question_id
        choices, topic_id = item.version.choices, item.version.question.topic_id
    login(client)
    before = client.get(f"/ket-qua/{attempt_id}").get_data(as_text=True)
    with app.app_context():
        update_question(question_id, QuestionDraft(topic_id, "Câu hỏi đã được viết lại hoàn toàn?", list(reversed(choices)),
                                                   [0]), staff_id)
    after = client.get(f"/ket-qua/{attempt_id}").get_data(as_text=True)

    def review(html: str) -> str:  # the served questions; CSRF tokens (signed with the time) differ by the second
        section = re.search(r'<section class="card result.*?</ol>', html, re.S).group(0)
        return re.sub(r'name="csrf_token"[^>]*', "", section)

    assert str(escape(served_text)) in after and "viết lại hoàn toàn" not in after and "(đáp án đúng)" in after
    assert review(after) == review(before)


def test_retired_question_is_not_drawn_and_keeps_history(staff):
    questions = db.session.scalars(select(Question).order_by(Question.id)).all()
    attempt, _ = _take_first_item_right(make_citizen().id)
    served_before = [item.question_version_id for item in attempt.items]
    for question in questions[20:]:
        retire_question(question.id, staff.id)
    round_ = db.session.scalar(select(Round))
    attempt = attempts.start_attempt(make_citizen().id, round_, utcnow(), GRACE)
    assert {item.version.question_id for item in attempt.items} == {q.id for q in questions[:20]}
    assert all(db.session.get(Question, q.id).retired_at is not None for q in questions[20:])
    assert search_questions(active=False).total == len(BANK) - 20
    retire_question(questions[0].id, staff.id)
    with pytest.raises(attempts.AttemptError):
        attempts.start_attempt(make_citizen().id, round_, utcnow(), GRACE)  # not enough active questions now
    assert db.session.get(Question, questions[0].id).current_version is not None
    assert [db.session.get(QuestionVersion, v).id for v in served_before] == served_before  # history kept
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "retire_question")) == len(BANK) - 19


def test_unticking_active_retires_and_ticking_brings_back(staff):
    question = db.session.scalar(select(Question).order_by(Question.id))
    version = question.current_version
    same = dict(topic_id=question.topic_id, text=version.text, choices=version.choices, correct=version.correct,
                explanation=version.explanation, difficulty=question.difficulty, multiple=version.is_multiple)
    update_question(question.id, draft(**same, active=False), staff.id)
    assert db.session.get(Question, question.id).retired_at is not None
    update_question(question.id, draft(**same, active=True), staff.id)
    question = db.session.get(Question, question.id)
    assert question.active and question.retired_at is None and question.current_version.number == 1


def test_a_question_may_stay_in_its_retired_topic(staff):
    question = create_question(draft(), staff.id)
    retire_topic(question.topic_id, staff.id)
    update_question(question.id, draft(topic_id=question.topic_id, text="Sửa trong chủ đề đã ngừng?"), staff.id)
    assert db.session.get(Question, question.id).current_version.text == "Sửa trong chủ đề đã ngừng?"
    other = create_question(draft(topic_id=db.session.scalar(select(Topic.id).where(Topic.retired_at.is_(None)))),
                            staff.id)
    with pytest.raises(QuestionError, match="chủ đề đang dùng"):  # but no question moves into a retired topic
        update_question(other.id, draft(topic_id=question.topic_id, text="Chuyển sang?"), staff.id)


def test_accent_insensitive_search_and_filters(staff):
    create_question(draft(text="Nhận diện cuộc gọi lừa đảo giả danh công an?"), staff.id)
    assert search_questions("lua dao gia danh").total == 1
    assert search_questions("LỪA ĐẢO giả danh").total == 1
    assert search_questions(unicodedata.normalize("NFD", "Lừa đảo giả danh")).total == 1  # decomposed (NFD) input as some phones send it
    assert search_questions(multiple=True).total == sum(len(q["correct"]) > 1 for q in BANK)
    assert search_questions(difficulty=2, query="gia danh").total == 1
    assert search_questions(active=False).total == 0
    topic_id = db.session.scalar(select(Topic.id).where(Topic.slug == "lua-dao"))
    assert search_questions(topic_id=topic_id).total == sum(q["topic"] == "lua-dao" for q in BANK)
    pages, last = -(-(len(BANK) + 1) // 20), (len(BANK) + 1) % 20 or 20
    assert search_questions(page=pages).page == pages and len(search_questions(page=pages).questions) == last
    assert search_questions(page=99).page == pages


def test_sql_wildcards_in_the_search_box_are_plain_characters(staff):
    create_question(draft(text="Ưu đãi giảm 50% hôm nay?"), staff.id)
    create_question(draft(text="Có 50 người tham gia giảm giá?"), staff.id)
    create_question(draft(text="Tên tệp a_b.apk có an toàn?"), staff.id)
    create_question(draft(text="Tên tệp axb.apk có an toàn?"), staff.id)
    create_question(draft(text="Đường dẫn C:\\tải về có an toàn?"), staff.id)
    assert search_questions("50%").total == 1
    assert search_questions("a_b").total == 1
    assert search_questions("%").total == 1
    assert search_questions("c:\\t").total == 1


def test_topics_create_rename_retire(staff):
    topic = save_topic("Trí tuệ nhân tạo", staff.id)
    save_topic("Trí tuệ nhân tạo an toàn", staff.id, topic.id)
    assert db.session.get(Topic, topic.id).name == "Trí tuệ nhân tạo an toàn"
    with pytest.raises(QuestionError, match="Đã có chủ đề"):
        save_topic("Tri tue nhan tao an toan", staff.id)  # same name without accents
    with pytest.raises(QuestionError, match="từ 2 đến 120"):
        save_topic(" x ", staff.id)
    retire_topic(topic.id, staff.id)
    with pytest.raises(QuestionError):
        validate(draft(topic_id=topic.id))
    events = {e.action: e for e in db.session.scalars(select(AuditEvent))}
    assert {"create_topic", "rename_topic", "retire_topic"} <= set(events)
    assert events["rename_topic"].changes == {"name": ["Trí tuệ nhân tạo", "Trí tuệ nhân tạo an toàn"]}


def test_organizer_edits_through_the_page(app, client, contest):
    with app.app_context():
        make_staff()
        topic_id = db.session.scalar(select(Topic.id))
    staff_login(client)
    token = csrf_token(client.get("/quan-tri/cau-hoi/moi"))
    form = {"csrf_token": token, "topic_id": topic_id, "text": "Câu mới qua trang?", "choice0": "A", "choice1": "B",
            "correct": "1", "difficulty": "1", "multiple": "0", "active": "1"}
    response = client.post("/quan-tri/cau-hoi/moi", data=form)
    assert response.status_code == 302
    html = client.post("/quan-tri/cau-hoi/moi", data={**form, "correct": ["0", "1"]}).get_data(as_text=True)
    assert "đúng một đáp án đúng" in html and "Câu mới qua trang?</textarea>" in html  # what was typed stays
    assert "Câu mới qua trang?" in client.get("/quan-tri/cau-hoi?q=cau+moi+qua").get_data(as_text=True)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "create_question"))
        assert event.actor_id is not None and event.changes["version"] == 1


def test_preview_shows_the_draft_as_on_a_phone_without_saving(app, client, contest):
    with app.app_context():
        make_staff()
        topic_id = db.session.scalar(select(Topic.id))
        before = db.session.scalar(select(func.count(Question.id)))
    staff_login(client)
    token = csrf_token(client.get("/quan-tri/cau-hoi/moi"))
    form = {"csrf_token": token, "topic_id": topic_id, "text": "Xem trước <b>câu</b>?", "choice0": "Một",
            "choice1": "Hai", "choice2": "Ba", "correct": ["0", "2"], "multiple": "1", "explanation": "Giải thích."}
    html = client.post("/quan-tri/cau-hoi/xem-truoc", data=form).get_data(as_text=True)
    assert 'class="phone-frame"' in html and '<fieldset class="question">' in html
    assert html.count('<label class="choice"><input type="checkbox"') == 3 and "chọn tất cả đáp án đúng" in html
    assert "Xem trước &lt;b&gt;câu&lt;/b&gt;?" in html and "Giải thích." in html
    bad = client.post("/quan-tri/cau-hoi/xem-truoc", data={**form, "choice1": "một"})
    assert bad.status_code == 422 and "trùng" in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Question.id))) == before
