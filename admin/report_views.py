"""Report downloads for organizers and the public per-commune feed for the digital map."""
import hashlib
import json
from datetime import datetime, timedelta

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from admin import bp
from admin.access import organizer_required
from admin.dashboard_views import selected_round
from admin.forms import ReasonForm
from quiz import tallies
from quiz.audit import require_reason
from quiz.contest.overdue import close_overdue
from quiz.errors import ValidationError
from quiz.infra.clock import local_to_utc, utcnow
from quiz.infra.extensions import db
from quiz.infra.replica import replica_reads
from quiz.reports.dashboard import commune_rows
from quiz.reports.exports import (
    appendix_csv,
    appendix_xlsx,
    export_unmasked_participants,
    public_feed,
    public_feed_csv,
    quick_report,
)
from quiz.tallies.figures import FiguresView, figures_from_database
from quiz.web.hooks import format_datetime_vn

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def cut_off_arg(value: str | None) -> datetime | None:
    """A cut-off typed as Vietnam time (YYYY-MM-DDTHH:MM from a datetime-local field), as UTC."""
    if not value:
        return None
    try:
        return local_to_utc(datetime.strptime(value[:16], "%Y-%m-%dT%H:%M"))
    except ValueError:
        abort(400)


def rows_as_of(round_id: int | None, cut_off: datetime | None):  # type: ignore[no-untyped-def]
    """The commune table from the live tallies, or from the database as of a cut-off."""
    province = current_app.config["PROVINCE_CODE"]
    if cut_off is None:
        view = tallies.read_commune_figures(round_id)
    else:
        grace = timedelta(seconds=current_app.config["SUBMIT_GRACE_SECONDS"])
        close_overdue(min(utcnow(), cut_off + grace), grace)  # attempts due by the cut-off count as the sweep grades them
        with replica_reads(db.engine):  # the replica once it holds every commit up to now (≥ the cut-off)
            view = FiguresView(by_commune=figures_from_database(province, round_id, cut_off), as_of=cut_off)
    return commune_rows(view, province), view.as_of


@bp.get("/bao-cao")
@organizer_required
def reports():  # type: ignore[no-untyped-def]
    return render_template("admin/reports.html", round=selected_round(), report=None, cut_off="")


@bp.post("/bao-cao/nhanh")
@organizer_required
def quick_report_view():  # type: ignore[no-untyped-def]
    round_ = selected_round()
    cut_off = cut_off_arg(request.form.get("cut_off")) or utcnow()
    rows, _ = rows_as_of(round_.id if round_ else None, cut_off)
    return render_template("admin/reports.html", round=round_, report=quick_report(rows, cut_off),
                           cut_off=request.form.get("cut_off", ""))


@bp.get("/bao-cao/phu-luc.<fmt>")
@organizer_required
def appendix(fmt: str):  # type: ignore[no-untyped-def]
    round_ = selected_round()
    rows, as_of = rows_as_of(round_.id if round_ else None, cut_off_arg(request.args.get("den")))
    stamp = f"{as_of:%Y%m%d-%H%M}"
    if fmt == "xlsx":
        title = f"Kết quả cuộc thi {current_app.config['CONTEST_TITLE']}" + (f" – {round_.name}" if round_ else "")
        body, mimetype = appendix_xlsx(rows, title, as_of), XLSX
    elif fmt == "csv":
        body, mimetype = appendix_csv(rows).encode("utf-8"), "text/csv; charset=utf-8"
    else:
        abort(404)
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename=phu-luc-{stamp}.{fmt}"})


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
    return Response(body, mimetype=XLSX,
                    headers={"Content-Disposition": f"attachment; filename=nguoi-du-thi-{utcnow():%Y%m%d-%H%M}.xlsx"})


def _feed() -> tuple[list[dict], str]:
    round_ = selected_round()
    rows, as_of = rows_as_of(round_.id if round_ else None, None)
    return public_feed(rows), format_datetime_vn(as_of, "yyyy-MM-dd'T'HH:mm:ssxxx")


def _cacheable(body: str, mimetype: str, feed: list[dict]) -> Response:
    """Public caching; the ETag covers the figures only (weak: the updated-at stamp moves every read)."""
    response = Response(body, mimetype=mimetype)
    figures = json.dumps(feed, sort_keys=True, ensure_ascii=False)
    response.set_etag(hashlib.sha256(f"{mimetype}\n{figures}".encode()).hexdigest()[:32], weak=True)
    response.cache_control.public = True
    response.cache_control.max_age = 300
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response.make_conditional(request)


@bp.get("/cong-khai/so-lieu.json")
def public_feed_json():  # type: ignore[no-untyped-def]
    feed, updated = _feed()
    body = json.dumps({"cap_nhat": updated, "xa": feed}, ensure_ascii=False)
    return _cacheable(body, "application/json", feed)


@bp.get("/cong-khai/so-lieu.csv")
def public_feed_csv_view():  # type: ignore[no-untyped-def]
    feed, updated = _feed()
    return _cacheable(public_feed_csv(feed, updated), "text/csv; charset=utf-8", feed)
