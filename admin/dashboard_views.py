"""Dashboards: the organizer's all-communes view and a commune admin's own commune."""
from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from admin import bp
from admin.access import check_commune, organizer_required
from quiz import tallies
from quiz.contest.attempts import current_round
from quiz.infra.clock import utcnow
from quiz.infra.converters import db_id
from quiz.infra.extensions import db
from quiz.models import Commune, Round
from quiz.reports.commune_ranking import CommuneRanking, commune_ranking
from quiz.reports.dashboard import (
    commune_rows,
    rounds_newest_first,
    row_json,
    score_distribution,
    top_and_bottom,
    topic_correct_rates,
    totals_json,
)
from quiz.reports.issued import latest_cut_off
from quiz.web.hooks import format_datetime_vn


def selected_round() -> Round | None:
    """The round named in ?round=, else the open one, else the newest."""
    round_id = request.args.get("round", type=db_id)
    if round_id:
        return db.session.get(Round, round_id) or abort(404)
    return current_round(utcnow()) or next(iter(rounds_newest_first()), None)


@bp.get("/")
def index():  # type: ignore[no-untyped-def]
    if current_user.is_organizer:
        return redirect(url_for("admin.organizer_dashboard"))
    return redirect(url_for("admin.commune_dashboard"))


def organizer_payload(round_: Round | None) -> dict:
    view = tallies.read_commune_figures(round_.id if round_ else None)
    rows = commune_rows(view, current_app.config["PROVINCE_CODE"])
    top, bottom = top_and_bottom(rows)
    return {"as_of": format_datetime_vn(view.as_of, "HH:mm:ss dd/MM/yyyy"), "degraded": view.degraded,
            "totals": totals_json(view), "rows": [row_json(r) for r in rows],
            "top": [r.code for r in top], "bottom": [r.code for r in bottom],
            "daily": tallies.read_daily(round_.id if round_ else None)}


@bp.get("/tong-quan")
@organizer_required
def organizer_dashboard():  # type: ignore[no-untyped-def]
    round_ = selected_round()
    return render_template("admin/organizer_dashboard.html", round=round_, rounds=rounds_newest_first(),
                           data=organizer_payload(round_), last_cut_off=latest_cut_off(),
                           ranking=ranking_of(round_))


def ranking_of(round_: Round | None) -> CommuneRanking | None:
    """The communes' collective ranking of the shown period and its contest (not in the polled JSON: it is heavier)."""
    return commune_ranking(round_, current_app.config["PROVINCE_CODE"]) if round_ else None


@bp.get("/tong-quan.json")
@organizer_required
def organizer_dashboard_json():  # type: ignore[no-untyped-def]
    return organizer_payload(selected_round())


def selected_commune() -> Commune:
    """A commune admin's own commune; an organizer may look at any (?xa=code)."""
    code = current_user.commune_code if not current_user.is_organizer else request.args.get("xa", "")
    check_commune(current_user, code)
    return db.session.get(Commune, code) or abort(404)


def commune_payload(commune: Commune, round_: Round | None) -> dict:
    view = tallies.read_commune_figures(round_.id if round_ else None)
    rows = commune_rows(view, current_app.config["PROVINCE_CODE"])
    own = next(row for row in rows if row.code == commune.code)
    return {"as_of": format_datetime_vn(view.as_of, "HH:mm:ss dd/MM/yyyy"), "degraded": view.degraded,
            "figures": row_json(own), "rank": own.rank, "of": len(rows),
            "daily": tallies.read_daily(round_.id if round_ else None, commune.code)}


@bp.get("/xa-phuong")
def commune_dashboard():  # type: ignore[no-untyped-def]
    commune, round_ = selected_commune(), selected_round()
    distribution = score_distribution(round_.id, commune.code) if round_ else []
    topics = topic_correct_rates(round_.id, commune.code) if round_ else []
    ranking = ranking_of(round_)
    return render_template("admin/commune_dashboard.html", commune=commune, round=round_,
                           rounds=rounds_newest_first(), data=commune_payload(commune, round_),
                           distribution=distribution, topics=topics, last_cut_off=latest_cut_off(),
                           own_lines=ranking.own_lines(commune.code) if ranking else None)


@bp.get("/xa-phuong.json")
def commune_dashboard_json():  # type: ignore[no-untyped-def]
    return commune_payload(selected_commune(), selected_round())
