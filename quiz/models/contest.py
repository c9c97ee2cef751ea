"""The contest: topics, versioned questions, rounds, attempts and each citizen's best result."""
from datetime import datetime, timedelta

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ColumnElement,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from quiz.infra.clock import utcnow
from quiz.infra.extensions import Model, db
from quiz.models.campaign import Contest


class Topic(Model):
    """A subject of the contest (e.g. recognising online scams)."""

    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    retired_at: Mapped[datetime | None] = mapped_column(DateTime)


class Question(Model):
    """A question's identity; its wording lives in immutable versions."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), index=True)
    difficulty: Mapped[int] = mapped_column(SmallInteger, default=1)
    multiple: Mapped[bool] = mapped_column(Boolean, default=False)  # several correct answers
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    retired_at: Mapped[datetime | None] = mapped_column(DateTime)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_versions.id", use_alter=True, name="fk_questions_current_version")
    )
    text_key: Mapped[str] = mapped_column(Text, default="")  # accent-free, for search and duplicates
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    topic: Mapped[Topic] = relationship()
    current_version: Mapped["QuestionVersion"] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )


class QuestionVersion(Model):
    """One wording of a question; never edited once an attempt may have served it."""

    __tablename__ = "question_versions"
    __table_args__ = (UniqueConstraint("question_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)
    text: Mapped[str] = mapped_column(Text)
    choices: Mapped[list] = mapped_column(JSON)  # list of choice texts
    correct: Mapped[list] = mapped_column(JSON)  # sorted indices into choices
    multiple: Mapped[bool | None] = mapped_column(Boolean)  # "choose all that apply"; None: several correct
    explanation: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))

    question: Mapped[Question] = relationship(foreign_keys=[question_id])

    @property
    def is_multiple(self) -> bool:
        """Checkboxes (choose all that apply) or radio buttons, as the organizer set it."""
        return self.multiple_flag(self.multiple, self.correct)

    @staticmethod
    def multiple_flag(multiple: bool | None, correct: list[int]) -> bool:
        return multiple if multiple is not None else len(correct) > 1


class Round(Model):
    """A contest round (đợt thi) and its draw, timing and grading rules."""

    __tablename__ = "rounds"

    REVEAL_AFTER_SUBMIT = "after_submit"
    REVEAL_AFTER_CLOSE = "after_close"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime] = mapped_column(DateTime)
    closes_at: Mapped[datetime] = mapped_column(DateTime)
    question_count: Mapped[int] = mapped_column(Integer, default=20)
    topic_quotas: Mapped[dict | None] = mapped_column(JSON)  # {topic_id(str): count} or None: uniform
    time_limit_seconds: Mapped[int] = mapped_column(Integer, default=20 * 60)
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=3)
    pass_percent: Mapped[int] = mapped_column(Integer, default=80)
    reveal_answers: Mapped[str] = mapped_column(String(20), default=REVEAL_AFTER_CLOSE)
    prediction_question: Mapped[str | None] = mapped_column(Text)
    prediction_answer: Mapped[int | None] = mapped_column(BigInteger)
    prediction_min: Mapped[int] = mapped_column(BigInteger, default=0)
    prediction_max: Mapped[int] = mapped_column(BigInteger, default=10_000_000)
    min_seconds_per_question: Mapped[int] = mapped_column(Integer, default=3)  # faster is flagged
    verified_phone_for_prizes: Mapped[bool] = mapped_column(Boolean, default=False)
    # Staggered opening: the province's communes in `stagger_groups` blocks by code, block g opening
    # g × stagger_minutes after opens_at (quiz/admission.py); 1 group = everyone at opens_at.
    stagger_groups: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    stagger_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The campaign rules (quiz.contest_rules, quiz.tiebreak, quiz.prizes); the defaults are today's behaviour.
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id"), index=True)
    allowance_period: Mapped[str] = mapped_column(String(10), default="round")  # round | day | week
    counting: Mapped[str] = mapped_column(String(10), default="best")  # best | first attempt counts
    tiebreak_chain: Mapped[list] = mapped_column(JSON, default=lambda: ["score", "duration", "prediction", "submitted_at"])
    prediction_kind: Mapped[str] = mapped_column(String(20), default="free")  # free | all_correct (computed)
    prize_requires_pass: Mapped[bool] = mapped_column(Boolean, default=True)
    prize_percent_cap: Mapped[int | None] = mapped_column(Integer)  # prizes at most N % of participants
    prize_tie_rule: Mapped[str] = mapped_column(String(10), default="all")  # all | split | draw
    appeal_days: Mapped[int] = mapped_column(Integer, default=3)

    contest: Mapped["Contest"] = relationship()

    @hybrid_method
    def is_open(self, now: datetime) -> bool:
        return (self.opens_at <= now) & (now < self.closes_at)

    def attempt_deadline(self, started_at: datetime) -> datetime:
        """An attempt ends at its time limit or at the round's close, whichever comes first."""
        return min(started_at + timedelta(seconds=self.time_limit_seconds), self.closes_at)

    def minutes_left_to_answer(self, now: datetime) -> int:
        """Whole minutes an attempt started now really has (less than the limit shortly before the close)."""
        return max(0, int((self.attempt_deadline(now) - now).total_seconds()) // 60)

    def reveals_answers(self, now: datetime, grace: timedelta) -> bool:
        """Answers are shown at once, or once no attempt can still be accepting answers (close + grace)."""
        return self.reveal_answers == self.REVEAL_AFTER_SUBMIT or now >= self.closes_at + grace


def accepts_until(deadline_at: datetime, grace: timedelta) -> datetime:
    """The last moment an answer or a submit of an attempt counts: its deadline plus the network grace."""
    return deadline_at + grace


class Attempt(Model):
    """One sitting of a round by a citizen; its items are exactly what was served."""

    __tablename__ = "attempts"
    __table_args__ = (UniqueConstraint("round_id", "citizen_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    deadline_at: Mapped[datetime] = mapped_column(DateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    score: Mapped[int | None] = mapped_column(Integer)
    max_score: Mapped[int] = mapped_column(Integer)
    percent: Mapped[float | None] = mapped_column(db.Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    prediction: Mapped[int | None] = mapped_column(BigInteger)
    closed_automatically: Mapped[bool] = mapped_column(Boolean, default=False)  # by the overdue sweep or late
    answers_digest: Mapped[str | None] = mapped_column(String(24))  # the answers given, for the same-answers flag

    round: Mapped[Round] = relationship()
    items: Mapped[list["AttemptItem"]] = relationship(
        order_by="AttemptItem.position", back_populates="attempt"
    )

    @hybrid_property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @is_submitted.inplace.expression
    @classmethod
    def _is_submitted_expression(cls) -> ColumnElement[bool]:
        return cls.submitted_at.is_not(None)

    def accepts_until(self, grace: timedelta) -> datetime:
        return accepts_until(self.deadline_at, grace)


class AttemptItem(Model):
    """A served question: which version, the shuffled choice order, and the citizen's answer."""

    __tablename__ = "attempt_items"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger)
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"), index=True)
    choice_order: Mapped[list] = mapped_column(JSON)  # shown position -> index in version.choices
    selected: Mapped[list | None] = mapped_column(JSON)  # indices in version.choices
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    is_correct: Mapped[bool | None] = mapped_column(Boolean)  # marked on each save; final once submitted

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    version: Mapped[QuestionVersion] = relationship(lazy="joined")

    @property
    def shown_choices(self) -> list[str]:
        """Choice texts in the order this citizen sees them."""
        return in_shown_order(self.version.choices, self.choice_order)

    @property
    def shown_selected(self) -> list[int]:
        """Positions (as shown) of the saved answer."""
        return shown_positions(self.choice_order, self.selected)

    @property
    def shown_correct(self) -> list[int]:
        """Positions (as shown) of the correct choices: only for a graded, revealed attempt."""
        return shown_positions(self.choice_order, self.version.correct)


def in_shown_order(choices: list[str], choice_order: list[int]) -> list[str]:
    """A version's choice texts in a served item's order (choice_order: shown position -> index)."""
    return [choices[index] for index in choice_order]


def shown_positions(choice_order: list[int], indices: list[int] | None) -> list[int]:
    """The shown positions of choice indices (a saved answer or the key) in a served item's order."""
    wanted = set(indices or [])
    return [pos for pos, index in enumerate(choice_order) if index in wanted]


class BestResult(Model):
    """The attempt that counts for a citizen in a round: kept in step by grading."""

    __tablename__ = "best_results"
    # the reports' per-day table counts first completions per day of a round
    __table_args__ = (UniqueConstraint("round_id", "citizen_id"),
                      Index("ix_best_results_round_id_first_completed_at", "round_id", "first_completed_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), index=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id"))
    score: Mapped[int] = mapped_column(Integer)
    percent: Mapped[float] = mapped_column(db.Float)
    passed: Mapped[bool] = mapped_column(Boolean)
    duration_seconds: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(DateTime)
    first_completed_at: Mapped[datetime] = mapped_column(DateTime)
    attempts_count: Mapped[int] = mapped_column(Integer, default=1)
    # the round's tie-break chain as one sortable text (quiz.contest.ranking.refresh_rank_keys keeps it)
    rank_key: Mapped[str | None] = mapped_column(String(160))

    attempt: Mapped[Attempt] = relationship()


# The overdue sweep finds unsubmitted attempts past their deadline in index order.
Index("ix_attempts_open_deadline", Attempt.submitted_at, Attempt.deadline_at)
# The ranking's ORDER BY (score desc, time asc) reads a round's results in index order.
Index("ix_best_results_ranking", BestResult.round_id, BestResult.score.desc(), BestResult.duration_seconds)
# The ranking page reads the top of any tie-break chain in this index's order (ORDER BY rank_key, attempt_id).
Index("ix_best_results_rank_key", BestResult.round_id, BestResult.rank_key, BestResult.attempt_id)


@event.listens_for(Session, "before_flush")
def _give_lone_rounds_a_contest(session: Session, _context, _instances) -> None:
    """A round added without a contest becomes the single period of a contest named like it."""
    for obj in list(session.new):
        if isinstance(obj, Round) and obj.contest_id is None and obj.contest is None:
            obj.contest = Contest(name=obj.name)
