"""Who may see what: organizer-only views and commune scoping for commune admins."""
from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import Select

from quiz.infra.extensions import db
from quiz.models import Citizen, StaffUser


def organizer_required(view):  # type: ignore[no-untyped-def]
    """The view is for organizers only (a commune admin gets 403)."""
    @wraps(view)
    def wrapped(*args, **kwargs):  # type: ignore[no-untyped-def]
        if not current_user.is_organizer:
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def visible_commune_codes(staff: StaffUser) -> list[str] | None:
    """The communes a staff member may see: None means all (organizer)."""
    return None if staff.is_organizer else [staff.commune_code]


def scope_citizens(stmt: Select, staff: StaffUser) -> Select:
    """Restrict a query over citizens to the staff member's communes."""
    codes = visible_commune_codes(staff)
    return stmt if codes is None else stmt.where(Citizen.commune_code.in_(codes))


def check_commune(staff: StaffUser, commune_code: str) -> None:
    """404 when a commune admin asks about another commune (no hint that it exists)."""
    codes = visible_commune_codes(staff)
    if codes is not None and commune_code not in codes:
        abort(404)


def citizen_for_staff(staff: StaffUser, citizen_id: int) -> Citizen:
    """Every staff lookup of a citizen goes through here: another commune's citizen is a 404."""
    citizen = db.session.get(Citizen, citizen_id)
    if citizen is None:
        abort(404)
    check_commune(staff, citizen.commune_code)
    return citizen
