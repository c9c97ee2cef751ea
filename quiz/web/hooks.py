"""Request-level glue: who is logged in, template helpers, error pages, response headers."""
import hashlib
import re
import time
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from pathlib import Path
from typing import cast

import werkzeug.exceptions
from flask import (
    Flask,
    Response,
    current_app,
    flash,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.globals import request_ctx
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy import Select, bindparam, select
from sqlalchemy.exc import OperationalError

from quiz.errors import NotFound
from quiz.infra.converters import db_id
from quiz.infra.extensions import db, limiter, login_manager
from quiz.infra.phones import mask_phone
from quiz.models import Citizen, StaffUser
from quiz.web.question_display import question_prompt
from quiz.web.site_contact import organizer_contact

login_manager.login_view = "quiz.login"
login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
login_manager.login_message_category = "info"


SESSION_USER_KEY = "_user_id"  # where Flask-Login keeps get_id() in the signed session
SESSION_ENDED = ("Phiên đăng nhập đã hết (có thể do đổi mật khẩu hoặc đăng xuất ở máy khác). "
                 "Bài đang làm vẫn được giữ: vui lòng đăng nhập lại để làm tiếp.")
_QUIZ_ENDPOINTS = ("quiz.take", "quiz.save_answer", "quiz.submit")
_PRACTICE_ENDPOINTS = ("campaign.practice_take", "campaign.practice_save", "campaign.practice_submit")
PASSWORD_CHANGE_DUE = "password_change_due"  # set at a log-in with a temporary password, until it is changed


@login_manager.user_loader
def load_user(user_id: str) -> Citizen | StaffUser | None:
    """The session's person, unless anonymised, deactivated or their session token changed since
    (log-out, password change, reset and anonymisation give the account a new token: old sessions
    and remember-me cookies end)."""
    parsed = parse_user_id(user_id)
    if parsed is None:
        return None
    kind, id_, token = parsed
    return db.session.execute(_ACTIVE_USER[kind], {"user_id": id_, "token": token}).scalar_one_or_none()


@login_manager.unauthorized_handler
def ask_to_log_in() -> ResponseReturnValue:
    """Flask-Login's redirect, but a JSON request (an answer save) gets a 401 it can tell apart: a fetch
    follows a redirect to the log-in page and took its 200 for "saved"."""
    if request.is_json or request.accept_mimetypes.best == "application/json":
        return session_ended_reply()
    flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(log_in_url())


def session_ended_reply() -> ResponseReturnValue:
    return {"error": SESSION_ENDED, "login": log_in_url()}, 401


def log_in_url() -> str:
    """The log-in page, coming back to the quiz (or the page asked for) afterwards."""
    args = request.view_args or {}
    if request.endpoint in _QUIZ_ENDPOINTS and "attempt_id" in args:
        return url_for("quiz.login", next=url_for("quiz.take", attempt_id=args["attempt_id"]))
    if request.endpoint in _PRACTICE_ENDPOINTS and "practice_id" in args:
        return url_for("quiz.login", next=url_for("campaign.practice_take", practice_id=args["practice_id"]))
    return url_for("quiz.login", next=request.full_path.rstrip("?") if request.method == "GET" else None)


def session_has_ended() -> bool:
    """The signed session names a person who no longer loads: their sessions were ended (a password changed or
    a log-out on another phone) or the account is gone. The hot endpoints see it only as "no such attempt"."""
    named = session.get(SESSION_USER_KEY)
    return bool(named) and load_user(str(named)) is None


# a path of this site and its query, in plain characters: a tab, a newline, a backslash or a second slash at the start
# (/%09/evil.com became "Location: //evil.com") never pass
_SITE_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9_\-./]*(?:\?[A-Za-z0-9_\-.=&%]*)?")


def safe_next(target: str | None) -> str | None:
    """A path of the citizen site to go back to after logging in; anything else (another host, staff pages) None."""
    if not target or not _SITE_PATH.fullmatch(target) or "//" in target or target.startswith("/quan-tri"):
        return None
    return target


def parse_user_id(user_id: str) -> tuple[str, int, str] | None:
    """("c", 12, token) for a citizen's "c:12:token", ("s", 3, token) for staff; None for anything else."""
    kind, _, rest = user_id.partition(":")
    raw_id, _, token = rest.partition(":")
    try:
        return (kind, db_id(raw_id), token) if kind in _ACTIVE_USER and token else None
    except ValueError:
        return None


def session_citizen() -> tuple[int, str] | None:
    """The citizen id and session token in the signed session, not checked against the database
    (None: staff, nobody, a remember-me return, or a temporary password still to be changed). The hot
    endpoints check both in their own query."""
    if session.get(PASSWORD_CHANGE_DUE):
        return None
    parsed = parse_user_id(str(session.get(SESSION_USER_KEY, "")))
    return (parsed[1], parsed[2]) if parsed and parsed[0] == "c" else None


def session_citizen_id() -> int | None:
    """The citizen named by the signed session (see session_citizen)."""
    named = session_citizen()
    return named[0] if named else None


# Built once: this runs on every request of a logged-in person.
_ACTIVE_USER: dict[str, Select[tuple[Citizen | StaffUser]]] = {
    "c": select(Citizen).where(Citizen.id == bindparam("user_id"), Citizen.session_token == bindparam("token"),
                               Citizen.is_active),
    "s": select(StaffUser).where(StaffUser.id == bindparam("user_id"), StaffUser.session_token == bindparam("token"),
                                 StaffUser.active.is_(True)),
}


def init_app(app: Flask) -> None:
    """Register template helpers, error pages and default headers."""
    app.jinja_env.globals.update(asset=asset_url, contest_title=app.config["CONTEST_TITLE"],
                                 organizer=organizer_contact(app.config), endpoint_exists=endpoint_exists)
    app.jinja_env.filters.update(number=format_number, datetime_vn=format_datetime_vn, masked=mask_phone,
                                 question_prompt=question_prompt)
    for code in (400, 403, 404, 405, 413, 429, 500, 503):
        app.register_error_handler(code, render_error)
    app.register_error_handler(CSRFError, render_csrf_error)
    app.register_error_handler(RateLimitExceeded, render_rate_limited)
    app.register_error_handler(OperationalError, render_database_unavailable)
    app.register_error_handler(NotFound, render_not_found)
    app.after_request(set_default_headers)
    if app.config["COMPRESS_STATIC"]:
        app.after_request(buffer_static_text)  # runs before Flask-Compress's own (registered earlier)


def endpoint_exists(endpoint: str) -> bool:
    """Whether a route is registered (a link shows only when its page exists)."""
    return endpoint in current_app.view_functions


def format_number(value: float | int | None, digits: int = 0) -> str:
    """84360 → '84.360'; 7.5 → '7,5' (Vietnamese separators, half-even rounding: Babel's "#,##0.#").

    Written out rather than asking Babel: a page of 114 communes formats ~500 numbers, and Babel's
    pattern machinery made that half of the page's time (tests.test_number_format pins equality).
    """
    if value is None:
        return "–"
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN)
    whole, _, fraction = f"{rounded:,f}".partition(".")
    fraction = fraction.rstrip("0")
    return whole.replace(",", ".") + ("," + fraction if fraction else "")


def format_datetime_vn(value: datetime | None, pattern: str = "dd/MM/yyyy HH:mm") -> str:
    """A stored UTC time shown in Vietnam time as 25/11/2026 09:05."""
    return format_datetime(value, pattern) if value else ""


@lru_cache(maxsize=256)
def _fingerprint(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def asset_url(filename: str) -> str:
    """A static file's URL carrying its content hash, so it can be cached for a year."""
    static_folder = current_app.static_folder
    assert static_folder is not None, "the app is created with its static folder"
    return _asset_url(request.script_root if has_request_context() else "", static_folder, filename)


@lru_cache(maxsize=256)
def _asset_url(script_root: str, static_folder: str, filename: str) -> str:
    """Built once per mount point and file: url_for is a fifth of a small page's time (5 assets a page)."""
    return url_for("static", filename=filename, v=_fingerprint(str(Path(static_folder) / filename)))


ERROR_TEXT = {
    400: "Yêu cầu không hợp lệ. Vui lòng tải lại trang và thử lại.",
    403: "Bạn không có quyền xem trang này.",
    404: "Không tìm thấy trang bạn cần.",
    405: "Thao tác này không được hỗ trợ.",
    413: "Tệp gửi lên quá lớn.",
    429: "Bạn thao tác quá nhanh. Vui lòng chờ một chút rồi thử lại.",  # forms that can say more use on_breach
    500: "Hệ thống đang gặp sự cố. Câu trả lời đã lưu vẫn được giữ; vui lòng thử lại sau ít phút.",
    503: "Hệ thống đang bận. Câu trả lời đã lưu vẫn được giữ; vui lòng thử lại sau ít phút.",
}


def render_error(error: Exception) -> ResponseReturnValue:
    code = getattr(error, "code", 500) or 500
    message = ERROR_TEXT.get(code, ERROR_TEXT[500])
    if request_ctx.url_adapter is None:  # the Host was refused before routing: no page (no url_for) can be drawn
        return Response(message, code, mimetype="text/plain")
    if request.accept_mimetypes.best == "application/json" or request.is_json:
        return {"error": message}, code
    return render_template("errors/error.html", code=code, message=message), code


def render_not_found(error: NotFound) -> ResponseReturnValue:
    """A domain NotFound or NotVisible (another commune's data) is the same 404 page as a missing URL."""
    return render_error(werkzeug.exceptions.NotFound())


def render_rate_limited(error: RateLimitExceeded) -> Response:
    """429 with Retry-After: the seconds until the exceeded window lets one more request through."""
    # a view's own on_breach page (the registration form, as typed) when it has one
    own_page = cast(Response | None, error.response)
    response = own_page if own_page is not None else current_app.make_response(render_error(error))
    limit = limiter.current_limit
    seconds = int(limit.reset_at - time.time()) if limit else error.limit.limit.get_expiry()
    response.headers["Retry-After"] = str(max(1, seconds))
    return response


def render_csrf_error(error: CSRFError) -> ResponseReturnValue:
    message = "Phiên làm việc đã hết hạn. Vui lòng tải lại trang rồi thử lại."
    if request.is_json or request.headers.get("X-CSRFToken"):
        return {"error": message, "reload": True}, 400  # not refused for good: the quiz page keeps the answer
    return render_template("errors/error.html", code=400, message=message), 400


def render_database_unavailable(error: OperationalError) -> Response:
    """The database is down or locked: nothing half-written (the transaction rolled back); try again."""
    db.session.rollback()
    current_app.logger.warning("database unavailable: %s", error.__class__.__name__)
    message = ("Hệ thống đang quá tải, bài làm và các câu trả lời đã lưu vẫn được giữ. "
               "Vui lòng thử lại sau ít giây.")
    if request.is_json or request.accept_mimetypes.best == "application/json":
        response = current_app.make_response(({"error": message}, 503))
    else:
        response = current_app.make_response((render_template("errors/error.html", code=503, message=message), 503))
    response.headers["Retry-After"] = "5"
    return response


STATIC_TEXT = {"text/css", "text/javascript", "application/javascript", "image/svg+xml"}


def buffer_static_text(response: Response) -> Response:
    """A static text file as an in-memory body (closed with the response), which Flask-Compress then compresses."""
    if request.endpoint == "static" and response.direct_passthrough and response.mimetype in STATIC_TEXT:
        response.direct_passthrough = False
        response.make_sequence()
    return response


def set_default_headers(response: Response) -> Response:
    """nosniff everywhere; pages for a logged-in person are never stored by browsers or proxies."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    # the signed session, not current_user: that would load the person on endpoints that skip it
    if request.endpoint != "static" and "Cache-Control" not in response.headers and SESSION_USER_KEY in session:
        response.headers["Cache-Control"] = "no-store"
    return response
