"""What the public results pages show: live totals, the commune ranking with the 80 % target, winners."""
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select

from quiz import tallies
from quiz.contest.winners_source import round_winners, winners_published
from quiz.infra.extensions import db
from quiz.infra.public_names import masked_name
from quiz.models import Citizen, Commune, Consent, Round
from quiz.reports.dashboard import TARGET_SHARE
from quiz.tallies.figures import CommuneFigures

WINNER_ROUNDS_SHOWN = 12
NOT_PUBLISHED = "(không công bố tên)"


@dataclass(frozen=True)
class PublicCommuneRow:
    """One commune in the public ranking: aggregates only."""

    rank: int | None  # None: nobody from the commune took part yet (no place among the ranked)
    name: str
    registered: int
    adult_population: int | None
    completed: int
    passed: int

    def ranked_by(self) -> tuple:
        """What orders the table: participation (share of adults) when known, then registrations, completions."""
        return (-(self.participation or -1), -self.registered, -self.completed)

    @property
    def participation(self) -> float | None:
        return self.registered / self.adult_population if self.adult_population else None

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.completed if self.completed else None


@dataclass(frozen=True)
class PublicOverview:
    round: Round | None
    totals: CommuneFigures
    rows: list[PublicCommuneRow]
    city_participation: float | None
    target: float
    as_of: datetime


@dataclass(frozen=True)
class PublicWinner:
    tier: str
    rank: int
    name: str
    commune_name: str


def shown_rounds(now: datetime) -> list[Round]:
    """Rounds that have opened, newest first: the public may pick any of them."""
    return list(db.session.scalars(select(Round).where(Round.opens_at <= now).order_by(Round.opens_at.desc())))


def pick_round(round_id: int | None, rounds: list[Round], now: datetime) -> Round | None:
    """Among the shown rounds: the asked-for one, else the open one, else the latest."""
    chosen = next((r for r in rounds if r.id == round_id), None)
    return chosen or next((r for r in rounds if r.is_open(now)), None) or (rounds[0] if rounds else None)


def _places(rows: list[PublicCommuneRow]) -> list[PublicCommuneRow]:
    """Places as a ranking gives them: equal figures share one ("1, 1, 3"); no participant, no place."""
    placed: list[PublicCommuneRow] = []
    for index, row in enumerate(rows, start=1):
        if not row.registered:
            placed.append(replace(row, rank=None))
        elif placed and placed[-1].rank is not None and placed[-1].ranked_by() == row.ranked_by():
            placed.append(replace(row, rank=placed[-1].rank))
        else:
            placed.append(replace(row, rank=index))
    return placed


def overview(round_: Round | None, province_code: str) -> PublicOverview:
    """Totals and every commune's figures, ranked by participation (share of adults) when known."""
    view = tallies.read_commune_figures(round_.id if round_ else None)
    communes = db.session.execute(select(Commune.code, Commune.name, Commune.adult_population)
                                  .where(Commune.province_code == province_code)).all()
    rows = [PublicCommuneRow(0, name, view.by_commune[code].registered, population,
                             view.by_commune[code].completed, view.by_commune[code].passed)
            for code, name, population in communes]
    rows.sort(key=lambda r: (*r.ranked_by(), r.name))
    ranked = _places(rows)
    known = [r for r in ranked if r.adult_population]
    population = sum(r.adult_population or 0 for r in known)
    share = sum(r.registered for r in known) / population if population else None
    return PublicOverview(round_, view.totals, ranked, share, TARGET_SHARE, view.as_of)


def published_winners(now: datetime) -> list[tuple[Round, list[PublicWinner]]]:
    """Each closed round's winners, newest first; a name and commune only with the winner's consent."""
    rounds = [r for r in shown_rounds(now) if winners_published(r, now)][:WINNER_ROUNDS_SHOWN]
    return [(round_, _public_winners(round_)) for round_ in rounds]


def _public_winners(round_: Round) -> list[PublicWinner]:
    winners = round_winners(round_)
    ids = [w.citizen_id for w in winners]
    people = {c.id: c for c in db.session.scalars(select(Citizen).where(Citizen.id.in_(ids)))}
    consenting = set(db.session.scalars(select(Consent.citizen_id).where(
        Consent.citizen_id.in_(ids), Consent.purpose == Consent.PUBLISH_WINNER, Consent.withdrawn_at.is_(None))))
    names = {c.code: c.name for c in db.session.scalars(select(Commune).where(
        Commune.code.in_({p.commune_code for p in people.values()})))}
    return [PublicWinner(w.tier, w.rank, masked_name(people[w.citizen_id].full_name),
                         names[people[w.citizen_id].commune_code]) if w.citizen_id in consenting
            else PublicWinner(w.tier, w.rank, NOT_PUBLISHED, "") for w in winners]
