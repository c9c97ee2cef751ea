"""The contest's rules in plain Vietnamese, generated from a round's settings (the "Thể lệ" page)."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from quiz.contest.grading import pass_count
from quiz.infra.extensions import db
from quiz.models import Round


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


def rule_lines(round_: Round, grace_seconds: int) -> list[RuleLine]:
    """The rules a citizen must know, each from one setting of the round."""
    minutes = round_.time_limit_seconds // 60
    lines = [
        RuleLine("Đối tượng", "Mọi người dân đang sinh sống tại các xã, phường, đặc khu của thành phố. "
                              "Người dưới 16 tuổi cần cha, mẹ hoặc người giám hộ đồng ý khi đăng ký."),
        RuleLine("Bài thi", f"Mỗi lượt có {round_.question_count} câu hỏi trắc nghiệm, rút ngẫu nhiên từ ngân hàng "
                            "câu hỏi; thứ tự các phương án được xáo trộn. Câu có nhiều đáp án đúng chỉ được tính "
                            "điểm khi chọn đúng và đủ."),
        RuleLine("Thời gian", f"{minutes} phút cho mỗi lượt, tính từ lúc bấm “Bắt đầu làm bài”. Hết giờ, bài được "
                              f"nộp tự động; câu trả lời đến máy chủ quá {grace_seconds} giây sau giờ hết hạn "
                              "không được tính."),
        RuleLine("Số lượt thi", f"Tối đa {round_.attempts_allowed} lượt; lượt có điểm cao nhất được tính "
                                "(bằng điểm thì lượt làm nhanh hơn được tính)."),
        RuleLine("Đạt yêu cầu", f"Trả lời đúng từ {round_.pass_percent}% số câu trở lên "
                                f"({pass_count(round_.question_count, round_.pass_percent)}/{round_.question_count} câu)."),
        RuleLine("Đáp án", "Đáp án đúng được công bố ngay sau khi nộp bài."
                 if round_.reveal_answers == Round.REVEAL_AFTER_SUBMIT
                 else "Đáp án đúng được công bố sau khi đợt thi kết thúc."),
    ]
    if round_.prediction_question:
        lines.append(RuleLine("Câu hỏi dự đoán", f"{round_.prediction_question} Câu dự đoán không tính vào điểm; "
                                                 "nó dùng để xếp hạng những người dự thi bằng điểm và bằng thời gian."))
    lines.append(RuleLine("Xếp hạng", "Điểm cao hơn xếp trước; bằng điểm thì thời gian làm bài ngắn hơn xếp trước"
                          + ("; tiếp đến là dự đoán gần đúng hơn" if round_.prediction_question else "")
                          + "; sau cùng là thời điểm nộp bài sớm hơn."))
    return lines
