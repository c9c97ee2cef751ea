"""Prizes of a period: tiers, computing and freezing the winners, recomputation (audited), publication.

Winners are computed once, at the period's close, and frozen in `winners`: later data changes
never move them. A recomputation is an explicit act with a reason; it keeps the previous list in
the computation's history and in the audit log. Publication waits for the appeal window.
"""
import math
import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update

from quiz.audit import record
from quiz.contest.eligibility import Eligibility, conditions_of, eligibility, extra_columns
from quiz.contest.prize_rules import Award, Candidate, assign, prize_slots
from quiz.contest.ranking import RankingRow, frozen_rows, is_frozen, ranking_rows
from quiz.errors import DomainError, NotFound
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.infra.pseudonyms import phone_key
from quiz.infra.public_names import masked_name
from quiz.models import BestResult, Citizen, Commune, FrozenPlace, PrizeComputation, PrizeTier, Round, Winner


class PrizeError(DomainError):
    """A prize action is not possible now (Vietnamese message)."""


@dataclass(frozen=True)
class TierDraft:
    name: str
    count: int
    reward: str = ""


def set_tiers(round_id: int, tiers: list[TierDraft], staff_id: int | None) -> None:
    """Replace the period's prize tiers (best first); a tier a frozen winner holds cannot be removed."""
    if not 1 <= len(tiers) <= 10 or any(not t.name.strip() or not 1 <= t.count <= 100_000 for t in tiers):
        raise PrizeError("Mỗi giải cần tên và số lượng từ 1 đến 100.000 (tối đa 10 giải).", "tiers")
    with write_transaction():
        existing = {t.position: t for t in db.session.scalars(select(PrizeTier).where(PrizeTier.round_id == round_id))}
        held = set(db.session.scalars(select(Winner.tier_id).where(Winner.round_id == round_id).distinct()))
        for position, tier in existing.items():
            if position > len(tiers):
                if tier.id in held:
                    raise PrizeError("Giải này đã có người nhận: hãy tính lại danh sách trước khi bỏ giải.", "tiers")
                db.session.delete(tier)
        db.session.flush()
        for position, draft in enumerate(tiers, start=1):
            row = existing.get(position) or PrizeTier(round_id=round_id, position=position)
            row.name, row.count, row.reward = draft.name.strip(), draft.count, draft.reward.strip()
            db.session.add(row)
        record(staff_id, "set_prize_tiers", "round", [round_id], {"tiers": [[t.name, t.count] for t in tiers]})


def tiers_of(round_id: int) -> list[PrizeTier]:
    return list(db.session.scalars(select(PrizeTier).where(PrizeTier.round_id == round_id).order_by(PrizeTier.position)))


def current_computation(round_id: int) -> PrizeComputation | None:
    """The computation whose winners stand (the latest, not superseded)."""
    return db.session.scalar(select(PrizeComputation).where(PrizeComputation.round_id == round_id,
                                                            PrizeComputation.superseded_at.is_(None)))


def all_correct_count(round_id: int) -> int:
    """How many citizens' counting attempts answered every question correctly."""
    stmt = select(func.count(BestResult.id)).where(BestResult.round_id == round_id, BestResult.percent >= 100)
    return db.session.scalar(stmt) or 0


def compute_winners(round_id: int, now: datetime, staff_id: int | None, seed: str | None = None) -> PrizeComputation:
    """Compute and freeze the period's winners (once; a second time needs `recompute_winners`)."""
    if current_computation(round_id) is not None:
        raise PrizeError(ALREADY_FROZEN)
    return _compute(round_id, now, staff_id, seed, reason="", replaces=None)


def recompute_winners(round_id: int, now: datetime, staff_id: int | None, reason: str,
                      seed: str | None = None) -> PrizeComputation:
    """An explicit, audited recomputation: the previous list is kept in the history."""
    if len((reason or "").strip()) < 10:
        raise PrizeError("Tính lại danh sách đạt giải cần lý do (ít nhất 10 ký tự).", "reason")
    standing = current_computation(round_id)
    if standing is None:
        raise PrizeError("Đợt này chưa có danh sách đạt giải để tính lại.")
    return _compute(round_id, now, staff_id, seed, reason.strip(), replaces=standing.number)


ALREADY_FROZEN = "Danh sách đạt giải của đợt này đã được chốt. Muốn tính lại, hãy ghi rõ lý do."
CHANGED_MEANWHILE = "Danh sách đạt giải vừa được tính lại ở nơi khác. Vui lòng tải lại trang để xem danh sách hiện hành."


@dataclass
class _Outcome:
    awards: list[Award]
    participants: int
    eligible: int
    seed: str | None
    places: list[tuple]  # the ranking as frozen (FrozenPlace rows, PLACE_COLUMNS order)


def _compute(round_id: int, now: datetime, staff_id: int | None, seed: str | None, reason: str,
             replaces: int | None) -> PrizeComputation:
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise PrizeError("Không tìm thấy đợt thi này.")
    if now < round_.closes_at:
        raise PrizeError("Đợt thi chưa kết thúc: chỉ tính giải sau khi đợt thi đóng.")
    tiers = tiers_of(round_id)
    if not tiers:
        raise PrizeError("Đợt thi chưa có cơ cấu giải.")
    if round_.prediction_kind == "all_correct":
        # the true answer, known only now; the stored rank keys are not rewritten for it (seconds at a
        # million attempts): from the freeze on, every ranking read is the frozen one (ranking.is_frozen)
        round_.prediction_answer = all_correct_count(round_id)
    outcome = _awards(round_, tiers, seed)
    db.session.commit()  # the computed prediction answer; the freeze itself is one write transaction
    return _freeze(round_id, tiers, outcome, now, staff_id, reason, replaces)


def _awards(round_: Round, tiers: list[PrizeTier], seed: str | None) -> _Outcome:
    participants = db.session.scalar(select(func.count(BestResult.id)).where(BestResult.round_id == round_.id)) or 0
    cap = math.floor(participants * round_.prize_percent_cap / 100) if round_.prize_percent_cap else None
    slots = prize_slots([t.count for t in tiers], cap)
    places: list[tuple] = []
    groups, eligible = _eligible_groups(round_, _won_elsewhere(round_), places)
    if round_.prize_tie_rule == "draw":
        seed = seed or secrets.token_hex(8)
    rng = random.Random(seed) if seed else None
    return _Outcome(assign(groups, slots, round_.prize_tie_rule, rng), participants, eligible, seed, places)


def _won_elsewhere(round_: Round) -> dict[str, int]:
    """Prizes each person (person_key) holds in the contest's other periods (for the per-person cap)."""
    if round_.contest.max_prizes_per_citizen is None:
        return {}
    stmt = (select(Winner.citizen_id, Winner.phone_key, Citizen.phone).join(Round, Round.id == Winner.round_id)
            .join(Citizen, Citizen.id == Winner.citizen_id)
            .where(Round.contest_id == round_.contest_id, Round.id != round_.id))
    won: dict[str, int] = {}
    for citizen_id, stored_key, phone in db.session.execute(stmt):
        key = stored_key or person_key(citizen_id, phone)
        won[key] = won.get(key, 0) + 1
    return won


def person_key(citizen_id: int, phone: str | None) -> str:
    """One person across registrations: their phone's pseudonym, or the registration for a phoneless row."""
    return phone_key(phone) if phone else f"citizen:{citizen_id}"


# the ranked person's phone, read with the ranking (no dict of every participant's key): hashed only when the
# result is eligible and the contest caps prizes per person
_RANKED_PHONE = select(Citizen.phone).where(Citizen.id == BestResult.citizen_id).correlate(BestResult).scalar_subquery()


def keep_winner_keys_before_deletion(citizen_id: int) -> None:
    """Write the phone's pseudonym into the citizen's prizes before the phone is erased."""
    phone = db.session.scalar(select(Citizen.phone).where(Citizen.id == citizen_id))
    if phone:
        db.session.execute(update(Winner).where(Winner.citizen_id == citizen_id, Winner.phone_key.is_(None))
                           .values(phone_key=phone_key(phone)), execution_options={"synchronize_session": False})


def _eligible_groups(round_: Round, won: dict[str, int], places: list[tuple]) -> tuple[list[list[Candidate]], int]:
    """The eligible results in order, one list per shared place; every ranked line goes into `places`."""
    limit = round_.contest.max_prizes_per_citizen
    conditions = conditions_of(round_)
    groups: list[list[Candidate]] = []
    eligible, last_place = 0, None
    for position, row in enumerate(ranking_rows(round_, (*extra_columns(), _RANKED_PHONE), with_names=False), start=1):
        verdict = eligibility(row, conditions)
        if (verdict.eligible and limit is not None and won
                and won.get(person_key(row.result.citizen_id, row.extra[-1]), 0) >= limit):
            verdict = Eligibility(False, "đã nhận đủ số giải của cuộc thi")
        places.append(_place_line(round_.id, position, row, verdict))
        if not verdict.eligible:
            continue
        eligible += 1
        if row.place != last_place:
            groups.append([])
            last_place = row.place
        groups[-1].append(Candidate(row.result.citizen_id, row.place))
    return groups, eligible


def _place_line(round_id: int, position: int, row: RankingRow, verdict: Eligibility) -> tuple:
    """A line of the frozen ranking, in PLACE_COLUMNS order."""
    result = row.result
    return (round_id, position, row.place, row.shared, result.citizen_id, result.attempt_id, result.score,
            result.duration_seconds, result.prediction, result.submitted_at, result.started_at,
            result.attempts_used, row.passed, verdict.eligible, verdict.reason)


PLACE_COLUMNS = ("round_id", "position", "place", "shared", "citizen_id", "attempt_id", "score", "duration_seconds",
                 "prediction", "submitted_at", "started_at", "attempts_used", "passed", "eligible", "reason")


def _insert_places(places: list[tuple]) -> None:
    """Write the frozen ranking through the driver (COPY on PostgreSQL): SQLAlchemy's per-row parameter
    processing would cost more than the whole computation at a million attempts."""
    if not places:
        return
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        assert driver is not None  # a live psycopg connection inside the write transaction
        cursor = driver.cursor()
        with cursor.copy(f"COPY frozen_places ({', '.join(PLACE_COLUMNS)}) FROM STDIN") as copy:
            for line in places:
                copy.write_row(line)
        return
    stored = lambda value: value.isoformat(" ", "microseconds") if value is not None else None  # noqa: E731  SQLAlchemy's form
    sql = f"INSERT INTO frozen_places ({', '.join(PLACE_COLUMNS)}) VALUES ({', '.join('?' * len(PLACE_COLUMNS))})"
    connection.exec_driver_sql(sql, [(*line[:9], stored(line[9]), stored(line[10]), *line[11:]) for line in places])


def _freeze(round_id: int, tiers: list[PrizeTier], outcome: _Outcome, now: datetime, staff_id: int | None,
            reason: str, replaces: int | None) -> PrizeComputation:
    """Store the outcome, if the standing computation is still the one the request started from (`replaces`,
    None for the first): of simultaneous requests, the round's lock lets one freeze and refuses the rest."""
    with write_transaction():
        round_ = db.session.get(Round, round_id, with_for_update={"key_share": True})  # not the rows that refer to it
        if round_ is None:
            raise NotFound("Không tìm thấy đợt thi này.")
        previous = current_computation(round_id)
        if (previous.number if previous else None) != replaces:
            raise PrizeError(ALREADY_FROZEN if replaces is None else CHANGED_MEANWHILE)
        number = 1
        if previous is not None:
            previous.superseded_at, number = now, previous.number + 1
            previous.previous_winners = [[w.citizen_id, w.tier.position, w.rank, w.share] for w in _winner_rows(round_id)]
            db.session.execute(delete(Winner).where(Winner.round_id == round_id))
            db.session.execute(delete(FrozenPlace).where(FrozenPlace.round_id == round_id))
            db.session.flush()
        _insert_places(outcome.places)
        computation = PrizeComputation(
            round_id=round_id, number=number, computed_at=now, computed_by_id=staff_id, reason=reason,
            tie_rule=round_.prize_tie_rule, seed=outcome.seed, chain=list(round_.tiebreak_chain),
            participants=outcome.participants, eligible=outcome.eligible, prediction_answer=round_.prediction_answer,
            appeal_ends_at=now + timedelta(days=round_.appeal_days))
        db.session.add(computation)
        db.session.flush()
        keys = {citizen_id: phone_key(phone) for citizen_id, phone in db.session.execute(  # a few dozen winners
            select(Citizen.id, Citizen.phone).where(Citizen.id.in_([a.citizen_id for a in outcome.awards]),
                                                    Citizen.phone.is_not(None)))}
        db.session.add_all(Winner(round_id=round_id, citizen_id=a.citizen_id, computation_id=computation.id,
                                  tier_id=tiers[a.tier_index].id, tier_name=tiers[a.tier_index].name, rank=a.place,
                                  share=a.share, note=a.note, frozen_at=now, phone_key=keys.get(a.citizen_id))
                           for a in outcome.awards)
        record(staff_id, "recompute_winners" if previous else "compute_winners", "round", [round_id],
               {"computation": number, "winners": len(outcome.awards), "seed": outcome.seed,
                "previous": previous.number if previous else None}, reason)
    return computation


def _winner_rows(round_id: int) -> list[Winner]:
    stmt = select(Winner).where(Winner.round_id == round_id).order_by(Winner.rank, Winner.citizen_id)
    return list(db.session.scalars(stmt))


def publish_winners(round_id: int, now: datetime, staff_id: int | None) -> PrizeComputation:
    """Publish the frozen list once the appeal window has passed (audited)."""
    computation = current_computation(round_id)
    if computation is None:
        raise PrizeError("Đợt này chưa có danh sách đạt giải.")
    if now < computation.appeal_ends_at:
        raise PrizeError("Đang trong thời gian nhận khiếu nại: chỉ công bố sau khi hết thời gian này.")
    with write_transaction():
        computation = db.session.get(PrizeComputation, computation.id)
        if computation is None:  # removed since it was read above
            raise PrizeError("Đợt này chưa có danh sách đạt giải.")
        computation.published_at = computation.published_at or now
        record(staff_id, "publish_winners", "round", [round_id], {"computation": computation.number})
    return computation


@dataclass(frozen=True)
class WinnerLine:
    """A line of the winners list as published: masked name and commune, never a phone."""

    tier_position: int
    tier_name: str
    reward: str
    rank: int
    masked_name: str
    commune_name: str
    share: float
    note: str


def winners_list(round_id: int, published_only: bool = False) -> list[WinnerLine]:
    """The frozen winners, best prize first (published ones only, if asked)."""
    computation = current_computation(round_id)
    if computation is None or (published_only and computation.published_at is None):
        return []
    stmt = (select(PrizeTier.position, Winner.tier_name, PrizeTier.reward, Winner.rank, Citizen.full_name, Commune.name,
                   Winner.share, Winner.note)
            .join(PrizeTier, PrizeTier.id == Winner.tier_id).join(Citizen, Citizen.id == Winner.citizen_id)
            .join(Commune, Commune.code == Citizen.commune_code)
            .where(Winner.round_id == round_id).order_by(PrizeTier.position, Winner.rank, Winner.citizen_id))
    return [WinnerLine(pos, tier, reward, rank, masked_name(name), commune, share, note)
            for pos, tier, reward, rank, name, commune, share, note in db.session.execute(stmt)]


def prize_sheet_rows(round_: Round) -> Iterator[tuple[RankingRow, list]]:
    """Every ranked result with its eligibility and frozen prize, for the checking spreadsheet."""
    frozen = {citizen: (tier, share) for citizen, tier, share in db.session.execute(
        select(Winner.citizen_id, Winner.tier_name, Winner.share).where(Winner.round_id == round_.id))}
    if is_frozen(round_.id):  # exactly the order and verdicts the winners were chosen from
        for row in frozen_rows(round_.id):
            tier, share = frozen.get(row.result.citizen_id, ("", ""))
            yield row, [row.extra[0], row.extra[1], tier, share]
        return
    conditions = conditions_of(round_)
    for row in ranking_rows(round_, extra_columns()):
        verdict = eligibility(row, conditions)
        yield row, [verdict.eligible, verdict.reason, "", ""]


def write_prize_sheet(round_: Round, target) -> int:
    """The checking spreadsheet: every ranked citizen (masked names), every criterion, eligibility and prize."""
    from quiz.contest.ranking_export import write_ranking
    computation = current_computation(round_.id)
    title = f"Kết quả xét giải – {round_.name}"
    if computation is not None:
        title += f" (chốt lần {computation.number})"
    return write_ranking(target, prize_sheet_rows(round_), round_.prediction_answer, round_.tiebreak_chain, title,
                         masked=True, with_prizes=True)
