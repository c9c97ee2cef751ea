"""The rules page (thể lệ): every setting of a period in plain Vietnamese sentences.

`rules_sentences(round)` is what the rules page shows (template partial `quiz/_rules.html`);
each setting is said once here, so the page and the engine cannot drift apart.
"""
from sqlalchemy import select

from quiz.clock import to_local
from quiz.eligibility import requires_verified_phone
from quiz.extensions import db
from quiz.models import PrizeTier, Round, Topic
from quiz.tiebreak import describe_chain

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


def _when(moment) -> str:  # type: ignore[no-untyped-def]
    local = to_local(moment)
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


def _draw_sentence(round_: Round) -> str:
    if not round_.topic_quotas:
        return f"Mỗi bài thi có {round_.question_count} câu hỏi trắc nghiệm, rút ngẫu nhiên từ ngân hàng câu hỏi; thứ tự câu và đáp án được xáo trộn."
    names = dict(db.session.execute(select(Topic.id, Topic.name)).all())
    parts = ", ".join(f"{names.get(int(topic_id), topic_id)}: {count} câu" for topic_id, count in round_.topic_quotas.items())
    return f"Mỗi bài thi có {round_.question_count} câu hỏi trắc nghiệm, rút ngẫu nhiên theo chủ đề ({parts}); thứ tự câu và đáp án được xáo trộn."


def _attempt_sentences(round_: Round) -> list[str]:
    counting = ("Kết quả tốt nhất trong các lượt (điểm cao hơn, bằng điểm thì làm nhanh hơn) được tính."
                if round_.counting == "best" else "Chỉ bài làm đầu tiên được tính điểm; các lượt sau để luyện tập.")
    return [f"Thời gian làm mỗi bài: {round_.time_limit_seconds // 60} phút, tính theo đồng hồ của máy chủ.",
            f"Mỗi người được thi tối đa {round_.attempts_allowed} lượt {ALLOWANCE[round_.allowance_period]}.",
            counting,
            f"Bài thi đạt khi trả lời đúng từ {round_.pass_percent}% số câu trở lên.",
            "Đáp án đúng và giải thích được công bố " + (
                "ngay sau khi nộp bài." if round_.reveal_answers == Round.REVEAL_AFTER_SUBMIT
                else "sau khi đợt thi kết thúc.")]


def _prediction_sentences(round_: Round) -> list[str]:
    if not round_.prediction_question:
        return []
    answer = ("Đáp án được tính tự động khi đợt thi kết thúc: số người có bài tính điểm đúng tất cả các câu, "
              "và được công bố cùng danh sách đạt giải." if round_.prediction_kind == "all_correct"
              else "Đáp án do Ban Tổ chức công bố sau khi đợt thi kết thúc.")
    return [f"Câu hỏi dự đoán: “{round_.prediction_question}” (trả lời bằng một số nguyên). {answer}"]


def _ranking_sentence(round_: Round) -> str:
    steps = "; ".join(f"{n}) {text}" for n, text in enumerate(describe_chain(round_.tiebreak_chain), start=1))
    return (f"Xếp hạng lần lượt theo: {steps}. Tiêu chí sau chỉ dùng khi mọi tiêu chí trước bằng nhau; "
            "những người bằng nhau ở mọi tiêu chí thì đồng hạng.")


def _prize_sentences(round_: Round) -> list[str]:
    tiers = db.session.scalars(select(PrizeTier).where(PrizeTier.round_id == round_.id).order_by(PrizeTier.position)).all()
    if not tiers:
        return ["Cơ cấu giải sẽ được Ban Tổ chức công bố."]
    listed = ", ".join(f"{t.count} {t.name.lower()}" + (f" ({t.reward})" if t.reward else "") for t in tiers)
    sentences = [f"Cơ cấu giải của đợt: {listed}."]
    conditions = ["không vi phạm thể lệ"]
    if round_.prize_requires_pass:
        conditions.insert(0, "có bài thi đạt")
    if requires_verified_phone(round_):
        conditions.append("đã xác thực số điện thoại")
    sentences.append(f"Được xét giải khi: {', '.join(conditions)}; giải trao theo thứ tự xếp hạng.")
    if round_.prize_percent_cap:
        sentences.append(f"Tổng số giải không vượt quá {round_.prize_percent_cap}% số người dự thi của đợt.")
    if round_.contest.max_prizes_per_citizen:
        sentences.append(f"Mỗi người nhận tối đa {round_.contest.max_prizes_per_citizen} giải trong cả cuộc thi "
                         f"“{round_.contest.name}”.")
    sentences.append(f"Nếu nhiều người đồng hạng mà số giải còn lại không đủ cho tất cả: {TIE_RULE[round_.prize_tie_rule]}.")
    sentences.append(f"Danh sách đạt giải được chốt sau khi đợt thi kết thúc và không tự thay đổi; Ban Tổ chức nhận "
                     f"khiếu nại trong {round_.appeal_days} ngày rồi mới công bố. Mọi lần tính lại đều được ghi lý do.")
    return sentences


def rules_sentences(round_: Round) -> list[str]:
    """Every setting of the period, in order, as sentences for the rules page."""
    return [f"Đợt “{round_.name}” thuộc cuộc thi “{round_.contest.name}”.",
            f"Thời gian: từ {_when(round_.opens_at)} đến {_when(round_.closes_at)} (giờ Việt Nam).",
            _draw_sentence(round_), *_attempt_sentences(round_), *_prediction_sentences(round_),
            _ranking_sentence(round_), *_prize_sentences(round_),
            "Phần “Thi thử” không giới hạn lượt, chấm và xem đáp án ngay, không tính vào kết quả, xếp hạng hay số liệu."]
