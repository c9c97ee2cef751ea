"""The hand-written Vietnamese number format gives exactly what Babel's "#,##0.#" pattern gives."""
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from quiz.web.hooks import format_number


@given(st.one_of(st.integers(-10**12, 10**12), st.floats(-1e9, 1e9, allow_nan=False)), st.integers(0, 2))
def test_same_as_babel(value, digits):
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    expected = format_decimal(value, format=pattern, locale="vi")
    assert format_number(value, digits) == expected


def test_examples():
    assert (format_number(84360), format_number(7.5, 1), format_number(7.0, 1), format_number(None)) == (
        "84.360", "7,5", "7", "–")
