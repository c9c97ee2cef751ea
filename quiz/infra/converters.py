"""One way to read a bounded integer from a URL, a query string, a form or a JSON body.

Every integer a person can type reaches Python through `bounded_int` (or the URL converter and the
form field built on it): ASCII digits only (`'²'` and `'١'` pass `str.isdigit()` but are no number
anyone typed), at most ten of them, and within the column's range, so neither `int()` nor the
database ever sees a value it refuses.
"""
from collections.abc import Mapping
from typing import Any

from werkzeug.routing import IntegerConverter, ValidationError
from wtforms import IntegerField

DB_INT_MAX = 2**31 - 1  # PostgreSQL INTEGER; ids and counts live there
SMALL_INT_MAX = 2**15 - 1  # PostgreSQL SMALLINT (attempt positions)
_MAX_DIGITS = 10


def bounded_int(value: Any, low: int = 0, high: int = DB_INT_MAX) -> int:
    """The integer written in `value` when it is one between low and high; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] == "-" else text
        if not digits or len(digits) > _MAX_DIGITS or not digits.isascii() or not digits.isdigit():
            raise ValueError("not a plain integer")
        number = int(text)
    else:
        raise ValueError("not an integer")
    if not low <= number <= high:
        raise ValueError("out of range")
    return number


def db_id(value: Any) -> int:
    """A row id (1 … 2³¹−1): usable as werkzeug's `type=` (a ValueError gives the default)."""
    return bounded_int(value, 1, DB_INT_MAX)


def db_count(value: Any) -> int:
    """A non-negative integer that fits an INTEGER column (pages, limits, days)."""
    return bounded_int(value, 0, DB_INT_MAX)


def read_int(source: Mapping, name: str, default: int | None = None, low: int = 0,
             high: int = DB_INT_MAX) -> int | None:
    """`name` from request.args / request.form / a JSON object, or `default` when absent or not a bounded integer."""
    raw = source.get(name)
    if raw is None or raw == "":
        return default
    try:
        return bounded_int(raw, low, high)
    except ValueError:
        return default


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` in every route: ASCII digits, 0 … 2³¹−1; anything else does not match (a 404)."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 0, max: int | None = DB_INT_MAX,  # noqa: A002
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str) -> Any:
        try:
            return bounded_int(value, self.min or 0, self.max or DB_INT_MAX)
        except ValueError:
            raise ValidationError() from None


class BoundedIntegerField(IntegerField):
    """A WTForms integer field read through bounded_int, with a Vietnamese message."""

    def __init__(self, label: str | None = None, validators=None, low: int = 0,
                 high: int = DB_INT_MAX, **kwargs) -> None:
        super().__init__(label, validators, **kwargs)
        self.low, self.high = low, high

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0] == "":
            self.data = None
            return
        try:
            self.data = bounded_int(valuelist[0], self.low, self.high)
        except ValueError:
            self.data = None
            raise ValueError(f"Vui lòng nhập một số nguyên từ {self.low} đến {self.high}.") from None
