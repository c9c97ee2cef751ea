"""Question statistics materialised per round: one row per question for the province and for each commune."""
from datetime import datetime

from sqlalchemy import (
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from quiz.infra.extensions import Model


class QuestionStatSnapshot(Model):
    """A question's figures in a round, as of the last refresh (commune_code "" is the whole province)."""

    __tablename__ = "question_stat_snapshots"
    __table_args__ = (UniqueConstraint("round_id", "commune_code", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    commune_code: Mapped[str] = mapped_column(String(5), default="")
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    served: Mapped[int] = mapped_column(Integer)
    answered_right: Mapped[int] = mapped_column(Integer)
    discrimination: Mapped[float | None] = mapped_column(Float)
    top_wrong: Mapped[str | None] = mapped_column(Text)
    refreshed_at: Mapped[datetime] = mapped_column(DateTime)
