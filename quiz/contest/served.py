"""The quiz page's questions of an attempt, read as plain rows: no ORM objects to build for twenty questions."""
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from quiz.infra.database import execute_core
from quiz.models import AttemptItem, QuestionVersion
from quiz.models.contest import in_shown_order, shown_positions


@dataclass(frozen=True)
class ShownChoice:
    """One choice as the citizen sees it: its shown position (the form's value), its text, whether saved."""

    value: int
    text: str
    checked: bool


@dataclass(frozen=True)
class ServedQuestion:
    """One served question with its choices in this citizen's order and the saved answer ticked."""

    position: int
    text: str
    multiple: bool  # checkboxes (choose all that apply), else radio buttons
    answered: bool  # an answer is saved
    choices: list[ShownChoice]


def served_questions(attempt_id: int) -> list[ServedQuestion]:
    """The attempt's questions in served order, with what the quiz page shows of each."""
    rows = execute_core(_SERVED, {"attempt_id": attempt_id})
    return [_question(*row) for row in rows]


def _question(position: int, choice_order: list[int], selected: list[int] | None, text: str, choices: list[str],
              multiple: bool | None, correct: list[int]) -> ServedQuestion:
    chosen = set(shown_positions(choice_order, selected))
    shown = [ShownChoice(value, choice, value in chosen)
             for value, choice in enumerate(in_shown_order(choices, choice_order))]
    return ServedQuestion(position, text, QuestionVersion.multiple_flag(multiple, correct), bool(selected), shown)


# Built once: the quiz page runs it on every load. The key is read only for the multiple-answer flag.
_SERVED = (select(AttemptItem.position, AttemptItem.choice_order, AttemptItem.selected, QuestionVersion.text,
                  QuestionVersion.choices, QuestionVersion.multiple, QuestionVersion.correct)
           .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
           .where(AttemptItem.attempt_id == bindparam("attempt_id"))
           .order_by(AttemptItem.position))
