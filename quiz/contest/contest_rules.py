"""Attempt allowance of a period: per period, per Vietnam calendar day or per Vietnam week.

Every check of "may this citizen start another attempt" goes through `attempt_allowance`, so a
further limit (e.g. per phone across re-registrations) can be combined in this one place.
"""
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from quiz.contest import allowance
from quiz.errors import AttemptError, DomainError
from quiz.infra.clock import DISPLAY_TZ, local_to_utc, to_local
from quiz.infra.extensions import db
from quiz.models import Attempt, Round

PER_ROUND, PER_DAY, PER_WEEK = "round", "day", "week"
PERIODS = (PER_ROUND, PER_DAY, PER_WEEK)
COUNT_BEST, COUNT_FIRST = "best", "first"


@dataclass(frozen=True)
class Allowance:
    """How many attempts the citizen has used in the current window, and when the window renews."""

    allowed: int
    used: int
    period: str
    window_start: datetime | None  # naive UTC; None: the whole period
    window_end: datetime | None

    @property
    def remaining(self) -> int:
        return max(self.allowed - self.used, 0)


def allowance_window(period: str, now: datetime) -> tuple[datetime | None, datetime | None]:
    """The UTC bounds of the day or week (Monday first) in Vietnam time that contains `now`."""
    if period == PER_ROUND:
        return None, None
    local_date = to_local(now).astimezone(DISPLAY_TZ).date()
    if period == PER_WEEK:
        local_date -= timedelta(days=local_date.weekday())
    start = local_to_utc(datetime.combine(local_date, time()))
    return start, start + timedelta(days=7 if period == PER_WEEK else 1)


def attempts_in_window(round_id: int, citizen_id: int, start: datetime | None, end: datetime | None) -> int:
    """Attempts the citizen started in the round within [start, end) (all of them without bounds)."""
    stmt = select(func.count(Attempt.id)).where(Attempt.round_id == round_id, Attempt.citizen_id == citizen_id)
    if start is not None:
        stmt = stmt.where(Attempt.started_at >= start, Attempt.started_at < end)
    return db.session.scalar(stmt) or 0


def attempt_allowance(round_: Round, citizen_id: int, now: datetime) -> Allowance:
    """The citizen's allowance in the round at `now`."""
    start, end = allowance_window(round_.allowance_period, now)
    if start is None:  # the whole period: issue 14's count, shared by every registration of the same phone
        used = allowance.attempts_used(round_.id, citizen_id)
    else:
        used = attempts_in_window(round_.id, citizen_id, start, end)
    return Allowance(round_.attempts_allowed, used, round_.allowance_period, start, end)


def check_allowance(round_: Round, citizen_id: int, now: datetime) -> Allowance:
    """Raise AttemptError with a Vietnamese sentence when the allowance is used up."""
    allowance = attempt_allowance(round_, citizen_id, now)
    if allowance.remaining > 0:
        return allowance
    if allowance.period == PER_ROUND:
        raise AttemptError(f"Bạn đã dùng hết {allowance.allowed} lượt thi của đợt này.")
    when = "hôm nay" if allowance.period == PER_DAY else "tuần này"
    assert allowance.window_end is not None  # a day or week window always ends
    renew = to_local(allowance.window_end)
    if renew.replace(tzinfo=None) >= to_local(round_.closes_at).replace(tzinfo=None):
        raise AttemptError(f"Bạn đã dùng hết {allowance.allowed} lượt thi của {when}; đợt thi kết thúc trước khi có lượt mới.")
    raise AttemptError(f"Bạn đã dùng hết {allowance.allowed} lượt thi của {when}. "
                       f"Lượt mới có từ {renew:%H:%M} ngày {renew:%d/%m/%Y}.")


class RuleError(DomainError):
    """A campaign rule of a period is not valid."""


TIE_RULES = ("all", "split", "draw")
PREDICTION_KINDS = ("free", "all_correct")


def validate_period_rules(allowance_period: str, counting: str, prediction_kind: str, tie_rule: str,
                          percent_cap: int | None, appeal_days: int) -> None:
    """The period's campaign settings, each with a Vietnamese message naming its field."""
    if allowance_period not in PERIODS:
        raise RuleError("Cách tính lượt thi không hợp lệ.", "allowance_period")
    if counting not in (COUNT_BEST, COUNT_FIRST):
        raise RuleError("Cách chọn bài tính điểm không hợp lệ.", "counting")
    if prediction_kind not in PREDICTION_KINDS:
        raise RuleError("Loại câu dự đoán không hợp lệ.", "prediction_kind")
    if tie_rule not in TIE_RULES:
        raise RuleError("Cách xử lý đồng hạng ở giải không hợp lệ.", "prize_tie_rule")
    if percent_cap is not None and not 1 <= percent_cap <= 100:
        raise RuleError("Tỷ lệ giải tối đa phải từ 1 đến 100%.", "prize_percent_cap")
    if not 0 <= appeal_days <= 60:
        raise RuleError("Thời gian khiếu nại phải từ 0 đến 60 ngày.", "appeal_days")
