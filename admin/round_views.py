"""Rounds (đợt thi), their ranking, and question statistics: organizer pages."""
import io
from datetime import datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from admin import bp
from admin.access import organizer_required
from admin.forms import CAMPAIGN_RULES, RoundForm, first_error
from quiz.audit import record
from quiz.contest.question_stats import (
    commune_stats,
    question_stats,
    refresh_stats,
    refreshed_at,
    topic_stats,
)
from quiz.contest.ranking import is_frozen, round_ranking
from quiz.contest.ranking_export import write_ranking
from quiz.contest.rounds import RoundDraft, create_round, has_attempts, update_round
from quiz.contest.tiebreak import CRITERION_NAMES, DEFAULT_CHAIN, describe_chain
from quiz.errors import DomainError
from quiz.infra.clock import local_to_utc, to_local, utcnow
from quiz.infra.converters import bounded_int, db_id
from quiz.infra.extensions import db
from quiz.models import Commune, Contest, Round, Topic

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _draft(form: RoundForm, round_: Round | None) -> RoundDraft:
    """The form's settings as the domain's draft (times typed in Vietnam time, stored in UTC)."""
    return RoundDraft(
        name=form.name.data or "", opens_at=local_to_utc(form.opens_at.data), closes_at=local_to_utc(form.closes_at.data),
        question_count=form.question_count.data or 20, topic_quotas=form.quotas(request.form),
        time_limit_seconds=(form.time_limit_minutes.data or 20) * 60, attempts_allowed=form.attempts_allowed.data or 3,
        pass_percent=form.pass_percent.data if form.pass_percent.data is not None else 80,
        reveal_answers=form.reveal_answers.data, description=form.description.data or "",
        prediction_question=form.prediction_question.data, prediction_answer=form.prediction_answer.data,
        prediction_min=_or(form.prediction_min.data, 0), prediction_max=_or(form.prediction_max.data, 10_000_000),
        min_seconds_per_question=_or(form.min_seconds_per_question.data, 3),
        verified_phone_for_prizes=bool(form.verified_phone_for_prizes.data),
        stagger_groups=form.stagger_groups.data or 1, stagger_minutes=form.stagger_minutes.data or 0,
        **_campaign_rules(form, round_))



def _campaign_rules(form: RoundForm, round_: Round | None) -> dict:
    """The period's campaign settings; a setting the form does not carry keeps its value (or the default)."""
    current = round_ or RoundDraft(name="", opens_at=datetime.min, closes_at=datetime.min)
    rules = {name: form[name].data if form[name].raw_data else getattr(current, name) for name in CAMPAIGN_RULES}
    chain = form.chain()
    return {"contest_id": form.contest_id.data,
            "tiebreak_chain": chain if chain is not None else list(current.tiebreak_chain), **rules}


def _or(value: int | None, default: int) -> int:
    """An empty box takes the default (0 typed stays 0)."""
    return default if value is None else value


@bp.get("/dot-thi")
@organizer_required
def round_list():  # type: ignore[no-untyped-def]
    rounds = db.session.scalars(select(Round).order_by(Round.opens_at.desc())).all()
    return render_template("admin/rounds/list.html", rounds=rounds)


@bp.route("/dot-thi/moi", methods=["GET", "POST"], defaults={"round_id": None})
@bp.route("/dot-thi/<int:round_id>", methods=["GET", "POST"])
@organizer_required
def round_edit(round_id: int | None):  # type: ignore[no-untyped-def]
    round_ = db.session.get(Round, round_id) if round_id else None
    if round_id and round_ is None:
        abort(404)
    form, error = RoundForm(), None
    if form.validate_on_submit():
        try:
            round_ = _save_round(round_, _draft(form, round_), form.confirm.data)
        except DomainError as exc:
            error = exc.message
        else:
            flash("Đã lưu đợt thi.", "success")
            return redirect(url_for("admin.round_edit", round_id=round_.id))
    elif form.is_submitted():
        error = first_error(form)
    quota_ids = [int(k) for k in (round_.topic_quotas or {})] if round_ else []
    topics = db.session.scalars(select(Topic).where(Topic.retired_at.is_(None) | Topic.id.in_(quota_ids))
                                .order_by(Topic.name)).all()
    contests = db.session.scalars(select(Contest).order_by(Contest.created_at.desc())).all()
    return render_template("admin/rounds/edit.html", round=round_, error=error, topics=topics, form=request.form,
                           locked=bool(round_ and has_attempts(round_.id)), to_local=to_local, contests=contests,
                           criteria=CRITERION_NAMES, chain=round_.tiebreak_chain if round_ else DEFAULT_CHAIN)


def _save_round(round_: Round | None, draft: RoundDraft, confirmed: bool) -> Round:
    if round_ is None:
        return create_round(draft, current_user.id)
    update_round(round_.id, draft, current_user.id, confirmed=confirmed)
    return round_


@bp.get("/dot-thi/<int:round_id>/xep-hang")
@organizer_required
def round_ranking_view(round_id: int):  # type: ignore[no-untyped-def]
    round_ = db.session.get(Round, round_id) or abort(404)
    commune = request.args.get("xa") or None
    limit = request.args.get("top", 50, type=lambda v: bounded_int(v, 1, 1000))
    rows = round_ranking(round_, limit, commune)
    if request.args.get("xuat") == "xlsx":
        record(current_user.id, "export_ranking", "citizen", [row.result.citizen_id for row in rows],
               changes={"round_id": round_.id, "commune": commune, "rows": len(rows)})
        db.session.commit()
        return Response(_ranking_xlsx(round_, rows), mimetype=XLSX,
                        headers={"Content-Disposition": f"attachment; filename=xep-hang-dot-{round_.id}.xlsx"})
    communes = db.session.scalars(select(Commune).order_by(Commune.name)).all()
    return render_template("admin/rounds/ranking.html", round=round_, rows=rows, communes=communes,
                           commune=commune, limit=limit, chain=describe_chain(round_.tiebreak_chain),
                           frozen=is_frozen(round_.id), when=_seconds_vn)


def _seconds_vn(moment: datetime | None) -> str:
    """dd/mm/yyyy HH:MM:SS in Vietnam time (strftime: Babel's formatter costs 0.3 ms a cell on a 50-row page)."""
    return f"{to_local(moment):%d/%m/%Y %H:%M:%S}" if moment else ""


def _ranking_xlsx(round_: Round, rows) -> bytes:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    write_ranking(buffer, ((row, []) for row in rows), round_.prediction_answer, round_.tiebreak_chain, f"Xếp hạng – {round_.name}")
    return buffer.getvalue()


@bp.get("/thong-ke-cau-hoi")
@organizer_required
def question_stats_view():  # type: ignore[no-untyped-def]
    """Statistics of a round as of their last refresh (province, one commune, per topic, per commune)."""
    rounds = db.session.scalars(select(Round).order_by(Round.opens_at.desc())).all()
    round_id = request.args.get("round", type=db_id) or (rounds[0].id if rounds else None)
    commune = request.args.get("xa") or None
    stats = question_stats(round_id, commune) if round_id else []
    topics = topic_stats(round_id, commune) if round_id else []
    by_commune = commune_stats(round_id) if round_id and not commune else []
    communes = db.session.scalars(select(Commune).order_by(Commune.name)).all()
    return render_template("admin/questions/stats.html", stats=stats, topics=topics, rounds=rounds,
                           round_id=round_id, communes=communes, commune=commune, by_commune=by_commune,
                           refreshed=refreshed_at(round_id) if round_id else None)


@bp.post("/thong-ke-cau-hoi/tinh-lai")
@organizer_required
def question_stats_refresh():  # type: ignore[no-untyped-def]
    """Recompute a round's statistics now (the same as `flask questions stats-refresh`)."""
    round_ = db.session.get(Round, request.form.get("round", type=db_id) or 0) or abort(404)
    refresh_stats(round_.id, utcnow())
    flash("Đã tính lại thống kê câu hỏi.", "success")
    return redirect(url_for("admin.question_stats_view", round=round_.id))
