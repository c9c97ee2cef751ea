"""Collective prizes for communes: a unit score per period and for the whole contest.

The organizer weighs: participation rate against the commune's adult population (when imported),
completions, pass rate, and points per individual prize won by the commune's citizens (by tier).
"""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Integer, Select, cast, func, select

from quiz.errors import DomainError
from quiz.infra.extensions import db
from quiz.models import BestResult, Citizen, Commune, Contest, PrizeTier, Round, Winner
from quiz.tallies.commune_history import commune_at, moved_since, moves_since


class CommuneScoreError(DomainError):
    """The organizer's unit-score settings are not valid."""


@dataclass(frozen=True)
class CommuneScore:
    """Weights of the unit score; prize points per tier position (1 = the highest prize)."""

    participation_rate: float = 1.0  # per percentage point of the adult population
    completions: float = 0.0  # per completed period of a citizen
    pass_rate: float = 0.0  # per percentage point of completions that passed
    prize_points: dict[int, float] = field(default_factory=dict)

    @classmethod
    def from_json(cls, value: dict | None) -> "CommuneScore":
        value = value or {}
        return cls(float(value.get("participation_rate", 1.0)), float(value.get("completions", 0.0)),
                   float(value.get("pass_rate", 0.0)),
                   {int(k): float(v) for k, v in (value.get("prize_points") or {}).items()})

    def to_json(self) -> dict:
        return {"participation_rate": self.participation_rate, "completions": self.completions,
                "pass_rate": self.pass_rate, "prize_points": {str(k): v for k, v in self.prize_points.items()}}

    def describe(self) -> str:
        """The formula in Vietnamese (decimal comma; a weight of 0 is left out), for the dashboards and Excel."""
        terms = [(self.participation_rate, "tỷ lệ tham gia (%)"), (self.completions, "số lượt hoàn thành"),
                 (self.pass_rate, "tỷ lệ đạt (%)")]
        parts = [f"{_decimal(weight)} × {name}" for weight, name in terms if weight]
        points = {k: v for k, v in sorted(self.prize_points.items()) if v}
        if points:
            parts.append("điểm giải cá nhân (" + ", ".join(f"giải {k}: {_decimal(v)}" for k, v in points.items()) + ")")
        return "Điểm đơn vị = " + (" + ".join(parts) or "0")


def _decimal(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def validate_score(score: CommuneScore) -> CommuneScore:
    weights = [score.participation_rate, score.completions, score.pass_rate, *score.prize_points.values()]
    if any(not 0 <= w <= 10_000 for w in weights):
        raise CommuneScoreError("Các hệ số phải từ 0 đến 10.000.", "commune_score")
    return score


@dataclass(frozen=True)
class CommuneStanding:
    place: int
    code: str
    name: str
    participants: int
    completions: int
    passed: int
    adult_population: int | None
    prize_points: float
    score: float

    @property
    def participation_rate(self) -> float | None:
        return 100 * self.participants / self.adult_population if self.adult_population else None

    @property
    def pass_rate(self) -> float | None:
        return 100 * self.passed / self.completions if self.completions else None


def contest_round_ids(contest_id: int) -> list[int]:
    return list(db.session.scalars(select(Round.id).where(Round.contest_id == contest_id).order_by(Round.opens_at)))


@dataclass(frozen=True)
class _Periods:
    """Each period's close, and the moves since the first of them: a period counts each person at the commune
    they had at its close, so a move after a period closed changes none of its figures (red team: completions
    and prize points moved along with the person, up another commune's ranking)."""

    closes: dict[int, datetime]
    moves: dict[int, list[tuple[datetime, str]]]
    moved: Select

    @classmethod
    def of(cls, round_ids: list[int]) -> "_Periods":
        closes = dict(db.session.execute(select(Round.id, Round.closes_at).where(Round.id.in_(round_ids))).tuples().all())
        first = min(closes.values(), default=datetime.max)
        return cls(closes, moves_since(first), moved_since(first))

    def commune(self, citizen_id: int, current: str, round_id: int) -> str:
        return commune_at(self.moves.get(citizen_id, []), current, self.closes[round_id])


def _results_by_commune(round_ids: list[int], periods: _Periods) -> dict[str, tuple[int, int, int]]:
    # one best result per citizen and period: over a single period, results are people (no DISTINCT sort)
    people = func.count(BestResult.id) if len(round_ids) == 1 else func.count(BestResult.citizen_id.distinct())
    stmt = (select(Citizen.commune_code, people, func.count(BestResult.id),
                   func.sum(cast(BestResult.passed, Integer)))
            .join(Citizen, Citizen.id == BestResult.citizen_id)
            .where(BestResult.round_id.in_(round_ids), BestResult.citizen_id.not_in(periods.moved))
            .group_by(Citizen.commune_code))
    totals = {code: [people, done, int(passed or 0)] for code, people, done, passed in db.session.execute(stmt)}
    counted: set[tuple[str, int]] = set()
    moved = (select(BestResult.citizen_id, BestResult.round_id, BestResult.passed, Citizen.commune_code)
             .join(Citizen, Citizen.id == BestResult.citizen_id)
             .where(BestResult.round_id.in_(round_ids), BestResult.citizen_id.in_(periods.moved)))
    for citizen_id, round_id, passed, current in db.session.execute(moved):
        code = periods.commune(citizen_id, current, round_id)
        row = totals.setdefault(code, [0, 0, 0])
        row[0] += (code, citizen_id) not in counted
        row[1] += 1
        row[2] += int(bool(passed))
        counted.add((code, citizen_id))
    return {code: (people, done, passed) for code, (people, done, passed) in totals.items()}


def _prize_points(round_ids: list[int], points: dict[int, float], periods: _Periods) -> dict[str, float]:
    if not points:
        return {}
    stmt = (select(Winner.citizen_id, Winner.round_id, Citizen.commune_code, PrizeTier.position, Winner.share)
            .join(Citizen, Citizen.id == Winner.citizen_id).join(PrizeTier, PrizeTier.id == Winner.tier_id)
            .where(Winner.round_id.in_(round_ids)))
    totals: dict[str, float] = {}
    for citizen_id, round_id, current, position, share in db.session.execute(stmt):  # a few per period
        code = periods.commune(citizen_id, current, round_id)
        totals[code] = totals.get(code, 0.0) + points.get(position, 0.0) * float(share or 0)
    return totals


def commune_standings(round_ids: list[int], score: CommuneScore, province_code: str) -> list[CommuneStanding]:
    """Every commune of the province with its unit score over the given periods, best first."""
    periods = _Periods.of(round_ids)
    results, prizes = _results_by_commune(round_ids, periods), _prize_points(round_ids, score.prize_points, periods)
    communes = db.session.execute(select(Commune.code, Commune.name, Commune.adult_population)
                                  .where(Commune.province_code == province_code)).all()
    unplaced = []
    for code, name, population in communes:
        people, done, passed = results.get(code, (0, 0, 0))
        row = CommuneStanding(0, code, name, people, done, passed, population, prizes.get(code, 0.0), 0.0)
        value = (score.participation_rate * (row.participation_rate or 0) + score.completions * done
                 + score.pass_rate * (row.pass_rate or 0) + row.prize_points)
        unplaced.append(CommuneStanding(0, code, name, people, done, passed, population, row.prize_points, round(value, 4)))
    unplaced.sort(key=lambda r: (-r.score, -r.participants, r.code))
    return [CommuneStanding(place, *[getattr(r, f) for f in ("code", "name", "participants", "completions", "passed",
                                                              "adult_population", "prize_points", "score")])
            for place, r in enumerate(unplaced, start=1)]


def contest_score(contest: Contest) -> CommuneScore:
    return CommuneScore.from_json(contest.commune_score)
