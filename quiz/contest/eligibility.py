"""Who may receive a prize: one hook, `eligibility`, that every prize computation asks.

It checks the pass mark (when the period requires it), the citizen not anonymised, not disqualified by an
organizer (issue 14's `disqualifications`; a disqualified result also leaves the ranking, see
`ranking.ranked_entries`) and a verified phone when the period requires one (`Round.verified_phone_for_prizes`).
"""
from dataclasses import dataclass

from sqlalchemy import and_, exists
from sqlalchemy.sql.elements import ColumnElement

from quiz.contest.ranking import RankingRow
from quiz.models import BestResult, Disqualification, PhoneVerification, Round


@dataclass(frozen=True)
class Eligibility:
    """Whether a ranked result may receive a prize, and why not (a Vietnamese phrase)."""

    eligible: bool
    reason: str = ""


ELIGIBLE = Eligibility(True)  # one object: the hook answers a million times


def extra_columns() -> tuple[ColumnElement, ColumnElement]:
    """The columns the hook reads besides the ranking's own: disqualified, phone verified."""
    disqualified = exists().where(and_(Disqualification.round_id == BestResult.round_id,
                                       Disqualification.citizen_id == BestResult.citizen_id,
                                       Disqualification.lifted_at.is_(None)))
    verified = exists().where(PhoneVerification.citizen_id == BestResult.citizen_id)
    return disqualified, verified


def requires_verified_phone(round_: Round) -> bool:
    return bool(round_.verified_phone_for_prizes)


@dataclass(frozen=True)
class PrizeConditions:
    """What the period requires of a prize winner, read once from its settings."""

    requires_pass: bool
    requires_verified_phone: bool


def conditions_of(round_: Round) -> PrizeConditions:
    return PrizeConditions(bool(round_.prize_requires_pass), requires_verified_phone(round_))


ANONYMISED = Eligibility(False, "đã xoá dữ liệu cá nhân")
DISQUALIFIED = Eligibility(False, "bị loại")
NOT_PASSED = Eligibility(False, "chưa đạt")
PHONE_NOT_VERIFIED = Eligibility(False, "chưa xác thực số điện thoại")


def eligibility(row: RankingRow, conditions: PrizeConditions) -> Eligibility:
    """The hook: may this ranked result receive a prize of the period?"""
    disqualified, verified = (row.extra + (None, None))[:2]
    if row.anonymised:
        return ANONYMISED
    if disqualified:
        return DISQUALIFIED
    if conditions.requires_pass and not row.passed:
        return NOT_PASSED
    if conditions.requires_verified_phone and not verified:
        return PHONE_NOT_VERIFIED
    return ELIGIBLE
