"""Attempt allowance of a period: per period, per Vietnam calendar day or per Vietnam week.

The pages show `attempt_allowance`; a start is refused by `check_allowance`, given the same counts read
under the phone's row lock (`check_start`). The counting itself (per phone, across
re-registrations, in the Vietnam day or week) is quiz.contest.allowance's.
"""
from dataclasses import dataclass
from datetime import datetime

from quiz.contest import allowance
from quiz.contest.allowance import PER_DAY, PER_ROUND, PER_WEEK, allowance_window  # noqa: F401  (re-exported)
from quiz.errors import AttemptError, DomainError
from quiz.infra.clock import to_local
from quiz.models import Round

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


def attempt_allowance(round_: Round, citizen_id: int, now: datetime, known_phone: str | None = None) -> Allowance:
    """The citizen's allowance in the round at `now`: every registration of the same phone counts (issue 14).

    known_phone: the citizen's phone as the caller read it (the logged-in person), which saves a query.
    """
    start, end = allowance_window(round_.allowance_period, now)
    used = allowance.attempts_used(round_.id, citizen_id, start, end, known_phone)
    return Allowance(round_.attempts_allowed, used, round_.allowance_period, start, end)


def check_start(round_: Round, use: allowance.PhoneUse) -> None:
    """Refuse a start when this day's/week's/period's share is used up (issue 18), from the counts read
    under the phone's row lock (allowance.lock_for_start; allowance.take_one then counts the new attempt)."""
    check_allowance(round_, Allowance(round_.attempts_allowed, use.used, round_.allowance_period,
                                      use.window_start, use.window_end))


def check_allowance(round_: Round, allowance: Allowance) -> None:
    """Raise AttemptError with a Vietnamese sentence when the allowance is used up."""
    if allowance.remaining > 0:
        return
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
