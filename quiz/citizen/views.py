"""Citizen pages: register, log in, take the quiz, see results."""
import math
from datetime import datetime, timedelta

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from quiz import tallies
from quiz.certificates.issuing import offers_for
from quiz.citizen import bp
from quiz.citizen.admission_pages import admission_verdict, waiting_page
from quiz.citizen.guards import citizen_id, citizen_in_session, citizen_required, citizen_session_token
from quiz.contest import attempts, contest_rules
from quiz.contest.results import result_page
from quiz.contest.rules_text import round_for_rules
from quiz.contest.served import served_questions
from quiz.errors import AttemptError, AttemptNotFound
from quiz.infra.clock import utcnow
from quiz.infra.converters import SMALL_INT_MAX, bounded_int, read_int
from quiz.infra.extensions import db, limiter
from quiz.infra.phones import InvalidPhone, normalise_phone
from quiz.infra.settings import settings
from quiz.models import Attempt, Citizen, Round
from quiz.people.password_change import end_sessions
from quiz.web.client_signals import client_keys
from quiz.web.forms import LoginForm
from quiz.web.hooks import (
    ERROR_TEXT,
    PASSWORD_CHANGE_DUE,
    format_datetime_vn,
    log_in_url,
    safe_next,
    session_ended_reply,
    session_has_ended,
)
from quiz.web.rate_limits import (
    LOGIN_PER_PHONE,
    PER_IP,
    answer_save_wait,
    client_ip,
    phone_key,
)
from quiz.web.sign_in import check_password

LOGIN_PHONE = "login_phone"  # the phone to fill in on the log-in form once
MAX_CHOICES = 16  # more shown choices than any question has
BAD_ANSWER = "Dữ liệu câu trả lời không hợp lệ."


def grace() -> timedelta:
    return settings().submit_grace


@bp.get("/")
def home() -> ResponseReturnValue:
    now = utcnow()
    round_ = attempts.current_round(now) or round_for_rules(now)
    figures = tallies.read_commune_figures(round_.id).totals if round_ else None
    return render_template("quiz/home.html", round=round_, figures=figures, now=now)


@bp.route("/dang-nhap", methods=["GET", "POST"])
@limiter.limit(PER_IP, key_func=client_ip, methods=["POST"])
@limiter.limit(LOGIN_PER_PHONE, key_func=phone_key, methods=["POST"])
def login() -> ResponseReturnValue:
    form = LoginForm(phone=session.pop(LOGIN_PHONE, None))  # after a reset by code, the phone is filled in
    if form.validate_on_submit():
        phone = phone_identity(form.phone.data)
        checked = check_password("citizen", phone, find_citizen_by_phone(phone), form.password.data, utcnow())
        if checked.person is not None:
            temporary = checked.person.must_change_password
            login_user(checked.person, remember=not temporary)
            if temporary:
                session[PASSWORD_CHANGE_DUE] = True  # the hot endpoints then take the checked path too
            else:
                session.pop(PASSWORD_CHANGE_DUE, None)
            return redirect(url_for("quiz.change_password") if temporary
                            else safe_next(request.args.get("next")) or url_for("quiz.contest"))
        form.form_errors.append(checked.message)
        return render_template("quiz/login.html", form=form), checked.status
    return render_template("quiz/login.html", form=form)


def phone_identity(raw_phone: str) -> str:
    """The canonical phone (one throttle bucket whatever its spelling), or the typed text trimmed."""
    try:
        return normalise_phone(raw_phone)
    except InvalidPhone:
        return (raw_phone or "").strip()[:25]


def find_citizen_by_phone(phone: str) -> Citizen | None:
    return db.session.scalar(select(Citizen).where(Citizen.phone == phone)) if phone.isdigit() else None


@bp.post("/dang-xuat")
def logout() -> ResponseReturnValue:
    """Log-out ends every session of the account: a copied cookie stops working too."""
    if current_user.is_authenticated:
        end_sessions(current_user)
    logout_user()
    return redirect(url_for("quiz.home"))


@bp.get("/thi")
@citizen_required
def contest() -> ResponseReturnValue:
    now = utcnow()
    round_ = attempts.current_round(now)
    allowance = contest_rules.attempt_allowance(round_, current_user.id, now, current_user.phone) if round_ else None
    pending = attempts.open_attempt_deadline(round_.id, current_user.id) if round_ else None
    return render_template("quiz/contest.html", round=round_, allowance=allowance,
                           pending_id=pending[0] if pending else None,
                           pending_minutes=math.ceil(seconds_until(pending[1], now) / 60) if pending else None,
                           short_minutes=short_minutes(round_, now) if round_ else None)


def short_minutes(round_: Round, now: datetime) -> int | None:
    """The minutes an attempt started now would have, when the close cuts it short (else None)."""
    minutes = round_.minutes_left_to_answer(now)
    return minutes if minutes < round_.time_limit_seconds // 60 else None


@bp.post("/thi/bat-dau")
@citizen_required
def start() -> ResponseReturnValue:
    now = utcnow()
    round_ = attempts.current_round(now)
    if round_ is None:
        flash("Hiện chưa có đợt thi nào đang mở.", "error")
        return redirect(url_for("quiz.contest"))
    pending = attempts.open_attempt(round_.id, current_user.id)
    if pending is None:  # resuming never waits
        verdict = admission_verdict(round_, now)
        if not verdict.admitted:
            return waiting_page(verdict)
    try:
        started = attempts.resume_or_start(current_user.id, round_, pending, now, grace(), signals=client_keys())
    except AttemptError as error:
        flash(error.message, "error")
        return redirect(url_for("quiz.contest"))
    if started.cut_short:
        flash(closing_notice(round_, now), "info")
    return redirect(url_for("quiz.take", attempt_id=started.id))


def closing_notice(round_: Round, now: datetime) -> str:
    """The round closes before the time limit runs out: say how long this attempt really has."""
    return (f"Đợt thi đóng lúc {format_datetime_vn(round_.closes_at, 'HH:mm')}: bài làm này chỉ có "
            f"{round_.minutes_left_to_answer(now)} phút (thay vì {round_.time_limit_seconds // 60} phút).")


@bp.get("/thi/<int:attempt_id>")
@citizen_required
def take(attempt_id: int) -> ResponseReturnValue:
    attempt = own_attempt(attempt_id)
    now = utcnow()
    if not attempt.is_submitted and now > attempt.accepts_until(grace()):
        finish(attempt.id, None, None)  # time ran out while the citizen was away
    if attempt.is_submitted:
        return redirect(url_for("quiz.result", attempt_id=attempt.id))
    return render_take(attempt)


def render_take(attempt: Attempt, prediction_error: str | None = None,
                prediction_typed: str | None = None) -> str:
    seconds_left = seconds_until(attempt.deadline_at, utcnow())
    return render_template("quiz/take.html", attempt=attempt, questions=served_questions(attempt.id),
                           seconds_left=seconds_left, late_after=attempt.accepts_until(grace()),
                           prediction_error=prediction_error, prediction_typed=prediction_typed)


def seconds_until(deadline: datetime, now: datetime) -> int:
    """Whole seconds left on the page's countdown (0 once the deadline has passed)."""
    return max(0, int((deadline - now).total_seconds()))


def own_attempt(attempt_id: int) -> Attempt:
    try:
        return attempts.citizen_attempt(attempt_id, current_user.id)
    except AttemptError:
        abort(404)


@bp.post("/thi/<int:attempt_id>/tra-loi")
@citizen_in_session
def save_answer(attempt_id: int) -> ResponseReturnValue:
    wait = answer_save_wait(attempt_id, citizen_id())  # malformed saves count too
    if wait is not None:
        return {"error": ERROR_TEXT[429]}, 429, {"Retry-After": str(wait)}
    answer = answer_payload()
    if answer is None:
        return {"error": BAD_ANSWER}, 400
    try:
        attempts.save_answer(attempt_id, citizen_id(), *answer, utcnow(), grace(), citizen_session_token())
    except AttemptNotFound as error:
        return session_ended_reply() if session_has_ended() else ({"error": error.message}, error.status)
    except AttemptError as error:
        return {"error": error.message}, error.status
    return {"saved": True}


def answer_payload() -> tuple[int, list[int]] | None:
    """The position and shown choices of an answer save (JSON {position, choices}); None when malformed."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return None
    try:
        return (bounded_int(payload["position"], 0, SMALL_INT_MAX),
                [bounded_int(c, 0, SMALL_INT_MAX) for c in payload.get("choices", [])[:MAX_CHOICES]])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


@bp.post("/thi/<int:attempt_id>/nop")
@citizen_in_session
def submit(attempt_id: int) -> ResponseReturnValue:
    answers = answers_from_form(request.form)
    typed = request.form.get("prediction", "").strip()[:40]
    try:
        outcome = finish(attempt_id, answers, parse_prediction(typed))
    except attempts.PredictionOutOfBounds as error:  # nothing submitted: the page comes back as typed
        attempts.save_form_answers(attempt_id, citizen_id(), answers, utcnow(), grace())
        return render_take(own_attempt(attempt_id), error.message, typed)
    except AttemptNotFound:  # another citizen's attempt, or none; or this one's session ended meanwhile
        if not session_has_ended():
            abort(404)
        logout_user()
        flash(SUBMIT_AFTER_LOG_IN, "error")  # the phone keeps the answers and the wish to submit (quiz.js)
        return redirect(log_in_url())
    except AttemptError as error:
        flash(error.message, "error")
    else:
        if outcome.late:
            flash(attempts.CLOSED, "error")
    return redirect(url_for("quiz.result", attempt_id=attempt_id))


SUBMIT_AFTER_LOG_IN = ("Phiên đăng nhập đã hết (có thể do đổi mật khẩu hoặc đăng xuất ở máy khác). Câu trả lời vẫn "
                       "được giữ: bài sẽ được nộp ngay sau khi bạn đăng nhập lại.")


def parse_prediction(typed: str) -> int | None:
    """The typed prediction as an integer; text that is not one is out of bounds (the page says the rule)."""
    if not typed:
        return None
    digits = typed.replace(".", "").replace(" ", "")
    unsigned = digits[1:] if digits.startswith("-") else digits
    if not (unsigned.isascii() and unsigned.isdigit()) or len(digits) > 19:  # '²' passes isdigit, not int()
        return attempts.NOT_A_NUMBER
    return int(digits)


def answers_from_form(form: MultiDict[str, str]) -> dict[int, list[int]]:
    """Fields q<position> hold shown choice positions; malformed ones are ignored."""
    answers: dict[int, list[int]] = {}
    for key in form:
        position = read_int({"p": key[1:]}, "p", None, 0, SMALL_INT_MAX) if key.startswith("q") else None
        if position is not None:
            values = [read_int({"v": v}, "v", None, 0, SMALL_INT_MAX) for v in form.getlist(key)[:MAX_CHOICES]]
            answers[position] = [v for v in values if v is not None]
    return answers


def finish(attempt_id: int, answers: dict[int, list[int]] | None,
           prediction: int | None) -> attempts.SubmitOutcome:
    return attempts.submit_attempt(attempt_id, citizen_id(), answers, prediction, utcnow(), grace(),
                                   citizen_session_token())


@bp.get("/ket-qua/<int:attempt_id>")
@citizen_required
def result(attempt_id: int) -> ResponseReturnValue:
    attempt = own_attempt(attempt_id)
    if not attempt.is_submitted:
        return redirect(url_for("quiz.take", attempt_id=attempt.id))
    now = utcnow()
    page = result_page(attempt, current_user.phone, now, grace())
    offer = offers_for(current_user.id, [attempt.round], now).get(attempt.round_id)
    return render_template("quiz/result.html", attempt=attempt, summary=page.summary, review=page.review,
                           waits_for=page.waits_for, offer=offer)


@bp.get("/ket-qua")
@citizen_required
def my_results() -> ResponseReturnValue:
    stmt = (select(Attempt).where(Attempt.citizen_id == current_user.id)
            .order_by(Attempt.round_id.desc(), Attempt.number.desc()))
    rows = db.session.scalars(stmt).all()
    rounds = {r.id: r for r in db.session.scalars(select(Round).where(Round.id.in_({a.round_id for a in rows})))}
    offers = offers_for(current_user.id, list(rounds.values()), utcnow())
    return render_template("quiz/my_results.html", attempts=rows, rounds=rounds, offers=offers)


