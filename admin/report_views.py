"""Report downloads for organizers (as of one cut-off, recorded) and the public per-commune feed for the digital map."""
import hashlib
import json
import threading
from datetime import datetime, timedelta

from flask import Response, abort, current_app, request
from flask_login import current_user

from admin import bp
from admin.access import organizer_required
from admin.dashboard_views import selected_round
from quiz import tallies
from quiz.contest.overdue import close_overdue
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db, limiter
from quiz.infra.replica import replica_reads
from quiz.models import Round
from quiz.people.communes import place_name
from quiz.reports.cutoff import CutOffError, parse_cut_off
from quiz.reports.daily import daily_until
from quiz.reports.dashboard import CommuneRow, commune_rows
from quiz.reports.exports import (
    appendix_csv,
    appendix_xlsx,
    file_stamp,
    public_feed,
    public_feed_csv,
)
from quiz.reports.issued import issue_report, issued_report
from quiz.reports.ranking import fewest_participants, most_participants
from quiz.reports.score_scale import ScoreScale, score_scale
from quiz.tallies.figures import FiguresView, city_totals, figures_from_database
from quiz.web.hooks import format_datetime_vn
from quiz.web.rate_limits import FEED_CUT_OFFS_PER_IP, client_ip

REPORT_SWEEP_LIMIT = 20_000  # about 7 s at most, on this machine
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIMETYPES = {"xlsx": XLSX, "csv": "text/csv; charset=utf-8"}


def cut_off_arg(value: str | None) -> datetime | None:
    """A time typed as Vietnam time (either form parse_cut_off reads), as UTC; 400 when unreadable."""
    try:
        return parse_cut_off(value)
    except CutOffError:
        abort(400)


def rows_as_of(round_id: int | None, cut_off: datetime | None) -> tuple[list[CommuneRow], datetime]:
    """The commune table from the live tallies, or from the database as of a cut-off."""
    province = current_app.config["PROVINCE_CODE"]
    if cut_off is None:
        view = tallies.read_commune_figures(round_id)
    else:
        grace = timedelta(seconds=current_app.config["SUBMIT_GRACE_SECONDS"])
        # attempts due by the cut-off count as the sweep grades them (bounded: this path is public; cron keeps up)
        close_overdue(min(utcnow(), cut_off + grace), grace, limit=REPORT_SWEEP_LIMIT)
        with replica_reads(db.engine):  # the replica once it holds every commit up to now (≥ the cut-off)
            view = FiguresView(by_commune=figures_from_database(province, round_id, cut_off), as_of=cut_off)
    return commune_rows(view, province), view.as_of


def scale_for(round_: Round | None) -> ScoreScale:
    return ScoreScale(score_scale(), round_.question_count if round_ else None)


def report_figures(rows: list[CommuneRow], scale: ScoreScale) -> dict:
    """What an issued report said, kept beside its bytes."""
    t = city_totals(r.figures for r in rows)
    return {"registered": t.registered, "completed": t.completed, "attempts": t.attempts, "passed": t.passed,
            "communes": len(rows), "communes_taking_part": sum(1 for r in rows if r.figures.registered),
            "average_score": scale.scaled(t.average_score), "score_scale": scale.scale,
            "top": [r.code for r in most_participants(rows).rows],
            "bottom": [r.code for r in fewest_participants(rows).rows]}


def _refusal(error: CutOffError) -> Response:
    return Response(error.message, status=400, mimetype="text/plain; charset=utf-8")


def attachment(body: bytes, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={filename}"})


@bp.get("/bao-cao/phu-luc.<fmt>")
@organizer_required
def appendix(fmt: str):  # type: ignore[no-untyped-def]
    """The appendix as of `?den=` (recorded, with its per-day sheet), or live."""
    if fmt not in MIMETYPES:
        abort(404)
    try:
        cut_off = parse_cut_off(request.args.get("den"))
    except CutOffError as error:
        return _refusal(error)
    round_ = selected_round()
    rows, as_of = rows_as_of(round_.id if round_ else None, cut_off)
    scale = scale_for(round_)
    if fmt == "xlsx":
        title = f"Kết quả cuộc thi {current_app.config['CONTEST_TITLE']}" + (f" – {round_.name}" if round_ else "")
        body = appendix_xlsx(rows, title, as_of, scale, daily_until(round_.id if round_ else None, as_of),
                             issuer=current_app.config["ORGANIZER_NAME"],
                             place=place_name(current_app.config["PROVINCE_CODE"]))
    else:
        body = appendix_csv(rows, scale).encode("utf-8")
    filename = f"phu-luc-{file_stamp(as_of)}.{fmt}"
    if cut_off is not None:
        issue_report(f"appendix_{fmt}", round_.id if round_ else None, cut_off, current_user.id, filename,
                     MIMETYPES[fmt], body, report_figures(rows, scale), utcnow())
    return attachment(body, MIMETYPES[fmt], filename)


@bp.get("/bao-cao/da-lap/<int:report_id>")
@organizer_required
def issued_report_download(report_id: int):  # type: ignore[no-untyped-def]
    """An issued report again, byte for byte as it was first sent."""
    issued = issued_report(report_id) or abort(404)
    return attachment(issued.body, issued.mimetype, issued.filename)


# one aggregate as of a cut-off at a time in each worker for the anonymous feed: the per-address limit alone let
# a few addresses keep every worker and the database busy (seconds each at millions of registrations)
_PUBLIC_CUT_OFFS = threading.BoundedSemaphore(1)


def _feed(cut_off: datetime | None) -> tuple[list[dict], str]:
    round_ = selected_round()
    if cut_off is None:
        rows, as_of = rows_as_of(round_.id if round_ else None, None)
    elif _PUBLIC_CUT_OFFS.acquire(blocking=False):
        try:
            rows, as_of = rows_as_of(round_.id if round_ else None, cut_off)
        finally:
            _PUBLIC_CUT_OFFS.release()
    else:
        abort(Response(json.dumps({"error": FEED_BUSY}, ensure_ascii=False), 503, mimetype="application/json",
                       headers={"Retry-After": "5"}))
    return public_feed(rows), format_datetime_vn(as_of, "yyyy-MM-dd'T'HH:mm:ssxxx")


FEED_BUSY = "Hệ thống đang tính số liệu theo một thời điểm chốt khác. Vui lòng thử lại sau ít giây."


def _cacheable(body: str, mimetype: str, feed: list[dict], cut_off: datetime | None) -> Response:
    """Public caching; the ETag covers the figures only (weak: the updated-at stamp moves every read)."""
    response = Response(body, mimetype=mimetype)
    figures = json.dumps(feed, sort_keys=True, ensure_ascii=False)
    response.set_etag(hashlib.sha256(f"{mimetype}\n{figures}".encode()).hexdigest()[:32], weak=True)
    response.cache_control.public = True
    response.cache_control.max_age = 3600 if cut_off is not None and cut_off < utcnow() else 300
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response.make_conditional(request)


def _live_feed() -> bool:
    """The live feed is cheap (the tallies) and cached; one as of a cut-off is an aggregate over the database."""
    return not (request.args.get("den") or "").strip()


# one allowance for both formats: each is the same aggregate
_feed_limit = limiter.shared_limit(FEED_CUT_OFFS_PER_IP, scope="public_feed", key_func=client_ip, exempt_when=_live_feed)


@bp.get("/cong-khai/so-lieu.json")
@_feed_limit
def public_feed_json():  # type: ignore[no-untyped-def]
    try:
        cut_off = parse_cut_off(request.args.get("den"))
    except CutOffError as error:
        return _refusal(error)
    feed, updated = _feed(cut_off)
    body = json.dumps({"cap_nhat": updated, "xa": feed}, ensure_ascii=False)
    return _cacheable(body, "application/json", feed, cut_off)


@bp.get("/cong-khai/so-lieu.csv")
@_feed_limit
def public_feed_csv_view():  # type: ignore[no-untyped-def]
    try:
        cut_off = parse_cut_off(request.args.get("den"))
    except CutOffError as error:
        return _refusal(error)
    feed, updated = _feed(cut_off)
    return _cacheable(public_feed_csv(feed, updated), "text/csv; charset=utf-8", feed, cut_off)
