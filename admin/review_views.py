"""The organizers' review queue of a round (integrity flags, disqualify, requalify) and in-person phone checks."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from admin import bp
from admin.access import citizen_for_staff, organizer_required
from quiz.contest.integrity import KINDS, scan_round
from quiz.contest.review import Exclusion, disqualify, flagged_results, requalify
from quiz.errors import DomainError
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import Round
from quiz.people.phone_codes import verify_in_person


@bp.get("/dot-thi/<int:round_id>/kiem-tra")
@organizer_required
def round_review(round_id: int, error: str | None = None, status: int = 200) -> ResponseReturnValue:
    round_ = db.session.get(Round, round_id) or abort(404)
    scan_round(round_.id, utcnow())
    return render_template("admin/rounds/review.html", round=round_, results=flagged_results(round_.id),
                           kinds=KINDS, error=error), status


@bp.post("/dot-thi/<int:round_id>/kiem-tra/<int:citizen_id>/<any(loai, 'khoi-phuc'):action>")
@organizer_required
def round_review_decide(round_id: int, citizen_id: int, action: str) -> ResponseReturnValue:
    round_ = db.session.get(Round, round_id) or abort(404)
    decide = disqualify if action == "loai" else requalify
    try:
        outcome = decide(round_.id, citizen_for_staff(current_user, citizen_id).id, request.form.get("reason", ""),
                         current_user.id, utcnow())
    except DomainError as problem:
        return round_review(round_.id, error=problem.message, status=200)
    flash(exclusion_message(outcome) if isinstance(outcome, Exclusion) else "Đã khôi phục kết quả.", "success")
    return redirect(url_for("admin.round_review", round_id=round_.id))


def exclusion_message(outcome: Exclusion) -> str:
    said = "Đã loại kết quả khỏi xếp hạng"
    if outcome.revoked:
        said += f" và thu hồi {outcome.revoked} giấy chứng nhận của đợt này"
    if outcome.frozen_winner:
        return (said + ". Người này có trong danh sách đạt giải đã chốt: danh sách chỉ thay đổi khi tính lại giải "
                "(trang Giải thưởng, nút “Tính lại”, ghi lý do), khi đó giải chuyển cho người kế tiếp.")
    return said + "; không còn được xét giải."


@bp.post("/nguoi-du-thi/<int:citizen_id>/xac-minh-sdt")
def verify_citizen_phone(citizen_id: int) -> ResponseReturnValue:
    """A commune admin (or organizer) checked the citizen's phone in person; another commune's citizen is a 404."""
    citizen = citizen_for_staff(current_user, citizen_id)
    verify_in_person(citizen.id, current_user.id, utcnow())
    flash(f"Đã ghi nhận xác minh trực tiếp số điện thoại của người dự thi mã {citizen.id}.", "success")
    return redirect(url_for("admin.participant_list"))
