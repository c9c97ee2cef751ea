"""Who may use which staff view: organizer-only views, and commune scoping (rules in quiz/people/scope.py)."""
from functools import wraps

from flask import abort
from flask_login import current_user

from quiz.people.scope import (
    check_commune,
    citizen_for_staff,
    scope_citizens,
    visible_commune_codes,
)

__all__ = ["organizer_required", "check_commune", "citizen_for_staff", "scope_citizens", "visible_commune_codes"]


def organizer_required(view):  # type: ignore[no-untyped-def]
    """The view is for organizers only (a commune admin gets 403)."""
    @wraps(view)
    def wrapped(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not current_user.is_organizer:
            abort(403)
        return view(*args, **kwargs)
    return wrapped
