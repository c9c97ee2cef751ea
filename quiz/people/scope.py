"""Which communes a staff member may see: the one home of every commune-visibility decision.

An organizer sees every commune; a commune admin exactly one. Asking about anything outside the
scope raises NotVisible, which the web layer answers as 404 (no hint that the thing exists).
"""
from sqlalchemy import Select

from quiz.errors import NotVisible
from quiz.infra.extensions import db
from quiz.models import Citizen, StaffUser


def visible_commune_codes(staff: StaffUser) -> list[str] | None:
    """The communes a staff member may see: None means all (organizer)."""
    if staff.is_organizer:
        return None
    assert staff.commune_code is not None, "a commune admin always has exactly one commune"
    return [staff.commune_code]


def scope_citizens(stmt: Select, staff: StaffUser) -> Select:
    """Restrict a query over citizens to the staff member's communes."""
    codes = visible_commune_codes(staff)
    return stmt if codes is None else stmt.where(Citizen.commune_code.in_(codes))


def check_commune(staff: StaffUser, commune_code: str) -> None:
    """NotVisible when a commune admin asks about another commune."""
    codes = visible_commune_codes(staff)
    if codes is not None and commune_code not in codes:
        raise NotVisible()


def citizen_for_staff(staff: StaffUser, citizen_id: int) -> Citizen:
    """Every staff lookup of a citizen goes through here: another commune's citizen is NotVisible."""
    citizen = db.session.get(Citizen, citizen_id)
    if citizen is None:
        raise NotVisible()
    check_commune(staff, citizen.commune_code)
    return citizen
