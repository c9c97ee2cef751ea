"""Scoring: pure functions over answers and keys, no database."""
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Grade:
    """The outcome of grading one attempt."""

    score: int
    max_score: int
    percent: float
    passed: bool


def is_item_correct(selected: Iterable[int] | None, correct: Iterable[int]) -> bool:
    """An item scores only when the selected set is exactly the correct set."""
    return selected is not None and set(selected) == set(correct) and bool(set(correct))


def grade(answers: Sequence[tuple[Iterable[int] | None, Iterable[int]]], pass_percent: int) -> Grade:
    """Grade (selected, correct) pairs: one point per exactly-right item."""
    return grade_marks([is_item_correct(selected, correct) for selected, correct in answers], pass_percent)


def grade_marks(marks: Sequence[bool], pass_percent: int) -> Grade:
    """Grade items already marked right or wrong."""
    score = sum(marks)
    max_score = len(marks)
    percent = round(100.0 * score / max_score, 2) if max_score else 0.0
    return Grade(score=score, max_score=max_score, percent=percent, passed=percent >= pass_percent)


def shown_to_original(shown: Iterable[int], choice_order: Sequence[int]) -> list[int]:
    """Map choice positions as displayed back to indices in the question version.

    Positions that do not exist on the item raise ValueError (a forged form).
    """
    result = set()
    for position in shown:
        if not 0 <= position < len(choice_order):
            raise ValueError(f"choice position {position} not on this item")
        result.add(choice_order[position])
    return sorted(result)


def pass_count(max_score: int, pass_percent: int) -> int:
    """The fewest right answers that pass (the rule of grade_marks, said as a number of questions)."""
    return next((score for score in range(max_score + 1) if grade_marks([True] * score + [False] * (max_score - score),
                                                                        pass_percent).passed), max_score)
