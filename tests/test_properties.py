"""Property-based tests (hypothesis) for grading and ranking."""
from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from quiz.contest.grading import grade, is_item_correct, shown_to_original
from quiz.contest.ranking import RankedResult, rank_key, ranked

choice_sets = st.lists(st.integers(0, 5), max_size=6, unique=True)
items = st.lists(st.tuples(st.one_of(st.none(), choice_sets), choice_sets.filter(bool)), max_size=30)


@given(items, st.integers(0, 100))
def test_any_answers_score_within_bounds(answers, pass_percent):
    result = grade(answers, pass_percent)
    assert 0 <= result.score <= result.max_score == len(answers)
    assert 0 <= result.percent <= 100
    assert result.passed == (result.percent >= pass_percent)


@given(st.permutations(list(range(6))), choice_sets, choice_sets.filter(bool))
def test_a_permutation_of_choices_does_not_change_the_score(order, shown_answer, correct):
    shown = [p for p in shown_answer if p < len(order)]
    selected = shown_to_original(shown, order)
    shown_correct = [order.index(i) for i in correct]
    # Whatever order the choices were shown in, marking the correct ones scores, anything else does not.
    assert is_item_correct(shown_to_original(shown_correct, order), correct)
    assert is_item_correct(selected, correct) == (set(selected) == set(correct))


results = st.builds(
    RankedResult, citizen_id=st.integers(1, 50), attempt_id=st.integers(1, 10**6),
    score=st.integers(0, 20), duration_seconds=st.integers(0, 1200), prediction=st.one_of(st.none(), st.integers(0, 500)),
    submitted_at=st.integers(0, 10**6).map(lambda s: datetime(2026, 11, 1) + timedelta(seconds=s)))


@given(st.lists(results, max_size=40, unique_by=lambda r: r.attempt_id), st.one_of(st.none(), st.integers(0, 500)))
def test_ranking_is_a_total_order(entries, answer):
    order = ranked(entries, answer)
    keys = [rank_key(r, answer) for r in order]
    assert len(set(keys)) == len(keys)  # no ties left
    assert keys == sorted(keys)
    assert ranked(list(reversed(entries)), answer) == order  # independent of input order
    for better, worse in zip(order, order[1:]):
        assert better.score >= worse.score
