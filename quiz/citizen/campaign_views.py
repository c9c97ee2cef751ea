"""Citizen pages of the campaign: practice ("Thi thử") and the share link ("lan tỏa")."""
from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from quiz.citizen.guards import citizen_required
from quiz.citizen.views import BAD_ANSWER, answer_payload, answers_from_form, grace, seconds_until
from quiz.contest import attempts, practice, standings
from quiz.contest.rules_text import round_for_rules
from quiz.errors import AttemptError, AttemptNotFound
from quiz.infra.clock import utcnow
from quiz.infra.extensions import limiter
from quiz.models import PracticeAttempt
from quiz.people import referrals
from quiz.web.rate_limits import ANSWER_SAVES_PER_ATTEMPT, STANDING_VIEWS_PER_CITIZEN, citizen_key, practice_key

bp = Blueprint("campaign", __name__)


@bp.get("/thi-thu")
@citizen_required
def practice_home():
    now = utcnow()
    return render_template("quiz/practice/home.html", round=attempts.current_round(now),
                           withheld_by=practice.withholding_round(now, grace()))


@bp.post("/thi-thu/bat-dau")
@citizen_required
def practice_start():
    try:
        sitting = practice.start_practice(current_user.id, attempts.current_round(utcnow()), utcnow())
    except AttemptError as error:
        return render_template("quiz/practice/home.html", error=error.message, round=None), 409
    return redirect(url_for("campaign.practice_take", practice_id=sitting.id))


@bp.get("/thi-thu/<int:practice_id>")
@citizen_required
def practice_take(practice_id: int):
    """The questions of a practice sitting, or, once submitted, its review with the score and the correct answers
    (neither while a round not yet closed keeps its own answers back: practice.withholding_round)."""
    sitting, now = own_sitting(practice_id), utcnow()
    if sitting.submitted_at is None and not practice.is_accepting(sitting, now, grace()):
        practice.submit_practice(sitting.id, current_user.id, {}, now, grace())  # time ran out while away
    seconds_left = seconds_until(sitting.deadline_at, now) if sitting.deadline_at else None
    late_after = sitting.deadline_at + grace() if sitting.deadline_at else None
    withheld_by = practice.withholding_round(now, grace()) if sitting.submitted_at else None
    return render_template("quiz/practice/take.html", sitting=sitting, items=practice.practice_items(sitting),
                           seconds_left=seconds_left, late_after=late_after, withheld_by=withheld_by)


def own_sitting(practice_id: int) -> PracticeAttempt:
    try:
        return practice.own_practice(practice_id, current_user.id)
    except AttemptNotFound:
        abort(404)


@bp.post("/thi-thu/<int:practice_id>/tra-loi")
@citizen_required
@limiter.limit(ANSWER_SAVES_PER_ATTEMPT, key_func=practice_key)
def practice_save(practice_id: int) -> ResponseReturnValue:
    """One answer of a practice sitting, saved as it is given (quiz.js), exactly like the real quiz's."""
    answer = answer_payload()
    if answer is None:
        return {"error": BAD_ANSWER}, 400
    try:
        practice.save_practice_answer(practice_id, current_user.id, *answer, utcnow(), grace())
    except AttemptError as error:
        return {"error": error.message}, error.status
    return {"saved": True}


@bp.post("/thi-thu/<int:practice_id>/nop")
@citizen_required
def practice_submit(practice_id: int):
    try:
        practice.submit_practice(practice_id, current_user.id, answers_from_form(request.form), utcnow(), grace())
    except AttemptNotFound:
        abort(404)
    return redirect(url_for("campaign.practice_take", practice_id=practice_id))


@bp.get("/gioi-thieu/<code>")
def referral_landing(code: str):
    """A share link: remember the code (signed session) until the visitor registers."""
    if referrals.looks_like_a_code(code):  # a forged link's text never reaches the session
        session[referrals.SESSION_KEY] = code.lower()
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
@limiter.limit(STANDING_VIEWS_PER_CITIZEN, key_func=citizen_key)
def my_standing():
    """The citizen's place in each period of the contest under way (or the last) and in the whole contest."""
    round_ = round_for_rules(utcnow())
    standing = standings.my_standing(round_.contest_id, current_user.id) if round_ else None
    return render_template("quiz/standing.html", standing=standing, rule=standings.STANDING_RULE)
