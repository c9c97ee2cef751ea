"""Contests (organizer): settings, the communes' collective ranking per period and overall, the referral ranking."""
import io
from collections.abc import Mapping

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from admin import bp
from admin.access import organizer_required
from quiz.contest.commune_prizes import CommuneScore, commune_standings, contest_score
from quiz.contest.contests import update_contest
from quiz.contest.ranking_export import write_standings
from quiz.contest.standings import STANDING_RULE, all_contest_standings, contest_standings
from quiz.errors import DomainError
from quiz.infra.converters import db_id
from quiz.infra.extensions import db
from quiz.models import Contest, Round
from quiz.people.referrals import referral_ranking
from quiz.reports.commune_ranking import contest_periods, ranking_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _number(name: str) -> float:
    text = request.form.get(name, "").strip().replace(",", ".")
    try:
        return float(text) if text else 0.0
    except ValueError:
        raise DomainError("Hệ số phải là một số.", name) from None


def _prize_points() -> dict[int, float]:
    """"1:10, 2:7" → {1: 10.0, 2: 7.0}."""
    points = {}
    for part in request.form.get("prize_points", "").replace(";", ",").split(","):
        position, _, value = part.partition(":")
        if position.strip():
            if not position.strip().isdigit():
                raise DomainError("Điểm giải cá nhân viết dạng 1:10, 2:7 (giải thứ mấy: số điểm).", "prize_points")
            points[int(position)] = float(value.strip().replace(",", ".") or 0)
    return points


@bp.route("/cuoc-thi/<int:contest_id>", methods=["GET", "POST"])
@organizer_required
def contest_view(contest_id: int):  # type: ignore[no-untyped-def]
    """The contest's settings and its communes' unit scores (a period with ?dot=, else the whole contest)."""
    contest = db.session.get(Contest, contest_id) or abort(404)
    if request.method == "POST":
        try:
            cap = request.form.get("max_prizes_per_citizen", "").strip()
            score = CommuneScore(_number("participation_rate"), _number("completions"), _number("pass_rate"), _prize_points())
            update_contest(contest_id, request.form.get("name", ""), request.form.get("description", ""),
                           int(cap) if cap.isdigit() else None, score, current_user.id)
            flash("Đã lưu cuộc thi.", "success")
        except (DomainError, ValueError) as error:
            db.session.rollback()
            flash(getattr(error, "message", "Giá trị không hợp lệ."), "error")
            return _standings_page(contest, typed=request.form)  # as typed, not the stored values
        return redirect(url_for("admin.contest_view", contest_id=contest_id))
    return _standings_page(contest)


def _standings_page(contest: Contest, typed: Mapping[str, str] | None = None):  # type: ignore[no-untyped-def]
    province = current_app.config["PROVINCE_CODE"]
    if request.args.get("xuat") == "ca-nhan":
        buffer = io.BytesIO()
        write_standings(buffer, all_contest_standings(contest.id), f"Xếp hạng cá nhân cả cuộc thi – {contest.name}")
        return Response(buffer.getvalue(), mimetype=XLSX, headers={
            "Content-Disposition": f"attachment; filename=ca-nhan-cuoc-thi-{contest.id}.xlsx"})
    if request.args.get("xuat") == "xlsx":
        return Response(ranking_xlsx(contest, province), mimetype=XLSX,
                        headers={"Content-Disposition": f"attachment; filename=don-vi-cuoc-thi-{contest.id}.xlsx"})
    rounds = contest_periods(contest.id)
    period = request.args.get("dot", type=db_id)
    round_ids = [period] if period in {r.id for r in rounds} else [r.id for r in rounds]
    score = contest_score(contest)
    return render_template("admin/contest.html", contest=contest, rounds=rounds, period=period, score=score, typed=typed,
                           rows=commune_standings(round_ids, score, province), formula=score.describe(),
                           people=contest_standings(contest.id, 20), standing_rule=STANDING_RULE)


@bp.get("/lan-toa")
@organizer_required
def referral_ranking_view():  # type: ignore[no-untyped-def]
    """Citizens by registrations through their share link (masked names), for a "giải lan tỏa"."""
    round_id = request.args.get("dot", type=db_id)
    rounds = db.session.scalars(select(Round).order_by(Round.opens_at.desc())).all()
    return render_template("admin/referrals.html", rows=referral_ranking(100, round_id), rounds=rounds, round_id=round_id)
