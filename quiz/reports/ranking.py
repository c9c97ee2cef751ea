"""The order of communes by participants, in one place: shared ranks for equal figures, cut lists that say so.

Order among equals (everywhere: table, dashboards, both lists): the commune's name in Vietnamese
alphabetical order with tone marks ignored (its search key), then its code.
"""
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from quiz.infra.text import search_key

LIST_LENGTH = 10


def name_order(name: str, code: str) -> tuple[str, str]:
    """The documented order among equal figures."""
    return search_key(name), code


def shared_ranks(figures: Sequence[int]) -> list[int]:
    """Competition ranks of figures already sorted most first: 570, 570, 512 → 1, 1, 3."""
    ranks: list[int] = []
    for index, value in enumerate(figures):
        ranks.append(ranks[-1] if index and figures[index - 1] == value else index + 1)
    return ranks


@dataclass
class CutList:
    """Up to ten communes, and those left out although their figure equals the last one listed."""

    rows: list[Any]
    tied_out: list[Any] = field(default_factory=list)

    @property
    def cut_in_tie(self) -> bool:
        return bool(self.tied_out)


def _cut(ordered: list[Any], figure: Callable[[Any], int], count: int) -> CutList:
    listed = ordered[:count]
    if not listed or len(ordered) <= count:
        return CutList(listed)
    last = figure(listed[-1])
    return CutList(listed, [row for row in ordered[count:] if figure(row) == last])


def most_participants(rows: list[Any], count: int = LIST_LENGTH) -> CutList:
    """The communes with the most registered, most first, equals in name order."""
    ordered = sorted(rows, key=lambda r: (-r.figures.registered, *name_order(r.name, r.code)))
    return _cut(ordered, lambda r: r.figures.registered, count)


def fewest_participants(rows: list[Any], count: int = LIST_LENGTH) -> CutList:
    """The communes with the fewest registered, fewest first, equals in the same name order as the table."""
    ordered = sorted(rows, key=lambda r: (r.figures.registered, *name_order(r.name, r.code)))
    return _cut(ordered, lambda r: r.figures.registered, count)
