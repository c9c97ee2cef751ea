"""Citizen pages of the campaign: practice ("Thi thử") and the share link ("lan tỏa")."""
from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from quiz.citizen.guards import citizen_required
from quiz.citizen.views import answers_from_form
from quiz.contest import attempts, practice, standings
from quiz.contest.rules_text import round_for_rules
from quiz.errors import AttemptError
from quiz.infra.clock import utcnow
from quiz.people import referrals

bp = Blueprint("campaign", __name__)


@bp.get("/thi-thu")
@citizen_required
def practice_home():
    return render_template("quiz/practice/home.html")


@bp.post("/thi-thu/bat-dau")
@citizen_required
def practice_start():
    try:
        sitting = practice.start_practice(current_user.id, attempts.current_round(utcnow()), utcnow())
    except AttemptError as error:
        return render_template("quiz/practice/home.html", error=error.message), 409
    return redirect(url_for("campaign.practice_take", practice_id=sitting.id))


@bp.get("/thi-thu/<int:practice_id>")
@citizen_required
def practice_take(practice_id: int):
    """The questions of a practice sitting, or, once submitted, its review with the correct answers."""
    try:
        sitting = practice.own_practice(practice_id, current_user.id)
    except AttemptError:
        abort(404)
    return render_template("quiz/practice/take.html", sitting=sitting, items=practice.practice_items(sitting))


@bp.post("/thi-thu/<int:practice_id>/nop")
@citizen_required
def practice_submit(practice_id: int):
    try:
        practice.submit_practice(practice_id, current_user.id, answers_from_form(request.form), utcnow())
    except AttemptError:
        abort(404)
    return redirect(url_for("campaign.practice_take", practice_id=practice_id))


@bp.get("/gioi-thieu/<code>")
def referral_landing(code: str):
    """A share link: remember the code (signed session) until the visitor registers."""
    session[referrals.SESSION_KEY] = code[:32]
    return redirect(url_for("quiz.register"))


@bp.get("/lan-toa")
@citizen_required
def my_referral():
    """The citizen's share link, its QR code and how many registered through it (a count only)."""
    code = referrals.referral_code_for(current_user.id)
    link = url_for("campaign.referral_landing", code=code, _external=True)
    return render_template("quiz/referral.html", link=link, qr=referrals.qr_svg(link),
                           count=referrals.referral_count(current_user.id),
                           title=current_app.config.get("CONTEST_TITLE", ""))


@bp.get("/thu-hang")
@citizen_required
def my_standing():
    """The citizen's place in each period of the contest under way (or the last) and in the whole contest."""
    round_ = round_for_rules(utcnow())
    standing = standings.my_standing(round_.contest_id, current_user.id) if round_ else None
    return render_template("quiz/standing.html", standing=standing, rule=standings.STANDING_RULE)
