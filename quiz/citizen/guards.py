"""Who may use a citizen view: a logged-in citizen (staff get 403)."""
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec

from flask import abort, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from quiz.web.hooks import session_citizen, session_citizen_id

_P = ParamSpec("_P")
_View = Callable[_P, ResponseReturnValue]


def citizen_required(view: _View[_P]) -> _View[_P]:
    """Only a logged-in citizen (not staff) may use the view."""
    @wraps(view)
    @login_required
    def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> ResponseReturnValue:
        if current_user.is_staff:
            abort(403)
        if current_user.must_change_password:  # after a staff reset: a new password before anything else
            return redirect(url_for("quiz.change_password"))
        return view(*args, **kwargs)
    return wrapped


def citizen_in_session(view: _View[_P]) -> _View[_P]:
    """citizen_required for the two hot endpoints (answer save, submit), without loading the person.

    Their own query touches the attempt only if it belongs to the citizen named by the signed session
    and that citizen is still active, which is all the user load would check (it was a tenth of a
    submit's cost). A session without the id (a "remember me" return) takes the usual path.
    """
    checked = citizen_required(view)

    @wraps(view)
    def wrapped(*args: _P.args, **kwargs: _P.kwargs) -> ResponseReturnValue:
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
