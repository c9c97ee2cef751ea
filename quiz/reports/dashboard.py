"""What the dashboards show: commune rankings, score distributions, topic gaps, participants."""
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Integer, cast, false, func, select
from sqlalchemy.orm import joinedload

from quiz.audit import record
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.infra.phones import InvalidPhone, normalise_phone
from quiz.infra.text import search_key
from quiz.models import (
    Attempt,
    AttemptItem,
    BestResult,
    Citizen,
    Commune,
    Question,
    QuestionVersion,
    Round,
    StaffUser,
    Topic,
)
from quiz.people.scope import scope_citizens
from quiz.reports.ranking import fewest_participants, most_participants, name_order, shared_ranks
from quiz.tallies.figures import CommuneFigures, FiguresView

PAGE_SIZE = 25
PHONE_SUFFIX_DIGITS = 4
TARGET_SHARE = 0.8  # the city's target: 80% of adults take part


@dataclass
class CommuneRow:
    """One line of the all-communes table."""

    rank: int
    code: str
    name: str
    kind: str
    figures: CommuneFigures
    adult_population: int | None

    @property
    def population_share(self) -> float | None:
        if not self.adult_population:
            return None
        return self.figures.registered / self.adult_population


def commune_rows(view: FiguresView, province_code: str) -> list[CommuneRow]:
    """All communes by participants (registered), most first; equal figures share a rank (quiz/reports/ranking.py)."""
    communes = db.session.scalars(select(Commune).where(Commune.province_code == province_code)).all()
    ordered = sorted(communes, key=lambda c: (-view.by_commune[c.code].registered, *name_order(c.name, c.code)))
    ranks = shared_ranks([view.by_commune[c.code].registered for c in ordered])
    return [CommuneRow(rank, c.code, c.name, c.kind_label, view.by_commune[c.code], c.adult_population)
            for rank, c in zip(ranks, ordered)]


def top_and_bottom(rows: list[CommuneRow], count: int = 10) -> tuple[list[CommuneRow], list[CommuneRow]]:
    """The `count` communes with the most participants and the `count` with the fewest (fewest first)."""
    return most_participants(rows, count).rows, fewest_participants(rows, count).rows


def row_json(row: CommuneRow) -> dict:
    f = row.figures
    return {"rank": row.rank, "code": row.code, "name": row.name, "kind": row.kind,
            "registered": f.registered, "completed": f.completed, "attempts": f.attempts, "passed": f.passed,
            "completion_rate": f.completion_rate, "average_score": f.average_score, "pass_rate": f.pass_rate,
            "adult_population": row.adult_population, "population_share": row.population_share}


def totals_json(view: FiguresView) -> dict:
    t = view.totals
    active = sum(1 for f in view.by_commune.values() if f.registered)
    return {"communes_with_participants": active, "communes": len(view.by_commune), "registered": t.registered,
            "completed": t.completed, "attempts": t.attempts, "passed": t.passed,
            "completion_rate": t.completion_rate, "average_score": t.average_score, "pass_rate": t.pass_rate}


def rounds_newest_first() -> list[Round]:
    return list(db.session.scalars(select(Round).order_by(Round.opens_at.desc())))


def score_distribution(round_id: int, commune_code: str) -> list[tuple[int, int]]:
    """(best score, citizens) for the commune's participants in a round."""
    stmt = (select(BestResult.score, func.count(BestResult.id)).join(Citizen, Citizen.id == BestResult.citizen_id)
            .where(BestResult.round_id == round_id, Citizen.commune_code == commune_code)
            .group_by(BestResult.score).order_by(BestResult.score))
    return [(score, count) for score, count in db.session.execute(stmt)]


def topic_correct_rates(round_id: int, commune_code: str) -> list[tuple[str, int, float]]:
    """(topic, answers, share correct) over the commune's submitted attempts: where skills are lacking."""
    correct = func.sum(cast(AttemptItem.is_correct, Integer))
    stmt = (select(Topic.name, func.count(AttemptItem.id), correct)
            .join(Attempt, Attempt.id == AttemptItem.attempt_id)
            .join(Citizen, Citizen.id == Attempt.citizen_id)
            .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
            .join(Question, Question.id == QuestionVersion.question_id)
            .join(Topic, Topic.id == Question.topic_id)
            .where(Attempt.round_id == round_id, Attempt.is_submitted,
                   Citizen.commune_code == commune_code)
            .group_by(Topic.name))
    rows = [(name, total, (right or 0) / total) for name, total, right in db.session.execute(stmt) if total]
    return sorted(rows, key=lambda row: row[2])


@dataclass
class ParticipantPage:
    citizens: Sequence[Citizen]
    best: dict[int, BestResult]
    page: int
    pages: int
    total: int


def participants(staff: StaffUser, query: str, page: int, round_id: int | None,
                 commune_code: str | None = None) -> ParticipantPage:
    """A page of the staff member's citizens, searchable by name (accents optional) or phone digits."""
    stmt = scope_citizens(select(Citizen).where(Citizen.is_active), staff)
    if commune_code:
        stmt = stmt.where(Citizen.commune_code == commune_code)
    if query:
        stmt = stmt.where(_search_filter(query))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    citizens = db.session.scalars(stmt.options(joinedload(Citizen.commune))
                                  .order_by(Citizen.created_at.desc(), Citizen.id.desc())
                                  .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    best = {}
    if round_id is not None and citizens:
        rows = db.session.scalars(select(BestResult).where(BestResult.round_id == round_id,
                                                           BestResult.citizen_id.in_([c.id for c in citizens])))
        best = {row.citizen_id: row for row in rows}
    return ParticipantPage(citizens, best, page, pages, total)


def is_digits_search(query: str) -> bool:
    """A search by phone digits (rate limited and audited by the view), not by name."""
    compact = query.replace(" ", "").replace(".", "").lstrip("+")
    return bool(compact) and compact.isascii() and compact.isdigit()


def _search_filter(query: str) -> ColumnElement[bool]:
    """Name words match anywhere (accent-insensitive). Digits match exactly the last 4 digits of the phone,
    or a whole number: shorter or longer suffixes would let masked numbers be recovered digit by digit."""
    if not is_digits_search(query):
        return Citizen.name_key.like(f"%{_escape_like(search_key(query))}%", escape="\\")
    compact = query.replace(" ", "").replace(".", "")
    if len(compact) == PHONE_SUFFIX_DIGITS:
        return Citizen.phone.like(f"%{compact}")
    try:
        return Citizen.phone == normalise_phone(compact)
    except InvalidPhone:
        return false()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def record_digits_search(staff_id: int, citizen_ids: list[int], digits: int, found: int) -> None:
    """A search by phone digits, audited: who, the IDs shown and how many digits (never the digits)."""
    with write_transaction():
        record(staff_id, "search_phone_digits", "citizen", citizen_ids, changes={"digits": digits, "found": found})
