"""The organizers' review of a round's integrity flags: disqualify a result (with a reason) or reverse it.

A disqualified result leaves the ranking and the prizes (quiz.ranking.ranked_entries) but stays in every
participation figure: the person did take part. Both actions are audited in the same transaction.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from quiz.audit import record
from quiz.errors import DomainError
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.infra.text import clean_text
from quiz.models import BestResult, Certificate, Citizen, Commune, Disqualification, IntegrityFlag, Winner


class ReviewError(DomainError):
    """A review action cannot be done as asked."""


@dataclass(frozen=True)
class FlaggedResult:
    """One citizen of the review list: their flags, best result and whether they are disqualified now."""

    citizen_id: int
    commune_name: str
    best_score: int | None
    flags: list[IntegrityFlag]
    disqualification: Disqualification | None


def _reason(reason: str) -> str:
    text = clean_text(reason or "")
    if not 5 <= len(text) <= 500:
        raise ReviewError("Vui lòng ghi lý do (từ 5 đến 500 ký tự).", "reason")
    return text


def lock_best_result(round_id: int, citizen_id: int) -> int | None:
    """The id of the citizen's best result in the round, its row locked until the transaction ends: a
    disqualification and a certificate's issue take it first, so neither decides on what the other is changing."""
    return db.session.scalar(select(BestResult.id).where(BestResult.round_id == round_id,
                                                         BestResult.citizen_id == citizen_id).with_for_update())


def active_disqualification(round_id: int, citizen_id: int) -> Disqualification | None:
    return db.session.scalar(select(Disqualification).where(
        Disqualification.round_id == round_id, Disqualification.citizen_id == citizen_id,
        Disqualification.lifted_at.is_(None)))


# what the public verification page says of a certificate revoked with its result: the organizer's own note
# ("cùng thiết bị với #1234") stays in the disqualification and the audit log, never on a public page
PUBLIC_REASON = "Kết quả bị loại theo quyết định của Ban Tổ chức."


@dataclass(frozen=True)
class Exclusion:
    """What a disqualification did: certificates of the round revoked, and whether the person stands in the
    round's frozen winners (a frozen list changes only by a recorded recomputation)."""

    revoked: int
    frozen_winner: bool


def disqualify(round_id: int, citizen_id: int, reason: str, staff_id: int, now: datetime) -> Exclusion:
    """Take the citizen's result out of the round's ranking and prizes, and revoke their certificates of the
    round (audited, one transaction); no new one is issued while the disqualification stands."""
    text = _reason(reason)
    with write_transaction():
        if lock_best_result(round_id, citizen_id) is None:  # a certificate being issued meanwhile waits for this
            raise ReviewError("Người này chưa có kết quả trong đợt thi.")
        if active_disqualification(round_id, citizen_id) is not None:
            raise ReviewError("Kết quả này đã bị loại.")
        db.session.add(Disqualification(round_id=round_id, citizen_id=citizen_id, reason=text, by_staff_id=staff_id,
                                        at=now))
        revoked = _revoke_certificates(round_id, citizen_id, PUBLIC_REASON, staff_id, now)
        record(staff_id, "disqualify_result", "citizen", [citizen_id], {"round": round_id, "revoked": revoked},
               reason=text)
        frozen = db.session.scalar(select(Winner.id).where(Winner.round_id == round_id,
                                                           Winner.citizen_id == citizen_id)) is not None
    return Exclusion(len(revoked), frozen)


def _revoke_certificates(round_id: int, citizen_id: int, reason: str, staff_id: int, now: datetime) -> list[int]:
    """The same closing as quiz.certificates.issuing.revoke_certificate, for every valid one of the round."""
    valid = list(db.session.scalars(select(Certificate).where(
        Certificate.round_id == round_id, Certificate.citizen_id == citizen_id, Certificate.status == Certificate.VALID)))
    for certificate in valid:
        certificate.status, certificate.status_reason = Certificate.REVOKED, reason
        certificate.status_changed_at, certificate.status_changed_by_id = now, staff_id
    return [c.id for c in valid]


def requalify(round_id: int, citizen_id: int, reason: str, staff_id: int, now: datetime) -> None:
    """Reverse a disqualification: the result ranks again (audited)."""
    text = _reason(reason)
    with write_transaction():
        entry = active_disqualification(round_id, citizen_id)
        if entry is None:
            raise ReviewError("Kết quả này không bị loại.")
        entry.lifted_at, entry.lifted_by_id, entry.lift_reason = now, staff_id, text
        record(staff_id, "requalify_result", "citizen", [citizen_id], {"round": round_id}, reason=text)


def flagged_results(round_id: int, limit: int = 200) -> list[FlaggedResult]:
    """The review list: every flagged or disqualified citizen of the round, most flags first."""
    flags: dict[int, list[IntegrityFlag]] = {}
    for flag in db.session.scalars(select(IntegrityFlag).where(IntegrityFlag.round_id == round_id)):
        flags.setdefault(flag.citizen_id, []).append(flag)
    disqualified = {d.citizen_id: d for d in db.session.scalars(select(Disqualification).where(
        Disqualification.round_id == round_id, Disqualification.lifted_at.is_(None)))}
    ids = sorted(set(flags) | set(disqualified), key=lambda c: (-len(flags.get(c, [])), c))[:limit]
    rows = db.session.execute(select(Citizen.id, Commune.name, BestResult.score)
                              .join(Commune, Commune.code == Citizen.commune_code)
                              .outerjoin(BestResult, (BestResult.citizen_id == Citizen.id) &
                                         (BestResult.round_id == round_id))
                              .where(Citizen.id.in_(ids))).all()
    found = {row[0]: row for row in rows}
    return [FlaggedResult(c, found[c][1], found[c][2], flags.get(c, []), disqualified.get(c))
            for c in ids if c in found]
