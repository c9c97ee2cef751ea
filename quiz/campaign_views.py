"""Citizen pages of the campaign: the rules (thể lệ), practice ("Thi thử") and the share link ("lan tỏa")."""
from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from quiz import attempts, practice, referrals
from quiz.clock import utcnow
from quiz.errors import AttemptError
from quiz.extensions import db
from quiz.models import Round
from quiz.rules_text import rules_sentences
from quiz.views import answers_from_form, citizen_required

bp = Blueprint("campaign", __name__)


@bp.get("/the-le", defaults={"round_id": None})
@bp.get("/the-le/<int:round_id>")
def rules_page(round_id: int | None):  # type: ignore[no-untyped-def]
    """Every setting of the period in Vietnamese (the open one by default)."""
    round_ = db.session.get(Round, round_id) if round_id else attempts.current_round(utcnow())
    if round_ is None:
        abort(404)
    return render_template("quiz/rules.html", round=round_, sentences=rules_sentences(round_))


@bp.get("/thi-thu")
@citizen_required
def practice_home():  # type: ignore[no-untyped-def]
    return render_template("quiz/practice/home.html")


@bp.post("/thi-thu/bat-dau")
@citizen_required
def practice_start():  # type: ignore[no-untyped-def]
    try:
        sitting = practice.start_practice(current_user.id, attempts.current_round(utcnow()), utcnow())
    except AttemptError as error:
        return render_template("quiz/practice/home.html", error=error.message), 409
    return redirect(url_for("campaign.practice_take", practice_id=sitting.id))


@bp.get("/thi-thu/<int:practice_id>")
@citizen_required
def practice_take(practice_id: int):  # type: ignore[no-untyped-def]
    """The questions of a practice sitting, or, once submitted, its review with the correct answers."""
    try:
        sitting = practice.own_practice(practice_id, current_user.id)
    except AttemptError:
        abort(404)
    return render_template("quiz/practice/take.html", sitting=sitting, items=practice.practice_items(sitting))


@bp.post("/thi-thu/<int:practice_id>/nop")
@citizen_required
def practice_submit(practice_id: int):  # type: ignore[no-untyped-def]
    try:
        practice.submit_practice(practice_id, current_user.id, answers_from_form(request.form), utcnow())
    except AttemptError:
        abort(404)
    return redirect(url_for("campaign.practice_take", practice_id=practice_id))


@bp.get("/gioi-thieu/<code>")
def referral_landing(code: str):  # type: ignore[no-untyped-def]
    """A share link: remember the code (signed session) until the visitor registers."""
    session[referrals.SESSION_KEY] = code[:32]
    return redirect(url_for("quiz.register"))


@bp.get("/lan-toa")
@citizen_required
def my_referral():  # type: ignore[no-untyped-def]
    """The citizen's share link, its QR code and how many registered through it (a count only)."""
    code = referrals.referral_code_for(current_user.id)
    link = url_for("campaign.referral_landing", code=code, _external=True)
    return render_template("quiz/referral.html", link=link, qr=referrals.qr_svg(link),
                           count=referrals.referral_count(current_user.id),
                           title=current_app.config.get("CONTEST_TITLE", ""))
