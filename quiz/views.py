"""The citizen blueprint: register, log in, take the quiz, see results."""
from datetime import timedelta
from functools import wraps

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from quiz import attempts, tallies
from quiz.clock import to_local, utcnow
from quiz.communes import province_communes
from quiz.converters import DB_INT_MAX, SMALL_INT_MAX, bounded_int, db_id, read_int
from quiz.errors import AttemptError, RegistrationError
from quiz.extensions import db, limiter
from quiz.forms import CitizenPasswordForm, LoginForm, RegisterForm
from quiz.models import Attempt, Citizen, Round
from quiz.phones import InvalidPhone, normalise_phone
from quiz.privacy import current_notice
from quiz.rate_limits import (ANSWER_SAVES_PER_ATTEMPT, LOGIN_PER_PHONE, PER_IP, REGISTER_PER_PHONE, attempt_key,
                              client_ip, phone_key)
from quiz.models.people import password_method
from quiz.password_change import PasswordRefused, end_sessions
from quiz.password_change import change_password as change_password_of
from quiz.registration import Applicant, register_citizen
from quiz.sign_in import check_password
from quiz.web import session_citizen, session_citizen_id

bp = Blueprint("quiz", __name__)
MAX_CHOICES = 16  # more shown choices than any question has


def citizen_required(view):  # type: ignore[no-untyped-def]
    """Only a logged-in citizen (not staff) may use the view."""
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):  # type: ignore[no-untyped-def]
        if current_user.is_staff:
            abort(403)
        if current_user.must_change_password:  # after a staff reset: a new password before anything else
            return redirect(url_for("quiz.change_password"))
        return view(*args, **kwargs)
    return wrapped


def citizen_in_session(view):  # type: ignore[no-untyped-def]
    """citizen_required for the two hot endpoints (answer save, submit), without loading the person.

    Their own query touches the attempt only if it belongs to the citizen named by the signed session
    and that citizen is still active, which is all the user load would check (it was a tenth of a
    submit's cost). A session without the id (a "remember me" return) takes the usual path.
    """
    checked = citizen_required(view)

    @wraps(view)
    def wrapped(*args, **kwargs):  # type: ignore[no-untyped-def]
        if session_citizen_id() is None:
            return checked(*args, **kwargs)
        return view(*args, **kwargs)
    return wrapped


def citizen_id() -> int:
    """The logged-in citizen's id: named by the session, else that of the loaded person."""
    return session_citizen_id() or current_user.id


def citizen_session_token() -> str:
    """The session token the hot endpoints' own query checks (named by the session, else the loaded person's)."""
    named = session_citizen()
    return named[1] if named else current_user.session_token


def grace() -> timedelta:
    return timedelta(seconds=current_app.config["SUBMIT_GRACE_SECONDS"])


@bp.get("/")
def home():  # type: ignore[no-untyped-def]
    return render_template("quiz/home.html", round=attempts.current_round(utcnow()))


@bp.route("/dang-ky", methods=["GET", "POST"])
@limiter.limit(PER_IP, key_func=client_ip, methods=["POST"])
@limiter.limit(REGISTER_PER_PHONE, key_func=phone_key, methods=["POST"])
def register():  # type: ignore[no-untyped-def]
    form = RegisterForm()
    communes = province_communes(current_app.config["PROVINCE_CODE"])
    form.commune_code.choices = [("", "— Chọn xã, phường, đặc khu —")] + [(c.code, c.name) for c in communes]
    if form.validate_on_submit():
        try:
            citizen = register_citizen(applicant_from(form), current_app.config["PROVINCE_CODE"],
                                       to_local(utcnow()).date())
        except RegistrationError as error:
            form_field_error(form, error)
            if error.field == "consent":
                form.consent.data = False  # consent must be given again to the notice now shown
        else:
            login_user(citizen)
            flash("Đăng ký thành công. Chúc bạn làm bài tốt!", "success")
            return redirect(url_for("quiz.contest"))
    return render_template("quiz/register.html", form=form, communes=communes,
                           notice=current_notice())


def applicant_from(form: RegisterForm) -> Applicant:
    """The typed registration data as the domain's Applicant."""
    return Applicant(
        full_name=form.full_name.data, birth_date=form.birth_date.parsed, phone=form.phone.data,
        commune_code=form.commune_code.data, password=form.password.data,
        consent=form.consent.data, publish_consent=form.publish_consent.data,
        guardian_name=form.guardian_name.data or "", guardian_phone=form.guardian_phone.data or "",
        guardian_consent=form.guardian_consent.data,
        notice_version_seen=request.form.get("notice_version", type=db_id))


def form_field_error(form, error) -> None:  # type: ignore[no-untyped-def]
    """Show a domain error next to its field (or above the form)."""
    field = getattr(form, error.field or "", None)
    if field is not None:
        field.errors = list(field.errors) + [error.message]
    else:
        form.form_errors.append(error.message)


@bp.route("/dang-nhap", methods=["GET", "POST"])
@limiter.limit(PER_IP, key_func=client_ip, methods=["POST"])
@limiter.limit(LOGIN_PER_PHONE, key_func=phone_key, methods=["POST"])
def login():  # type: ignore[no-untyped-def]
    form = LoginForm()
    if form.validate_on_submit():
        phone = phone_identity(form.phone.data)
        checked = check_password("citizen", phone, find_citizen_by_phone(phone), form.password.data, utcnow())
        if checked.person is not None:
            temporary = checked.person.must_change_password
            login_user(checked.person, remember=not temporary)
            return redirect(url_for("quiz.change_password" if temporary else "quiz.contest"))
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
def logout():  # type: ignore[no-untyped-def]
    """Log-out ends every session of the account: a copied cookie stops working too."""
    if current_user.is_authenticated:
        end_sessions(current_user)
    logout_user()
    return redirect(url_for("quiz.home"))


@bp.route("/doi-mat-khau", methods=["GET", "POST"])
@login_required
def change_password():  # type: ignore[no-untyped-def]
    """"Đổi mật khẩu": the current password is required (throttled); forced after a staff reset."""
    if current_user.is_staff:
        return redirect(url_for("admin.change_password"))
    form = CitizenPasswordForm()
    if form.validate_on_submit():
        if changed_password(form, "citizen"):
            flash("Đã đổi mật khẩu. Các thiết bị khác đã được đăng xuất.", "success")
            return redirect(url_for("quiz.contest"))
    return render_template("quiz/change_password.html", form=form)


def changed_password(form, kind: str) -> bool:  # type: ignore[no-untyped-def]
    """Check the current password (throttled), change it, keep this session; errors go onto the form."""
    checked = check_password(kind, current_user.get_id().rsplit(":", 1)[0], current_user, form.current.data, utcnow(),
                             logging_in=False)
    if checked.person is None:
        form.current.errors = [checked.message if checked.status == 429 else "Mật khẩu hiện tại chưa đúng."]
        return False
    try:
        change_password_of(current_user, form.current.data, form.new.data, password_method())
    except PasswordRefused as error:
        form.new.errors = [error.message]
        return False
    login_user(current_user, remember=kind == "citizen")  # this session carries the new token
    return True


@bp.get("/thi")
@citizen_required
def contest():  # type: ignore[no-untyped-def]
    now = utcnow()
    round_ = attempts.current_round(now)
    used = attempts.attempts_used(round_.id, current_user.id) if round_ else 0
    pending = attempts.open_attempt(round_.id, current_user.id) if round_ else None
    return render_template("quiz/contest.html", round=round_, used=used, pending=pending)


@bp.post("/thi/bat-dau")
@citizen_required
def start():  # type: ignore[no-untyped-def]
    now = utcnow()
    round_ = attempts.current_round(now)
    if round_ is None:
        flash("Hiện chưa có đợt thi nào đang mở.", "error")
        return redirect(url_for("quiz.contest"))
    try:
        attempt = attempts.start_attempt(current_user.id, round_, now, grace())
    except AttemptError as error:
        flash(error.message, "error")
        return redirect(url_for("quiz.contest"))
    return redirect(url_for("quiz.take", attempt_id=attempt.id))


@bp.get("/thi/<int:attempt_id>")
@citizen_required
def take(attempt_id: int):  # type: ignore[no-untyped-def]
    attempt = own_attempt(attempt_id)
    now = utcnow()
    if not attempt.is_submitted and now > attempt.deadline_at + grace():
        finish(attempt.id, None, None)  # time ran out while the citizen was away
    if attempt.is_submitted:
        return redirect(url_for("quiz.result", attempt_id=attempt.id))
    seconds_left = max(0, int((attempt.deadline_at - now).total_seconds()))
    return render_template("quiz/take.html", attempt=attempt, seconds_left=seconds_left)


def own_attempt(attempt_id: int) -> Attempt:
    try:
        return attempts.citizen_attempt(attempt_id, current_user.id)
    except AttemptError:
        abort(404)


@bp.post("/thi/<int:attempt_id>/tra-loi")
@citizen_in_session
@limiter.limit(ANSWER_SAVES_PER_ATTEMPT, key_func=attempt_key)
def save_answer(attempt_id: int):  # type: ignore[no-untyped-def]
    payload = request.get_json(silent=True)
    try:
        position = bounded_int(payload["position"], 0, SMALL_INT_MAX)
        shown = [bounded_int(c, 0, SMALL_INT_MAX) for c in payload.get("choices", [])[:MAX_CHOICES]]
    except (KeyError, TypeError, ValueError, AttributeError):
        return {"error": "Dữ liệu câu trả lời không hợp lệ."}, 400
    try:
        attempts.save_answer(attempt_id, citizen_id(), position, shown, utcnow(), grace(), citizen_session_token())
    except AttemptError as error:
        status = 404 if error.message == attempts.NOT_FOUND else 409
        return {"error": error.message}, status
    return {"saved": True}


@bp.post("/thi/<int:attempt_id>/nop")
@citizen_in_session
def submit(attempt_id: int):  # type: ignore[no-untyped-def]
    answers = answers_from_form(request.form)
    prediction = read_int(request.form, "prediction", None, -DB_INT_MAX, DB_INT_MAX)  # issue 14 owns its range
    try:
        finish(attempt_id, answers, prediction)
    except AttemptError as error:
        if error.message == attempts.NOT_FOUND:  # another citizen's attempt, or none
            abort(404)
        flash(error.message, "error")
    return redirect(url_for("quiz.result", attempt_id=attempt_id))


def answers_from_form(form) -> dict[int, list[int]]:  # type: ignore[no-untyped-def]
    """Fields q<position> hold shown choice positions; malformed ones are ignored."""
    answers: dict[int, list[int]] = {}
    for key in form:
        position = read_int({"p": key[1:]}, "p", None, 0, SMALL_INT_MAX) if key.startswith("q") else None
        if position is not None:
            values = [read_int({"v": v}, "v", None, 0, SMALL_INT_MAX) for v in form.getlist(key)[:MAX_CHOICES]]
            answers[position] = [v for v in values if v is not None]
    return answers


def finish(attempt_id: int, answers, prediction):  # type: ignore[no-untyped-def]
    outcome = attempts.submit_attempt(attempt_id, citizen_id(), answers, prediction, utcnow(), grace(),
                                      citizen_session_token())
    if outcome.newly_graded:
        tallies.record_submission(outcome)
    return outcome


@bp.get("/ket-qua/<int:attempt_id>")
@citizen_required
def result(attempt_id: int):  # type: ignore[no-untyped-def]
    attempt = own_attempt(attempt_id)
    if not attempt.is_submitted:
        return redirect(url_for("quiz.take", attempt_id=attempt.id))
    reveal = attempt.round.reveals_answers(utcnow())
    return render_template("quiz/result.html", attempt=attempt, reveal=reveal)


@bp.get("/ket-qua")
@citizen_required
def my_results():  # type: ignore[no-untyped-def]
    stmt = (select(Attempt).where(Attempt.citizen_id == current_user.id)
            .order_by(Attempt.round_id.desc(), Attempt.number.desc()))
    rows = db.session.scalars(stmt).all()
    rounds = {r.id: r for r in db.session.scalars(select(Round).where(Round.id.in_({a.round_id for a in rows})))}
    return render_template("quiz/my_results.html", attempts=rows, rounds=rounds)


from quiz import my_data_views  # noqa: E402,F401  (the "Dữ liệu của tôi" routes share this blueprint)
