"""Issuing, finding, revoking and reissuing certificates (giấy chứng nhận) of completion and of prizes.

Each use case is one write transaction; revocations and reissues are audited with the staff
member and the reason. A citizen has at most one valid certificate of each kind per round:
asking again returns it, and a better result (or another prize) replaces it with a new code.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, exists, select
from sqlalchemy.orm import joinedload

from quiz.audit import record
from quiz.certificates.codes import new_code
from quiz.contest.review import lock_best_result
from quiz.contest.winners_source import Winner, round_winners, winners_published
from quiz.errors import CertificateError
from quiz.infra.database import execute_core, write_transaction
from quiz.infra.extensions import db
from quiz.models import Attempt, BestResult, Certificate, Citizen, Disqualification, Round

NOT_PASSED = "Bạn chưa đạt ở đợt thi này nên chưa thể nhận giấy chứng nhận."
NOT_A_WINNER = "Giấy chứng nhận đạt giải chỉ dành cho người đạt giải đã được công bố."
NOT_FOUND = "Không tìm thấy giấy chứng nhận."
REASON_NEEDED = "Vui lòng ghi lý do (ít nhất 5 ký tự)."
ALREADY_CLOSED = "Giấy chứng nhận này đã bị thu hồi hoặc đã được thay thế."
BETTER_RESULT = "Cấp lại theo kết quả mới"


@dataclass(frozen=True)
class CertifiedFacts:
    """What a certificate certifies, as read from the results when it is issued."""

    citizen_id: int
    commune_code: str
    score: int
    max_score: int
    prize: str | None = None
    prize_rank: int | None = None


def valid_certificate(citizen_id: int, round_id: int, kind: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(
        Certificate.citizen_id == citizen_id, Certificate.round_id == round_id, Certificate.kind == kind,
        Certificate.status == Certificate.VALID))


def find_certificate(code: str) -> Certificate | None:
    """The certificate with this canonical code (see certificate_codes.normalise_code), any status.

    One query with what the verification page shows (holder, round, commune).
    """
    return db.session.scalar(select(Certificate).where(Certificate.code == code).options(
        joinedload(Certificate.citizen), joinedload(Certificate.round), joinedload(Certificate.commune)))


def completion_facts(round_id: int, citizen_ids: list[int]) -> dict[int, CertifiedFacts]:
    """Facts for the citizens among `citizen_ids` who passed the round, are not anonymised nor disqualified."""
    stmt = (select(BestResult.citizen_id, Citizen.commune_code, BestResult.score, Attempt.max_score)
            .join(Citizen, Citizen.id == BestResult.citizen_id).join(Attempt, Attempt.id == BestResult.attempt_id)
            .where(BestResult.round_id == round_id, BestResult.passed.is_(True),
                   Citizen.anonymised_at.is_(None), BestResult.citizen_id.in_(citizen_ids),
                   ~BestResult.citizen_id.in_(select(Disqualification.citizen_id).where(
                       Disqualification.round_id == round_id, Disqualification.lifted_at.is_(None)))))
    return {row[0]: CertifiedFacts(*row) for row in db.session.execute(stmt)}


def prize_facts(round_id: int, winners: list[Winner]) -> dict[int, CertifiedFacts]:
    by_citizen = {w.citizen_id: w for w in winners}
    passed = completion_facts(round_id, list(by_citizen))
    return {cid: CertifiedFacts(f.citizen_id, f.commune_code, f.score, f.max_score,
                                by_citizen[cid].tier, by_citizen[cid].rank) for cid, f in passed.items()}


def issue_completion(citizen_id: int, round_id: int, issuer: str, now: datetime) -> Certificate:
    """The citizen's certificate of completion: the valid one, or a new one (replacing an outdated one)."""
    with write_transaction():
        lock_best_result(round_id, citizen_id)
        facts = completion_facts(round_id, [citizen_id]).get(citizen_id)
        if facts is None:
            raise CertificateError(NOT_PASSED)
        current = valid_certificate(citizen_id, round_id, Certificate.COMPLETION)
        return _current_or_new(round_id, Certificate.COMPLETION, facts, issuer, now, current)


def issue_prize(citizen_id: int, round_: Round, issuer: str, now: datetime) -> Certificate:
    """The citizen's prize certificate for a round whose winners are published."""
    with write_transaction():
        lock_best_result(round_.id, citizen_id)
        winners = round_winners(round_) if winners_published(round_, now) else []
        facts = prize_facts(round_.id, [w for w in winners if w.citizen_id == citizen_id]).get(citizen_id)
        if facts is None:
            raise CertificateError(NOT_A_WINNER)
        current = valid_certificate(citizen_id, round_.id, Certificate.PRIZE)
        return _current_or_new(round_.id, Certificate.PRIZE, facts, issuer, now, current)


def issue_many(round_id: int, kind: str, facts: dict[int, CertifiedFacts], issuer: str,
               now: datetime) -> list[Certificate]:
    """Certificates for many citizens in one transaction (bulk issuance): existing valid ones are kept."""
    with write_transaction():
        existing = {c.citizen_id: c for c in db.session.scalars(select(Certificate).where(
            Certificate.round_id == round_id, Certificate.kind == kind, Certificate.status == Certificate.VALID,
            Certificate.citizen_id.in_(list(facts))))}
        issued = [_current_or_new(round_id, kind, f, issuer, now, existing.get(cid), flush=False)
                  for cid, f in facts.items()]
        db.session.flush()
    return issued


def _current_or_new(round_id: int, kind: str, facts: CertifiedFacts, issuer: str, now: datetime,
                    current: Certificate | None, flush: bool = True) -> Certificate:
    """`current` if it still certifies these facts; else a new certificate that replaces it."""
    if current is not None and _certifies(current, facts):
        return current
    if current is not None:
        _close(current, Certificate.REPLACED, BETTER_RESULT, None, now)
        db.session.flush()  # the old one stops being valid before the new one exists
    certificate = Certificate(code=new_code(), kind=kind, round_id=round_id, issuer=issuer, issued_at=now,
                              citizen_id=facts.citizen_id, commune_code=facts.commune_code, score=facts.score,
                              max_score=facts.max_score, prize=facts.prize, prize_rank=facts.prize_rank)
    db.session.add(certificate)
    if current is not None or flush:
        db.session.flush()
    if current is not None:
        current.replaced_by_id = certificate.id
    return certificate


def _certifies(certificate: Certificate, facts: CertifiedFacts) -> bool:
    return (certificate.score, certificate.max_score, certificate.prize) == (facts.score, facts.max_score, facts.prize)


def _close(certificate: Certificate, status: str, reason: str, staff_id: int | None, now: datetime) -> None:
    certificate.status, certificate.status_reason = status, reason
    certificate.status_changed_at, certificate.status_changed_by_id = now, staff_id


def revoke_certificate(certificate_id: int, staff_id: int, reason: str, now: datetime) -> Certificate:
    """Revoke a valid certificate with a reason shown on its verification page (audited)."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise CertificateError(REASON_NEEDED, "reason")
    with write_transaction():
        certificate = _open_certificate(certificate_id)
        _close(certificate, Certificate.REVOKED, reason[:500], staff_id, now)
        record(staff_id, "revoke_certificate", "certificate", [certificate.id], reason=reason[:500],
               changes={"citizen_id": certificate.citizen_id, "round_id": certificate.round_id})
    return certificate


def reissue_certificate(certificate_id: int, staff_id: int, reason: str, issuer: str, now: datetime) -> Certificate:
    """A new code for the same facts (e.g. a lost or misprinted paper); the old one shows "replaced" (audited)."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise CertificateError(REASON_NEEDED, "reason")
    with write_transaction():
        old = _open_certificate(certificate_id)
        _close(old, Certificate.REPLACED, reason[:500], staff_id, now)
        db.session.flush()
        new = Certificate(code=new_code(), kind=old.kind, round_id=old.round_id, issuer=issuer, issued_at=now,
                          citizen_id=old.citizen_id, commune_code=old.commune_code, score=old.score,
                          max_score=old.max_score, prize=old.prize, prize_rank=old.prize_rank)
        db.session.add(new)
        db.session.flush()
        old.replaced_by_id = new.id
        record(staff_id, "reissue_certificate", "certificate", [old.id, new.id], reason=reason[:500],
               changes={"citizen_id": old.citizen_id, "round_id": old.round_id})
    return new


def _open_certificate(certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        raise CertificateError(NOT_FOUND)
    if not certificate.is_valid:
        raise CertificateError(ALREADY_CLOSED)
    return certificate


@dataclass(frozen=True)
class CertificateOffer:
    """What a citizen may get for a round: a completion certificate if passed, a prize one if a winner."""

    round_id: int
    passed: bool
    holds_completion: bool  # a valid certificate of completion was issued already
    prize_tier: str | None
    holds_prize: bool


def offers_for(citizen_id: int, rounds: list[Round], now: datetime) -> dict[int, CertificateOffer]:
    """The citizen's offer per round (rounds without a pass are left out)."""
    passed, held = _passed_and_held(citizen_id, [r.id for r in rounds])
    offers = {}
    for round_ in rounds:
        if round_.id not in passed:
            continue
        tier = None
        if winners_published(round_, now):
            tier = next((w.tier for w in round_winners(round_) if w.citizen_id == citizen_id), None)
        offers[round_.id] = CertificateOffer(round_.id, True, (round_.id, Certificate.COMPLETION) in held,
                                             tier, (round_.id, Certificate.PRIZE) in held)
    return offers


def _passed_and_held(citizen_id: int, round_ids: list[int]) -> tuple[set[int], set[tuple[int, str]]]:
    """The rounds among `round_ids` the citizen passed, and the (round, kind) of their valid certificates there."""
    rows = execute_core(_PASSED_AND_HELD, {"citizen_id": citizen_id, "round_ids": round_ids})
    passed, held = set(), set()
    for round_id, kind in rows:
        passed.add(round_id)
        if kind is not None:
            held.add((round_id, kind))
    return passed, held


# Built once (every result page runs it): one row per passed round and valid certificate held there.
_PASSED_AND_HELD = (
    select(BestResult.round_id, Certificate.kind)
    .outerjoin(Certificate, and_(Certificate.citizen_id == BestResult.citizen_id,
                                 Certificate.round_id == BestResult.round_id, Certificate.status == Certificate.VALID))
    .where(BestResult.citizen_id == bindparam("citizen_id"), BestResult.passed.is_(True),
           BestResult.round_id.in_(bindparam("round_ids", expanding=True)),
           ~exists().where(Disqualification.round_id == BestResult.round_id,  # no offer the issue would refuse
                           Disqualification.citizen_id == BestResult.citizen_id, Disqualification.lifted_at.is_(None))))
