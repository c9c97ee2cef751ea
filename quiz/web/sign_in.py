"""Checking a password typed at a log-in or a password change: throttled, equal-time, one place for both blueprints.

View glue (it reads the request and the app's settings); the rules are in quiz.infra.passwords and
quiz.infra.login_throttle, the domain change in quiz.people.password_change.
"""
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app, session
from flask_login import current_user, login_user

from quiz.infra.clock import utcnow
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.infra.login_throttle import LoginThrottle, wait_message
from quiz.infra.passwords import verify_password
from quiz.infra.redis_client import get_redis
from quiz.models import Citizen, StaffUser
from quiz.models.people import password_cost
from quiz.people.password_change import PasswordRefused, change_password
from quiz.people.password_upgrade import store_upgraded_hash
from quiz.web.hooks import PASSWORD_CHANGE_DUE
from quiz.web.rate_limits import client_ip

WRONG = {"citizen": "Số điện thoại hoặc mật khẩu chưa đúng. Vui lòng thử lại.",
         "staff": "Tên đăng nhập hoặc mật khẩu chưa đúng."}
TEMPORARY_SPENT = ("Mật khẩu tạm này đã được dùng hoặc đã quá 72 giờ. Vui lòng nhờ cán bộ xã, phường đặt lại "
                   "mật khẩu một lần nữa.")


@dataclass(frozen=True)
class PasswordCheck:
    """The outcome: the person when the password is right (and may be used), else a message and a status."""

    person: Citizen | StaffUser | None
    message: str = ""
    status: int = 200


def throttle() -> LoginThrottle:
    config = current_app.config
    return LoginThrottle(get_redis(), config["LOGIN_THROTTLE_PREFIX"], str(config["SECRET_KEY"]).encode(),
                         config["LOGIN_THROTTLE_ENABLED"])


def check_password(kind: str, identity: str, person: Citizen | StaffUser | None, password: str,
                   now: datetime, logging_in: bool = True) -> PasswordCheck:
    """Wait out the throttle, then check the password (a dummy hash when there is nobody, so the time is the same).

    A log-in with a reset's temporary password spends it; the password change that follows does not.
    """
    guard = throttle()
    keys = guard.keys(kind, identity, client_ip())
    wait = guard.wait_seconds(keys)
    if wait:
        return PasswordCheck(None, wait_message(wait), 429)
    stored_hash = person.password_hash if person is not None and person.is_active else None
    verdict = verify_password(stored_hash, password, password_cost())
    if not verdict.matches:
        guard.failed(keys)
        _count_staff_failure(person, 1)
        return PasswordCheck(None, WRONG["staff" if kind == "staff" else "citizen"])
    guard.succeeded(keys)
    _count_staff_failure(person, 0)
    if person is not None and verdict.new_hash:  # an older scrypt hash (or cost) becomes today's argon2id
        person.upgraded_password_hash = verdict.new_hash
        store_upgraded_hash(person)
    if logging_in and isinstance(person, Citizen) and person.temporary_password_until is not None:
        return _spend_temporary_password(person, now)
    return PasswordCheck(person)


def _spend_temporary_password(citizen: Citizen, now: datetime) -> PasswordCheck:
    """A reset's temporary password opens one session within 72 hours; after that it is spent."""
    if citizen.temporary_password_until is None or now > citizen.temporary_password_until:
        return PasswordCheck(None, TEMPORARY_SPENT)
    with write_transaction():
        row = db.session.get(Citizen, citizen.id)
        if row is not None:
            row.temporary_password_until = now
    return PasswordCheck(citizen)


def _count_staff_failure(person: Citizen | StaffUser | None, failures: int) -> None:
    """Staff rows keep the consecutive failures too, for the organizers to see (the delay is in Redis)."""
    if not isinstance(person, StaffUser) or (failures == 0 and not person.failed_logins):
        return
    with write_transaction():
        staff = db.session.get(StaffUser, person.id)
        if staff is not None:
            staff.failed_logins = staff.failed_logins + 1 if failures else 0


def changed_password(form: Any, kind: str) -> bool:
    """Check the current password (throttled), change it and keep this session; errors go onto the form."""
    checked = check_password(kind, current_user.get_id().rsplit(":", 1)[0], current_user, form.current.data, utcnow(),
                             logging_in=False)
    if checked.person is None:
        form.current.errors = [checked.message if checked.status == 429 else "Mật khẩu hiện tại chưa đúng."]
        return False
    try:
        change_password(current_user, form.current.data, form.new.data, password_cost())
    except PasswordRefused as error:
        form.new.errors = [error.message]
        return False
    login_user(current_user, remember=kind == "citizen")  # this session carries the new token
    session.pop(PASSWORD_CHANGE_DUE, None)
    return True
