"""Prizes of a period (organizer): tiers, compute and freeze, recompute with a reason, publish, spreadsheets."""
import io

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from admin import bp
from admin.access import organizer_required
from quiz.contest.prizes import (
    TierDraft,
    compute_winners,
    current_computation,
    publish_winners,
    recompute_winners,
    set_tiers,
    tiers_of,
    winners_list,
    write_prize_sheet,
)
from quiz.errors import DomainError
from quiz.infra.clock import utcnow
from quiz.infra.converters import bounded_int
from quiz.infra.extensions import db
from quiz.models import Round

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _round(round_id: int) -> Round:
    return db.session.get(Round, round_id) or abort(404)


@bp.get("/dot-thi/<int:round_id>/giai-thuong")
@organizer_required
def prizes_view(round_id: int):  # type: ignore[no-untyped-def]
    """The period's tiers, the state of its winners (frozen, appeal window, published) and the list."""
    return _prizes_page(_round(round_id))


def _prizes_page(round_: Round, **typed: str) -> str:
    return render_template("admin/rounds/prizes.html", round=round_, tiers=tiers_of(round_.id),
                           computation=current_computation(round_.id), winners=winners_list(round_.id), now=utcnow(),
                           **typed)


def _tiers_from_form() -> list[TierDraft]:
    """Lines "name | count | reward" from the textarea."""
    drafts = []
    for line in request.form.get("tiers", "").splitlines():
        parts = [part.strip() for part in line.split("|")]
        if not parts[0]:
            continue
        try:
            count = bounded_int(parts[1] if len(parts) > 1 else "", 0, 100_000)
        except ValueError:  # "²" passes str.isdigit() and then fails int()
            raise DomainError(f"Dòng “{line.strip()}”: số lượng giải phải là số nguyên.", "tiers") from None
        drafts.append(TierDraft(parts[0], count, parts[2] if len(parts) > 2 else ""))
    return drafts


@bp.post("/dot-thi/<int:round_id>/giai-thuong/co-cau")
@organizer_required
def prizes_tiers(round_id: int):  # type: ignore[no-untyped-def]
    """Save the tiers; refused, the page comes back with the lines as typed (a redirect lost them)."""
    round_ = _round(round_id)
    try:
        set_tiers(round_id, _tiers_from_form(), current_user.id)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _prizes_page(round_, typed_tiers=request.form.get("tiers", ""))
    flash("Đã lưu cơ cấu giải.", "success")
    return redirect(url_for("admin.prizes_view", round_id=round_id))


@bp.post("/dot-thi/<int:round_id>/giai-thuong/chot")
@organizer_required
def prizes_compute(round_id: int):  # type: ignore[no-untyped-def]
    """The button: compute and freeze the winners; with a reason, an audited recomputation."""
    _round(round_id)
    reason, seed = request.form.get("reason", "").strip(), request.form.get("seed", "").strip() or None
    if request.form.get("recompute") == "1":
        action = lambda: recompute_winners(round_id, utcnow(), current_user.id, reason, seed)  # noqa: E731
    else:
        action = lambda: compute_winners(round_id, utcnow(), current_user.id, seed)  # noqa: E731
    return _act(round_id, action, "Đã tính và chốt danh sách đạt giải.")


@bp.post("/dot-thi/<int:round_id>/giai-thuong/cong-bo")
@organizer_required
def prizes_publish(round_id: int):  # type: ignore[no-untyped-def]
    _round(round_id)
    return _act(round_id, lambda: publish_winners(round_id, utcnow(), current_user.id), "Đã công bố danh sách đạt giải.")


def _act(round_id: int, action, done: str):  # type: ignore[no-untyped-def]
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(done, "success")
    return redirect(url_for("admin.prizes_view", round_id=round_id))


@bp.get("/dot-thi/<int:round_id>/giai-thuong/xet-giai.xlsx")
@organizer_required
def prizes_sheet(round_id: int):  # type: ignore[no-untyped-def]
    """Every ranked citizen with every criterion, eligibility and prize (masked names)."""
    round_ = _round(round_id)
    buffer = io.BytesIO()
    write_prize_sheet(round_, buffer)
    return Response(buffer.getvalue(), mimetype=XLSX,
                    headers={"Content-Disposition": f"attachment; filename=xet-giai-dot-{round_id}.xlsx"})
