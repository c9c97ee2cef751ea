"""What a citizen's result page says: counts, time, attempts left, whether the time ran out."""
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from quiz.contest.grading import pass_count
from quiz.models import Attempt

# the page's own countdown submits at zero; a phone clock a little ahead still means "time ran out"
TIMEOUT_SLACK = timedelta(seconds=2)


@dataclass(frozen=True)
class ResultSummary:
    """Figures of one graded attempt, none of which reveals which question was right."""

    right: int
    pass_count: int
    wrong: int
    unanswered: int
    attempts_left: int
    can_retry: bool
    timed_out: bool
    late: bool  # reached the server after deadline + grace: only answers saved in time counted


def summarise(attempt: Attempt, answers: Sequence[list[int] | None], attempts_used: int, now: datetime,
              grace: timedelta) -> ResultSummary:
    """The result page's figures for a submitted attempt, given the saved answer of each served item."""
    answered = [selected for selected in answers if selected]
    right = attempt.score or 0
    round_ = attempt.round
    left = max(0, round_.attempts_allowed - attempts_used)
    submitted = attempt.submitted_at or now
    return ResultSummary(
        right=right, pass_count=pass_count(attempt.max_score, round_.pass_percent), wrong=len(answered) - right if len(answered) >= right else 0,
        unanswered=len(answers) - len(answered), attempts_left=left,
        can_retry=left > 0 and round_.is_open(now),
        timed_out=submitted >= attempt.deadline_at - TIMEOUT_SLACK,
        late=attempt.closed_automatically or submitted > attempt.accepts_until(grace))  # late ones are dated at the deadline
