"""Creating questions with their first version, and loading the sample bank."""
import json
from pathlib import Path

from sqlalchemy import select

from quiz.infra.extensions import db
from quiz.infra.text import clean_text, search_key
from quiz.models import Question, QuestionVersion, Topic

SAMPLE_BANK = Path(__file__).parents[1] / "data" / "sample_questions.json"


def add_question(
    topic: Topic,
    text: str,
    choices: list[str],
    correct: list[int],
    explanation: str = "",
    difficulty: int = 1,
    created_by_id: int | None = None,
    multiple: bool | None = None,
) -> Question:
    """Add a question and its version 1 to the session (the caller commits).

    `multiple` (choose all that apply) defaults to "several choices are correct".
    """
    text = clean_text(text)
    multiple = len(set(correct)) > 1 if multiple is None else multiple
    question = Question(topic=topic, difficulty=difficulty, text_key=search_key(text), multiple=multiple)
    version = QuestionVersion(
        question=question,
        number=1,
        text=text,
        choices=[clean_text(c) for c in choices],
        correct=sorted(set(correct)),
        multiple=multiple,
        explanation=clean_text(explanation),
        created_by_id=created_by_id,
    )
    db.session.add_all([question, version])
    db.session.flush()
    question.current_version = version
    return question


def load_sample_bank(path: Path = SAMPLE_BANK) -> int:
    """Load the sample topics and questions; questions already present (same text) are skipped."""
    bank = json.loads(path.read_text(encoding="utf-8"))
    topics = {t.slug: t for t in db.session.scalars(select(Topic))}
    for entry in bank["topics"]:
        if entry["slug"] not in topics:
            topics[entry["slug"]] = Topic(slug=entry["slug"], name=entry["name"])
            db.session.add(topics[entry["slug"]])
    known = set(db.session.scalars(select(Question.text_key)))
    added = 0
    for entry in bank["questions"]:
        if search_key(entry["text"]) in known:
            continue
        add_question(
            topics[entry["topic"]], entry["text"], entry["choices"], entry["correct"],
            entry.get("explanation", ""), entry.get("difficulty", 1),
        )
        known.add(search_key(entry["text"]))
        added += 1
    db.session.commit()
    return added
