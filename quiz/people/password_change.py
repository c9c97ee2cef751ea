"""Changing a password, resetting a citizen's, and ending an account's sessions."""
from datetime import datetime, timedelta

from quiz.errors import DomainError
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.infra.passwords import TEMPORARY_PASSWORD_HOURS, hash_password, password_problem
from quiz.infra.passwords_hash import HashCost
from quiz.models import Citizen, StaffUser


class PasswordRefused(DomainError):
    """The new password breaks a rule (the message says which)."""


def change_password(person: Citizen | StaffUser, current: str, new: str, cost: HashCost) -> None:
    """Set a new password (the current one was checked by the caller): every other session ends."""
    problem = password_problem(new, staff=isinstance(person, StaffUser), cost=cost)
    if problem is None and new == current:
        problem = "Mật khẩu mới phải khác mật khẩu hiện tại (và khác mật khẩu được cấp)."
    if problem:
        raise PasswordRefused(problem, "new")
    _store(person, new, cost)


def set_password_by_code(citizen: Citizen, new: str, cost: HashCost) -> None:
    """A reset by SMS code (the code and the rule were checked by quiz.people.password_reset)."""
    _store(citizen, new, cost)


def _store(person: Citizen | StaffUser, new: str, cost: HashCost) -> None:
    with write_transaction():
        row = _row_of(person)
        row.password_hash = hash_password(new, cost)
        row.must_change_password = False
        if isinstance(row, Citizen):
            row.temporary_password_until = None
        row.end_sessions()


def set_temporary_password(citizen: Citizen, password: str, cost: HashCost, now: datetime) -> None:
    """A staff reset (the caller audits and commits): one log-in within 72 hours, then a forced change."""
    citizen.password_hash = hash_password(password, cost)
    citizen.must_change_password = True
    citizen.temporary_password_until = now + timedelta(hours=TEMPORARY_PASSWORD_HOURS)
    citizen.end_sessions()


def end_sessions(person: Citizen | StaffUser) -> None:
    """Log-out: a new session token, so a copied session or remember-me cookie stops working too."""
    with write_transaction():
        _row_of(person).end_sessions()


def _row_of(person: Citizen | StaffUser) -> Citizen | StaffUser:
    """The person's row in this transaction (person may be Flask-Login's proxy)."""
    row: Citizen | StaffUser | None = (db.session.get(Citizen, person.id) if isinstance(person, Citizen)
                                        else db.session.get(StaffUser, person.id))
    if row is None:
        raise DomainError("Không tìm thấy tài khoản này.")
    return row
