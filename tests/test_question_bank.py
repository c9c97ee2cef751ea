"""The sample bank shipped with the app."""
import json
import unicodedata
from collections import Counter

from sqlalchemy import func, select

from quiz.infra.extensions import db
from quiz.models import Question
from quiz.questions.bank import SAMPLE_BANK, load_sample_bank


def test_sample_bank_has_60_plus_questions_over_6_plus_topics():
    bank = json.loads(SAMPLE_BANK.read_text(encoding="utf-8"))
    per_topic = Counter(q["topic"] for q in bank["questions"])
    assert len(bank["questions"]) >= 60 and len(per_topic) >= 6
    assert any(len(q["correct"]) > 1 for q in bank["questions"])
    for q in bank["questions"]:
        assert len(q["choices"]) == 4 == len(set(q["choices"])) and q["explanation"]
        assert all(0 <= i < 4 for i in q["correct"])
        assert unicodedata.is_normalized("NFC", q["text"])


def test_loading_twice_adds_nothing(ctx):
    first = load_sample_bank()
    assert first >= 60
    assert load_sample_bank() == 0
    assert db.session.scalar(select(func.count(Question.id))) == first
