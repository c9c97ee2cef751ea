"""The reports page: one cut-off for everything on it, the quick report, the per-day table, issued reports."""
from datetime import datetime

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from admin import bp
from admin.access import organizer_required
from admin.dashboard_views import selected_round
from admin.forms import ReasonForm
from admin.report_views import XLSX, attachment, report_figures, rows_as_of, scale_for
from quiz.audit import require_reason
from quiz.errors import ValidationError
from quiz.infra.clock import utcnow
from quiz.infra.converters import db_count
from quiz.infra.extensions import db
from quiz.models import Round
from quiz.people.communes import province_entry
from quiz.reports.cutoff import EXAMPLE, CutOffError, cut_off_text, parse_cut_off
from quiz.reports.daily import daily_until
from quiz.reports.exports import day_label, export_unmasked_participants, file_stamp
from quiz.reports.issued import KIND_LABELS, issue_report, issued_reports
from quiz.reports.letter import LETTER, LIST, LetterOptions, quick_report
from quiz.reports.score_scale import SCORE_SCALES, set_score_scale


def _page(typed: str, cut_off: datetime | None, error: str | None = None, report: str | None = None,
          status: int = 200):  # type: ignore[no-untyped-def]
    round_ = selected_round()
    as_of = cut_off or utcnow()
    daily = [] if error else daily_until(round_.id if round_ else None, as_of)
    labels = [day_label(row, as_of, index == len(daily) - 1) for index, row in enumerate(daily)]
    den = cut_off_text(cut_off) if cut_off else ""
    return render_template("admin/reports.html", round=round_, typed=typed, den=den, cut_off=cut_off,
                           as_of=as_of, daily=list(zip(labels, daily)), issued=issued_reports(),
                           kinds=KIND_LABELS, scales=SCORE_SCALES, scale=scale_for(round_), error=error,
                           report=report, example=EXAMPLE, forms=(LETTER, LIST),
                           form=request.values.get("mau", LETTER),
                           with_counts=bool(request.values.get("so_lieu"))), status


@bp.get("/bao-cao")
@organizer_required
def reports():  # type: ignore[no-untyped-def]
    typed = request.args.get("den", "")
    try:
        return _page(typed, parse_cut_off(typed))
    except CutOffError as error:
        return _page(typed, None, error=error.message, status=400)


def letter_options(round_: Round | None) -> LetterOptions:
    """The organizer's choices on the form and the contest facts the letter names."""
    launched = db.session.scalar(select(func.min(Round.opens_at)))
    return LetterOptions(form=LIST if request.form.get("mau") == LIST else LETTER,
                         with_counts=bool(request.form.get("so_lieu")),
                         city_name=province_entry(current_app.config["PROVINCE_CODE"])["name"],
                         launched_on=launched, scale=scale_for(round_))


@bp.post("/bao-cao/nhanh")
@organizer_required
def quick_report_view():  # type: ignore[no-untyped-def]
    """The quick report as of the page's cut-off (now when empty), recorded as issued."""
    typed = request.form.get("den") or request.form.get("cut_off") or ""
    try:
        cut_off = parse_cut_off(typed) or utcnow().replace(second=0, microsecond=0)
    except CutOffError as error:
        return _page(typed, None, error=error.message, status=400)
    round_ = selected_round()
    rows, _ = rows_as_of(round_.id if round_ else None, cut_off)
    text = quick_report(rows, cut_off, letter_options(round_))
    issue_report("quick", round_.id if round_ else None, cut_off, current_user.id,
                 f"bao-cao-nhanh-{file_stamp(cut_off)}.txt", "text/plain; charset=utf-8", text.encode("utf-8"),
                 report_figures(rows, scale_for(round_)), utcnow())
    return _page(typed, cut_off, report=text)


@bp.post("/bao-cao/thang-diem")
@organizer_required
def report_score_scale():  # type: ignore[no-untyped-def]
    """The scale averages are stated on in every report: 20, 10 or 100 points."""
    try:
        set_score_scale(request.form.get("scale", type=db_count) or 0, current_user.id)
        flash("Đã lưu thang điểm dùng trong báo cáo.", "success")
    except ValueError:
        flash("Vui lòng chọn thang điểm 20, 10 hoặc 100.", "error")
    return redirect(url_for("admin.reports", round=request.args.get("round")))


@bp.post("/bao-cao/nguoi-du-thi.xlsx")
@organizer_required
def export_participants():  # type: ignore[no-untyped-def]
    """Full phone numbers: organizers only, with a reason, recorded in the audit log."""
    round_ = selected_round()
    try:
        reason = require_reason(ReasonForm().reason.data or "", "xuất danh sách có số điện thoại đầy đủ")
    except ValidationError as error:
        flash(error.message, "error")
        return redirect(url_for("admin.reports"))
    body = export_unmasked_participants(current_user.id, round_.id if round_ else None, reason)
    return attachment(body, XLSX, f"nguoi-du-thi-{file_stamp(utcnow())}.xlsx")
