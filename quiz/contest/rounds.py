"""Contest rounds: their rules, validated; a round with attempts keeps its draw and grading rules."""
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from quiz.audit import record
from quiz.contest.contest_rules import validate_period_rules
from quiz.contest.ranking import refresh_round_rank_keys
from quiz.contest.tiebreak import DEFAULT_CHAIN, validate_chain
from quiz.errors import DomainError
from quiz.infra.clock import SANE_YEARS
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.infra.text import clean_text
from quiz.models import Attempt, Contest, Question, Round, Topic

# Once a round has attempts only these may change: the closing time and the texts (and, after the
# round, the prediction's true answer). Everything else decides how attempts were drawn or graded.
EDITABLE_ONCE_USED = ("closes_at", "name", "description", "prediction_question", "prediction_answer",
                      "prediction_kind", "prize_requires_pass", "prize_percent_cap", "prize_tie_rule", "appeal_days",
                      "min_seconds_per_question", "verified_phone_for_prizes",
                      "stagger_groups", "stagger_minutes")
PREDICTION_LIMIT = 10**15  # bounds and true answer; a distance stays far below BIGINT and ranking.NO_PREDICTION


class RoundError(DomainError):
    """A round's settings break a rule."""


@dataclass
class RoundDraft:
    """A round's settings as an organizer entered them (times already in UTC)."""

    name: str
    opens_at: datetime
    closes_at: datetime
    question_count: int = 20
    topic_quotas: dict | None = None
    time_limit_seconds: int = 1200
    attempts_allowed: int = 3
    pass_percent: int = 80
    reveal_answers: str = Round.REVEAL_AFTER_CLOSE
    description: str = ""
    prediction_question: str | None = None
    prediction_answer: int | None = None
    contest_id: int | None = None  # None: a new contest of this period alone
    allowance_period: str = "round"
    counting: str = "best"
    tiebreak_chain: list = field(default_factory=lambda: list(DEFAULT_CHAIN))
    prediction_kind: str = "free"
    prize_requires_pass: bool = True
    prize_percent_cap: int | None = None
    prize_tie_rule: str = "all"
    appeal_days: int = 3
    prediction_min: int = 0
    prediction_max: int = 10_000_000
    min_seconds_per_question: int = 3
    verified_phone_for_prizes: bool = False
    stagger_groups: int = 1
    stagger_minutes: int = 0


def has_attempts(round_id: int) -> bool:
    """Whether any citizen has started an attempt in the round (its rules are then fixed)."""
    return bool(db.session.scalar(select(Attempt.id).where(Attempt.round_id == round_id).limit(1)))


def validate_round(draft: RoundDraft, check_bank: bool = True) -> RoundDraft:
    """Check every rule with a Vietnamese message naming the field (the bank only when the draw rules change)."""
    draft.name = clean_text(draft.name)
    if not 2 <= len(draft.name) <= 200:
        raise RoundError("Vui lòng đặt tên đợt thi (2–200 ký tự).", "name")
    if draft.opens_at.year not in SANE_YEARS or draft.closes_at.year not in SANE_YEARS:
        raise RoundError("Thời điểm mở và đóng phải trong các năm 2000–2100.", "opens_at")
    if draft.closes_at <= draft.opens_at:
        raise RoundError("Thời điểm đóng phải sau thời điểm mở.", "closes_at")
    if not 1 <= draft.question_count <= 100:
        raise RoundError("Số câu hỏi phải từ 1 đến 100.", "question_count")
    if not 60 <= draft.time_limit_seconds <= 4 * 3600:
        raise RoundError("Thời gian làm bài phải từ 1 phút đến 4 giờ.", "time_limit_seconds")
    if not 1 <= draft.attempts_allowed <= 20:
        raise RoundError("Số lượt thi phải từ 1 đến 20.", "attempts_allowed")
    if not 0 <= draft.pass_percent <= 100:
        raise RoundError("Điểm đạt phải từ 0 đến 100%.", "pass_percent")
    if draft.reveal_answers not in (Round.REVEAL_AFTER_SUBMIT, Round.REVEAL_AFTER_CLOSE):
        raise RoundError("Cách công bố đáp án không hợp lệ.", "reveal_answers")
    _check_prediction_bounds(draft)
    if not 0 <= draft.min_seconds_per_question <= 600:
        raise RoundError("Số giây tối thiểu cho mỗi câu phải từ 0 đến 600.", "min_seconds_per_question")
    validate_period_rules(draft.allowance_period, draft.counting, draft.prediction_kind, draft.prize_tie_rule,
                          draft.prize_percent_cap, draft.appeal_days)
    draft.tiebreak_chain = validate_chain(draft.tiebreak_chain)
    if draft.contest_id is not None and db.session.get(Contest, draft.contest_id) is None:
        raise RoundError("Không tìm thấy cuộc thi này.", "contest_id")
    if not 1 <= draft.stagger_groups <= 50:
        raise RoundError("Số nhóm xã mở lệch giờ phải từ 1 đến 50.", "stagger_groups")
    if not 0 <= draft.stagger_minutes <= 24 * 60:
        raise RoundError("Khoảng cách giữa các nhóm phải từ 0 đến 1.440 phút.", "stagger_minutes")
    if check_bank:
        _check_quotas(draft)
    elif draft.topic_quotas:
        draft.topic_quotas = {str(k): int(v) for k, v in draft.topic_quotas.items() if int(v) > 0}
    draft.description = (draft.description or "").strip()
    if len(draft.description) > 2000:
        raise RoundError("Mô tả dài tối đa 2.000 ký tự.", "description")
    draft.prediction_question = clean_text(draft.prediction_question) or None
    return draft


def _check_prediction_bounds(draft: RoundDraft) -> None:
    for name in ("prediction_min", "prediction_max", "prediction_answer"):
        value = getattr(draft, name)
        if value is not None and abs(value) > PREDICTION_LIMIT:
            raise RoundError("Số của câu dự đoán quá lớn (tối đa một triệu tỷ).", name)
    if draft.prediction_min > draft.prediction_max:
        raise RoundError("Giới hạn dưới của câu dự đoán phải không lớn hơn giới hạn trên.", "prediction_max")
    answer = draft.prediction_answer
    if answer is not None and not draft.prediction_min <= answer <= draft.prediction_max:
        raise RoundError("Đáp án câu dự đoán phải nằm trong giới hạn đã đặt cho câu hỏi.", "prediction_answer")


def _check_quotas(draft: RoundDraft) -> None:
    available = dict(db.session.execute(select(Question.topic_id, func.count(Question.id))
                                        .where(Question.active.is_(True)).group_by(Question.topic_id)).tuples().all())
    if draft.topic_quotas:
        quotas = {str(k): int(v) for k, v in draft.topic_quotas.items() if int(v) > 0}
        if sum(quotas.values()) != draft.question_count:
            raise RoundError("Tổng số câu theo chủ đề phải bằng số câu hỏi của đợt.", "topic_quotas")
        for topic_id, count in quotas.items():
            if available.get(int(topic_id), 0) < count:
                topic = db.session.get(Topic, int(topic_id))
                raise RoundError(f"Chủ đề “{topic.name if topic else topic_id}” chỉ có {available.get(int(topic_id), 0)}"
                                 f" câu đang dùng, không đủ {count} câu.", "topic_quotas")
        draft.topic_quotas = quotas
    elif sum(available.values()) < draft.question_count:
        raise RoundError(f"Ngân hàng chỉ có {sum(available.values())} câu đang dùng, không đủ {draft.question_count} câu.",
                         "question_count")


def create_round(draft: RoundDraft, staff_id: int) -> Round:
    """Create a round after validation (audited)."""
    draft = validate_round(draft)
    with write_transaction():
        round_ = Round(**{f.name: getattr(draft, f.name) for f in fields(draft)})
        db.session.add(round_)
        db.session.flush()
        record(staff_id, "create_round", "round", [round_.id], _settings(round_))
    return round_


def _settings(round_: Round) -> dict:
    return {f.name: str(getattr(round_, f.name)) for f in fields(RoundDraft)}


def update_round(round_id: int, draft: RoundDraft, staff_id: int, confirmed: bool = False) -> Round:
    """Edit a round; once it has attempts only its closing time and texts may change (with confirmation)."""
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise RoundError("Không tìm thấy đợt thi này.")
    used = has_attempts(round_id)
    if draft.contest_id is None:
        draft.contest_id = round_.contest_id
    for name in ("opens_at", "closes_at"):  # the form has minute precision: the same minute is no change
        if abs(getattr(draft, name) - getattr(round_, name)) < timedelta(minutes=1):
            setattr(draft, name, getattr(round_, name))
    draft = validate_round(draft, check_bank=not used)  # a used round's draw is fixed: the bank is not re-checked
    changes = {f.name: [str(getattr(round_, f.name)), str(getattr(draft, f.name))] for f in fields(draft)
               if getattr(round_, f.name) != getattr(draft, f.name)}
    if used:
        frozen = [name for name in changes if name not in EDITABLE_ONCE_USED]
        if frozen:
            raise RoundError("Đợt thi đã có bài làm: không được đổi cách rút đề, thời gian làm bài, số lượt, điểm đạt "
                             "hay cách chấm; chỉ được đổi thời điểm đóng và các nội dung chữ.", frozen[0])
        if changes and not confirmed:
            raise RoundError("Đợt thi đã có bài làm. Hãy đánh dấu xác nhận để lưu thay đổi.", "confirm")
    with write_transaction():
        round_ = db.session.get(Round, round_id)
        if round_ is None:  # removed since it was read above
            raise RoundError("Không tìm thấy đợt thi này.")
        for name in changes:
            setattr(round_, name, getattr(draft, name))
        if "closes_at" in changes:
            _cap_running_attempts(round_id, draft.closes_at)
        if {"prediction_answer", "tiebreak_chain"} & changes.keys():
            refresh_round_rank_keys(round_)
        record(staff_id, "update_round", "round", [round_id], changes)
    return round_



def _cap_running_attempts(round_id: int, closes_at: datetime) -> None:
    """A close moved earlier ends the running attempts at the new close too (the close is a hard wall)."""
    db.session.execute(update(Attempt).where(Attempt.round_id == round_id, Attempt.submitted_at.is_(None),
                                             Attempt.deadline_at > closes_at).values(deadline_at=closes_at),
                       execution_options={"synchronize_session": False})
