"""The campaign around rounds: a contest (cuộc thi) of periods, its prize tiers, frozen winners and practice.

A round (đợt/tuần) is a period of exactly one contest. A round created on its own gets a contest
of its own (see `_give_lone_rounds_a_contest`): the single-round behaviour is one configuration.
"""
from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.infra.clock import utcnow
from quiz.infra.extensions import Model, db


class Contest(Model):
    """A contest (cuộc thi) grouping periods; caps and the commune score apply across them."""

    __tablename__ = "contests"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    max_prizes_per_citizen: Mapped[int | None] = mapped_column(Integer)  # None: no cap across periods
    commune_score: Mapped[dict | None] = mapped_column(JSON)  # weights, see quiz.contest.commune_prizes
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PrizeTier(Model):
    """A prize of a period (giải nhất, nhì, ba, khuyến khích) and how many are given."""

    __tablename__ = "prize_tiers"
    __table_args__ = (UniqueConstraint("round_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 1 = the highest prize
    name: Mapped[str] = mapped_column(String(100))
    count: Mapped[int] = mapped_column(Integer)
    reward: Mapped[str] = mapped_column(String(200), default="")  # e.g. "2.000.000 đồng"


class PrizeComputation(Model):
    """One computation of a period's winners: its inputs, seed, appeal window and publication (history kept)."""

    __tablename__ = "prize_computations"
    __table_args__ = (UniqueConstraint("round_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1 = the first freeze; 2… = explicit recomputations
    computed_at: Mapped[datetime] = mapped_column(DateTime)
    computed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    tie_rule: Mapped[str] = mapped_column(String(10))
    seed: Mapped[str | None] = mapped_column(String(64))  # the draw's seed, when a draw was needed
    chain: Mapped[list] = mapped_column(JSON)
    participants: Mapped[int] = mapped_column(Integer)
    eligible: Mapped[int] = mapped_column(Integer)
    prediction_answer: Mapped[int | None] = mapped_column(Integer)
    appeal_ends_at: Mapped[datetime] = mapped_column(DateTime)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime)
    previous_winners: Mapped[list | None] = mapped_column(JSON)  # [[citizen_id, tier_position, place, share]]


class Winner(Model):
    """A frozen winner of a period: later data changes never move it; only a recorded recomputation does."""

    __tablename__ = "winners"
    __table_args__ = (UniqueConstraint("round_id", "citizen_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), index=True)
    computation_id: Mapped[int] = mapped_column(ForeignKey("prize_computations.id"), index=True)
    tier_id: Mapped[int] = mapped_column(ForeignKey("prize_tiers.id"))
    tier_name: Mapped[str] = mapped_column(String(100))  # as it was at the freeze
    rank: Mapped[int] = mapped_column(Integer)  # the place (shared places repeat)
    share: Mapped[float] = mapped_column(Float, default=1.0)  # < 1 when a shared place split the prize
    note: Mapped[str] = mapped_column(String(200), default="")  # "đồng hạng", "bốc thăm", …
    frozen_at: Mapped[datetime] = mapped_column(DateTime)
    # the phone's pseudonym (quiz.infra.pseudonyms.phone_key): the per-person cap follows the person through a
    # deletion and a new registration, as the attempt allowance does; set at the freeze and before a deletion
    phone_key: Mapped[str | None] = mapped_column(String(64), index=True)

    tier: Mapped[PrizeTier] = relationship()


class FrozenPlace(Model):
    """One line of the ranking as frozen with the winners: every criterion, the place, the verdict.

    The ranking page, the prize list and the checking spreadsheet read this after the freeze, so
    they show exactly the order the winners were chosen from, whatever changes later.
    """

    __tablename__ = "frozen_places"
    __table_args__ = (UniqueConstraint("round_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    position: Mapped[int] = mapped_column(Integer)  # 1… in listing order
    place: Mapped[int] = mapped_column(Integer)  # shared places repeat
    shared: Mapped[bool] = mapped_column(db.Boolean)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), index=True)
    attempt_id: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    duration_seconds: Mapped[int] = mapped_column(Integer)
    prediction: Mapped[int | None] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(DateTime)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    attempts_used: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(db.Boolean)
    eligible: Mapped[bool] = mapped_column(db.Boolean)
    reason: Mapped[str] = mapped_column(String(100), default="")


class PracticeAttempt(Model):
    """A "Thi thử" sitting: graded at once, kept apart from attempts so no figure can count it."""

    __tablename__ = "practice_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    deadline_at: Mapped[datetime | None] = mapped_column(DateTime)  # the round's time limit; None: untimed
    items: Mapped[list] = mapped_column(JSON)  # [{"v": version id, "o": choice order, "s": selected}]
    score: Mapped[int | None] = mapped_column(Integer)
    max_score: Mapped[int] = mapped_column(Integer)
