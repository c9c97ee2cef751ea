"""Editing the question bank: validation, versioning (a served version is never changed), retiring, topics."""
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from quiz.audit import record
from quiz.errors import DomainError, NotFound
from quiz.infra.clock import utcnow
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.infra.text import clean_shown_text, clean_text, search_key
from quiz.models import Question, QuestionVersion, Topic
from quiz.questions.bank import add_question

MAX_TEXT, MAX_CHOICE, MAX_EXPLANATION = 500, 250, 600


class QuestionError(DomainError):
    """A question or topic does not meet the bank's rules."""


@dataclass
class QuestionDraft:
    """A question as typed by an organizer (or read from an import file)."""

    topic_id: int
    text: str
    choices: list[str]
    correct: list[int]
    explanation: str = ""
    difficulty: int = 1
    multiple: bool = False
    active: bool = True


def validate(draft: QuestionDraft, kept_topic_id: int | None = None) -> QuestionDraft:
    """Clean the draft and check every rule; raise QuestionError with a Vietnamese message.

    An edited question may stay in its own topic (`kept_topic_id`) even if that topic was retired since.
    """
    text = clean_shown_text(draft.text)
    choices = [clean_shown_text(c) for c in draft.choices]
    while choices and not choices[-1]:
        choices.pop()  # trailing empty choice boxes of the form
    if not text:
        raise QuestionError("Vui lòng nhập nội dung câu hỏi.", "text")
    if len(text) > MAX_TEXT:
        raise QuestionError(f"Câu hỏi dài quá {MAX_TEXT} ký tự.", "text")
    if not 2 <= len(choices) <= 6:
        raise QuestionError("Câu hỏi cần từ 2 đến 6 phương án.", "choices")
    if any(not c for c in choices):
        raise QuestionError("Không được để trống phương án nào.", "choices")
    if any(len(c) > MAX_CHOICE for c in choices):
        raise QuestionError(f"Mỗi phương án dài tối đa {MAX_CHOICE} ký tự.", "choices")
    if len({search_key(c) for c in choices}) != len(choices):
        raise QuestionError("Có hai phương án trùng nhau.", "choices")
    correct = sorted(set(draft.correct))
    if not correct:
        raise QuestionError("Cần chọn ít nhất một đáp án đúng.", "correct")
    beyond = next((i for i in correct if not 0 <= i < len(choices)), None)
    if beyond is not None:
        raise QuestionError(f"Đáp án đúng số {beyond + 1} không có: câu chỉ có {len(choices)} phương án "
                            f"(1–{len(choices)}).", "correct")
    if not draft.multiple and len(correct) != 1:
        raise QuestionError("Câu hỏi một đáp án phải có đúng một đáp án đúng.", "correct")
    if draft.difficulty not in (1, 2, 3):
        raise QuestionError("Độ khó phải là 1, 2 hoặc 3.", "difficulty")
    explanation = clean_shown_text(draft.explanation)
    if len(explanation) > MAX_EXPLANATION:
        raise QuestionError(f"Giải thích dài tối đa {MAX_EXPLANATION} ký tự.", "explanation")
    topic = db.session.get(Topic, draft.topic_id)
    if topic is None or (topic.retired_at is not None and topic.id != kept_topic_id):
        raise QuestionError("Vui lòng chọn một chủ đề đang dùng.", "topic_id")
    return QuestionDraft(draft.topic_id, text, choices, correct, explanation, draft.difficulty, draft.multiple,
                         draft.active)


def drafted_topic(draft: QuestionDraft) -> Topic:
    """The topic of a validated draft (validate() checked that it exists; topics are retired, never deleted)."""
    topic = db.session.get(Topic, draft.topic_id)
    if topic is None:
        raise QuestionError("Vui lòng chọn một chủ đề đang dùng.", "topic_id")
    return topic


def create_question(draft: QuestionDraft, staff_id: int) -> Question:
    """Add a validated question (version 1), audited."""
    draft = validate(draft)
    with write_transaction():
        question = add_question(drafted_topic(draft), draft.text, draft.choices, draft.correct,
                                draft.explanation, draft.difficulty, staff_id, draft.multiple)
        question.active = draft.active
        record(staff_id, "create_question", "question", [question.id],
               {"version": 1, "topic_id": draft.topic_id, "difficulty": draft.difficulty, "active": draft.active})
    return question


def preview_version(draft: QuestionDraft) -> QuestionVersion:
    """A validated draft as an unsaved version, to show it the way a citizen will see it."""
    draft = validate(draft)
    return QuestionVersion(number=0, text=draft.text, choices=draft.choices, correct=draft.correct,
                           explanation=draft.explanation, multiple=draft.multiple)


def update_question(question_id: int, draft: QuestionDraft, staff_id: int) -> Question:
    """Save an edit as a new version; attempts keep pointing at the version they served."""
    question = db.session.get(Question, question_id)
    if question is None:
        raise QuestionError("Không tìm thấy câu hỏi này.")
    draft = validate(draft, kept_topic_id=question.topic_id)
    with write_transaction():
        question = db.session.get(Question, question_id)
        if question is None:  # removed since it was read above
            raise QuestionError("Không tìm thấy câu hỏi này.")
        changes: dict[str, Any] = {}
        if _wording(question.current_version) != _wording(draft):
            changes["version"] = _new_version(question, draft, staff_id).number
        for field in ("topic_id", "difficulty", "active", "multiple"):
            if getattr(question, field) != getattr(draft, field):
                changes[field] = [getattr(question, field), getattr(draft, field)]
                setattr(question, field, getattr(draft, field))
        if "active" in changes:
            question.retired_at = None if draft.active else utcnow()
        record(staff_id, "update_question", "question", [question.id], changes)
    return question


def _wording(version: QuestionVersion | QuestionDraft) -> tuple:
    multiple = version.is_multiple if isinstance(version, QuestionVersion) else version.multiple
    return version.text, list(version.choices), list(version.correct), version.explanation, multiple


def _new_version(question: Question, draft: QuestionDraft, staff_id: int) -> QuestionVersion:
    """Add the next version and point the question at it; served versions stay untouched."""
    number = (db.session.scalar(select(func.max(QuestionVersion.number))
                                .where(QuestionVersion.question_id == question.id)) or 0) + 1
    version = QuestionVersion(question_id=question.id, number=number, text=draft.text, choices=draft.choices,
                              correct=draft.correct, explanation=draft.explanation, multiple=draft.multiple,
                              created_by_id=staff_id)
    db.session.add(version)
    db.session.flush()
    question.current_version_id = version.id
    question.text_key = search_key(draft.text)
    return version


PAGE_SIZE = 20


@dataclass
class QuestionPage:
    """One page of a filtered bank."""

    questions: list[Question]
    page: int
    pages: int
    total: int


def _filtered(query: str = "", topic_id: int | None = None, difficulty: int | None = None,
              multiple: bool | None = None, active: bool | None = None) -> Select[tuple[Question]]:
    stmt = select(Question).options(selectinload(Question.current_version), selectinload(Question.topic))
    if query:
        key = search_key(query).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(Question.text_key.like(f"%{key}%", escape="\\"))
    for column, value in ((Question.topic_id, topic_id), (Question.difficulty, difficulty),
                          (Question.multiple, multiple), (Question.active, active)):
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


def search_questions(query: str = "", topic_id: int | None = None, difficulty: int | None = None,
                     multiple: bool | None = None, active: bool | None = None, page: int = 1) -> QuestionPage:
    """Filter the bank; the text search ignores accents ("lua dao" finds "lừa đảo") on every database."""
    stmt = _filtered(query, topic_id, difficulty, multiple, active)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    questions = db.session.scalars(stmt.order_by(Question.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return QuestionPage(list(questions), page, pages, total)


def filtered_questions(query: str = "", topic_id: int | None = None, difficulty: int | None = None,
                       multiple: bool | None = None, active: bool | None = None) -> list[Question]:
    """Every question matching the list's filters, oldest first (for export)."""
    stmt = _filtered(query, topic_id, difficulty, multiple, active)
    return list(db.session.scalars(stmt.order_by(Question.id)))


def retire_question(question_id: int, staff_id: int) -> None:
    """No longer drawn; its versions and every past attempt stay."""
    with write_transaction():
        question = db.session.get(Question, question_id)
        if question is None:
            raise NotFound("Không tìm thấy câu hỏi này.")
        question.active, question.retired_at = False, utcnow()
        record(staff_id, "retire_question", "question", [question.id])


def save_topic(name: str, staff_id: int, topic_id: int | None = None) -> Topic:
    """Create a topic, or rename one."""
    name = clean_text(name)
    if not 2 <= len(name) <= 120:
        raise QuestionError("Tên chủ đề cần từ 2 đến 120 ký tự.", "name")
    if any(search_key(t.name) == search_key(name) and t.id != topic_id for t in db.session.scalars(select(Topic))):
        raise QuestionError("Đã có chủ đề này.", "name")
    with write_transaction():
        if topic_id is None:
            slug = search_key(name).replace(" ", "-")[:50]
            if db.session.scalar(select(Topic.id).where(Topic.slug == slug)):
                slug = f"{slug[:40]}-{utcnow():%Y%m%d%H%M%S}"
            topic = Topic(slug=slug, name=name)
            db.session.add(topic)
            db.session.flush()
            record(staff_id, "create_topic", "topic", [topic.id], {"name": name})
        else:
            found = db.session.get(Topic, topic_id)
            if found is None:
                raise NotFound("Không tìm thấy chủ đề này.")
            topic = found
            record(staff_id, "rename_topic", "topic", [topic.id], {"name": [topic.name, name]})
            topic.name = name
    return topic


def retire_topic(topic_id: int, staff_id: int) -> None:
    """A retired topic takes no new questions; its questions stay as they are."""
    with write_transaction():
        topic = db.session.get(Topic, topic_id) if topic_id else None
        if topic is None:
            raise NotFound("Không tìm thấy chủ đề này.")
        topic.retired_at = utcnow()
        record(staff_id, "retire_topic", "topic", [topic.id])
