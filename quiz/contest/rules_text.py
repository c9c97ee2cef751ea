"""The contest's rules in plain Vietnamese, generated from a round's settings (the "Thể lệ" page).

`rule_lines(round, grace)` is what the page shows: every setting of the period is said once here, so the page
and the engine cannot drift apart; the organizer's own text (`Round.description`) follows it on the page.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from quiz.contest.commune_prizes import contest_score
from quiz.contest.eligibility import requires_verified_phone
from quiz.contest.grading import pass_count
from quiz.contest.standings import STANDING_RULE
from quiz.contest.tiebreak import describe_chain
from quiz.infra.clock import to_local
from quiz.infra.extensions import db
from quiz.models import PrizeTier, Round, Topic

ALLOWANCE = {
    "round": "trong cả đợt thi",
    "day": "mỗi ngày (tính theo giờ Việt Nam, lượt mới có từ 00:00)",
    "week": "mỗi tuần (từ 00:00 thứ Hai đến hết Chủ nhật, giờ Việt Nam)",
}
TIE_RULE = {
    "all": "tất cả những người đồng hạng đều nhận giải đó",
    "split": "giá trị các giải còn lại được chia đều cho những người đồng hạng",
    "draw": "Ban Tổ chức bốc thăm bằng máy với hạt giống được ghi lại và công bố cùng danh sách, để ai cũng kiểm tra được",
}
ELIGIBLE = ("Mọi người dân đang sinh sống tại các xã, phường, đặc khu của thành phố. "
            "Người dưới 16 tuổi cần cha, mẹ hoặc người giám hộ đồng ý khi đăng ký.")
ONE_PHONE = "Số lượt tính theo số điện thoại: xóa tài khoản rồi đăng ký lại bằng cùng số không có thêm lượt."
PRACTICE = ("Phần “Thi thử” không giới hạn lượt, có cùng số câu và thời gian như bài thi của đợt đang mở, chấm và "
            "xem đáp án ngay, không tính vào kết quả, xếp hạng hay số liệu.")


@dataclass(frozen=True)
class RuleLine:
    """One rule: a short heading and its sentence."""

    heading: str
    text: str


def round_for_rules(now: datetime) -> Round | None:
    """The open round; else the next one to open; else the last one that closed."""
    open_or_next = (select(Round).where(Round.closes_at > now)
                    .order_by((Round.opens_at > now).asc(), Round.opens_at.desc()).limit(1))
    return db.session.scalar(open_or_next) or db.session.scalar(
        select(Round).order_by(Round.closes_at.desc()).limit(1))


def _when(moment: datetime) -> str:
    local = to_local(moment)
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


def _period(round_: Round) -> str:
    named = round_.name if round_.name.lower().startswith(PERIOD_WORDS) else f"Đợt “{round_.name}”"
    part = f" thuộc cuộc thi “{round_.contest.name}”" if round_.contest.name != round_.name else ""
    return f"{named}{part}, từ {_when(round_.opens_at)} đến {_when(round_.closes_at)} (giờ Việt Nam)."


PERIOD_WORDS = ("đợt", "tuần", "vòng", "tháng")  # a name that says it is a period: "Đợt 1", not "Đợt “Đợt 1”"


def _draw(round_: Round) -> str:
    shuffled = ("; thứ tự câu và đáp án được xáo trộn. Câu có nhiều đáp án đúng chỉ được tính điểm khi chọn "
                "đúng và đủ.")
    if not round_.topic_quotas:
        return f"Mỗi bài thi có {round_.question_count} câu hỏi trắc nghiệm, rút ngẫu nhiên từ ngân hàng câu hỏi{shuffled}"
    names = dict(db.session.execute(select(Topic.id, Topic.name)).tuples().all())
    parts = ", ".join(f"{names.get(int(topic_id), topic_id)}: {count} câu" for topic_id, count in round_.topic_quotas.items())
    return (f"Mỗi bài thi có {round_.question_count} câu hỏi trắc nghiệm, rút ngẫu nhiên theo chủ đề "
            f"({parts}){shuffled}")


def _time(round_: Round, grace_seconds: int) -> str:
    return (f"{round_.time_limit_seconds // 60} phút cho mỗi lượt, tính từ lúc bấm “Bắt đầu làm bài” theo đồng hồ "
            f"của máy chủ. Hết giờ, bài được nộp tự động; câu trả lời đến máy chủ quá {grace_seconds} giây sau giờ "
            "hết hạn không được tính.")


def _attempts(round_: Round) -> str:
    counting = ("Kết quả tốt nhất trong các lượt (điểm cao hơn, bằng điểm thì làm nhanh hơn) được tính."
                if round_.counting == "best" else "Chỉ bài làm đầu tiên được tính điểm; các lượt sau để luyện tập.")
    return (f"Mỗi người được thi tối đa {round_.attempts_allowed} lượt {ALLOWANCE[round_.allowance_period]}. "
            f"{ONE_PHONE} {counting}")


def _prediction(round_: Round) -> list[RuleLine]:
    if not round_.prediction_question:
        return []
    answer = ("Đáp án được tính tự động khi đợt thi kết thúc: số người có bài tính điểm đúng tất cả các câu, "
              "và được công bố cùng danh sách đạt giải." if round_.prediction_kind == "all_correct"
              else "Đáp án do Ban Tổ chức công bố sau khi đợt thi kết thúc.")
    return [RuleLine("Câu hỏi dự đoán", f"“{round_.prediction_question}” (trả lời bằng một số nguyên). {answer} "
                                        "Câu dự đoán không tính vào điểm; nó chỉ dùng để xếp hạng.")]


def _ranking(round_: Round) -> str:
    steps = "; ".join(f"{n}) {text}" for n, text in enumerate(describe_chain(round_.tiebreak_chain), start=1))
    return (f"Xếp hạng lần lượt theo: {steps}. Tiêu chí sau chỉ dùng khi mọi tiêu chí trước bằng nhau; "
            "những người bằng nhau ở mọi tiêu chí thì đồng hạng.")


def _prize_conditions(round_: Round) -> list[str]:
    conditions = ["không vi phạm thể lệ"]
    if round_.prize_requires_pass:
        conditions.insert(0, "có bài thi đạt")
    if requires_verified_phone(round_):
        conditions.append("đã xác thực số điện thoại")
    sentences = [f"Được xét giải khi: {', '.join(conditions)}; giải trao theo thứ tự xếp hạng."]
    if round_.prize_percent_cap:
        sentences.append(f"Tổng số giải không vượt quá {round_.prize_percent_cap}% số người dự thi của đợt.")
    if round_.contest.max_prizes_per_citizen:
        sentences.append(f"Mỗi người nhận tối đa {round_.contest.max_prizes_per_citizen} giải trong cả cuộc thi "
                         f"“{round_.contest.name}”.")
    return sentences


def _prizes(round_: Round) -> str:
    tiers = db.session.scalars(select(PrizeTier).where(PrizeTier.round_id == round_.id).order_by(PrizeTier.position)).all()
    if not tiers:
        return "Cơ cấu giải sẽ được Ban Tổ chức công bố."
    listed = ", ".join(f"{t.count} {t.name.lower()}" + (f" ({t.reward})" if t.reward else "") for t in tiers)
    sentences = [f"Cơ cấu giải của đợt: {listed}.", *_prize_conditions(round_),
                 f"Nếu nhiều người đồng hạng mà số giải còn lại không đủ cho tất cả: {TIE_RULE[round_.prize_tie_rule]}.",
                 f"Danh sách đạt giải được chốt sau khi đợt thi kết thúc và không tự thay đổi; Ban Tổ chức nhận "
                 f"khiếu nại trong {round_.appeal_days} ngày rồi mới công bố. Mọi lần tính lại đều được ghi lý do."]
    return " ".join(sentences)


def _commune_prizes(round_: Round) -> str:
    return (f"Các xã, phường, đặc khu được xếp hạng theo điểm đơn vị, trong từng đợt và cả cuộc thi "
            f"“{round_.contest.name}”. {contest_score(round_.contest).describe()}. Bằng điểm thì đơn vị có nhiều "
            f"người tham gia hơn xếp trên.")


def rule_lines(round_: Round, grace_seconds: int) -> list[RuleLine]:
    """Every setting of the period, in order, each said once, for the rules page."""
    return [
        RuleLine("Đợt thi", _period(round_)),
        RuleLine("Đối tượng", ELIGIBLE),
        RuleLine("Bài thi", _draw(round_)),
        RuleLine("Thời gian", _time(round_, grace_seconds)),
        RuleLine("Số lượt thi", _attempts(round_)),
        RuleLine("Đạt yêu cầu", f"Trả lời đúng từ {round_.pass_percent}% số câu trở lên "
                                f"({pass_count(round_.question_count, round_.pass_percent)}/{round_.question_count} câu)."),
        RuleLine("Đáp án", "Đáp án đúng và giải thích được công bố " + (
            "ngay sau khi nộp bài." if round_.reveal_answers == Round.REVEAL_AFTER_SUBMIT
            else "sau khi đợt thi kết thúc.")),
        *_prediction(round_),
        RuleLine("Xếp hạng", _ranking(round_)),
        RuleLine("Thứ hạng cả cuộc thi", STANDING_RULE),
        RuleLine("Giải thưởng", _prizes(round_)),
        RuleLine("Giải tập thể", _commune_prizes(round_)),
        RuleLine("Thi thử", PRACTICE),
    ]
