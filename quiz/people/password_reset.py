""""Quên mật khẩu" by a one-time SMS code: ask for a code, then set a new password with it.

The answers never tell whether a phone is registered: for an unknown (or anonymised) phone a code row
is stored exactly as for a citizen's, but nothing is sent, so the page, the rate limits and the code
checks behave the same. A gateway failure is logged, not shown, for the same reason (the page tells
the citizen to ask again after a few minutes or to contact their commune).
"""
import logging
from datetime import datetime

from sqlalchemy import select

from quiz.infra.extensions import db
from quiz.infra.passwords import password_problem
from quiz.infra.passwords_hash import HashCost
from quiz.infra.phones import InvalidPhone, normalise_phone
from quiz.infra.sms import SmsNotSent, SmsSender
from quiz.models import Citizen
from quiz.people import phone_codes
from quiz.people.password_change import PasswordRefused, set_password_by_code
from quiz.people.phone_codes import CodeError

log = logging.getLogger(__name__)
BAD_PHONE = "Số điện thoại chưa đúng. Vui lòng nhập số di động 10 chữ số, ví dụ 0912345678."


class _Quiet:
    """Sends through the gateway; a failure is logged instead of shown (it would reveal the phone is known)."""

    def __init__(self, sender: SmsSender) -> None:
        self.sender = sender

    def send(self, to: str, text: str) -> None:
        try:
            self.sender.send(to, text)
        except SmsNotSent:
            log.warning("password reset: the SMS was not sent")


class _Nobody:
    """An unknown phone: the code is stored (same limits, same checks) and sent to no one."""

    def send(self, to: str, text: str) -> None:
        return None


def canonical(raw_phone: str) -> str:
    try:
        return normalise_phone(raw_phone)
    except InvalidPhone:
        raise CodeError(BAD_PHONE, "phone") from None


def _citizen(phone: str) -> Citizen | None:
    return db.session.scalar(select(Citizen).where(Citizen.phone == phone, Citizen.anonymised_at.is_(None)))


def request_reset(raw_phone: str, sender: SmsSender, now: datetime, client_ip: str) -> str:
    """Send a reset code if the phone belongs to a citizen; the canonical phone either way."""
    phone = canonical(raw_phone)
    known = _citizen(phone) is not None
    phone_codes.send_code(phone, phone_codes.RESET_PASSWORD, _Quiet(sender) if known else _Nobody(), now, client_ip)
    return phone


def reset_with_code(raw_phone: str, code: str, new: str, cost: HashCost, now: datetime) -> int:
    """Check the code, then set the new password (every session ends); the citizen's id.

    The password rule is checked first, so a refused password does not spend the code.
    """
    phone = canonical(raw_phone)
    problem = password_problem(new, staff=False, cost=cost)
    if problem:
        raise PasswordRefused(problem, "new")
    phone_codes.check_code(phone, phone_codes.RESET_PASSWORD, code, now)
    citizen = _citizen(phone)
    if citizen is None:  # only reachable by guessing the never-sent code of an unknown phone
        raise CodeError("Mã xác minh chưa đúng.", "code")
    set_password_by_code(citizen, new, cost)
    return citizen.id
