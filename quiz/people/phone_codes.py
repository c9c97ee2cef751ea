"""One-time codes by SMS, for any purpose (verifying a phone, and later resetting a password by code).

Codes: 6 digits, valid 5 minutes, 5 tries, one live code per phone and purpose, stored as a keyed hash
bound to its row. Sending is limited per phone and per client address (counted from the stored codes,
so the limits hold across workers and whether or not Redis answers). Phone verification by code or in
person by a commune admin (audited) lives here too.
"""
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select, update

from quiz.audit import record
from quiz.errors import DomainError
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.infra.pseudonyms import code_hash, ip_key, phone_key
from quiz.infra.sms import SmsNotSent, SmsSender, international
from quiz.models import Citizen, PhoneCode, PhoneVerification

VERIFY_PHONE = "verify_phone"
RESET_PASSWORD = "reset_password"
CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=5)
MAX_TRIES = 5
PER_PHONE = (3, timedelta(minutes=15))  # codes sent to one phone (all purposes) within the window
PER_IP = (300, timedelta(hours=1))  # loose: a carrier NAT or a commune hall Wi-Fi serves many people
# Without tone marks on purpose: a GSM-7 text fits one SMS (a Unicode one needs two).
MESSAGE = "Ma xac minh Cong dan so cua ban la {code}. Ma co hieu luc 5 phut. Khong chia se ma nay cho bat ky ai."


class CodeError(DomainError):
    """A code cannot be sent or is not accepted; the message says what to do next."""


def send_code(phone: str, purpose: str, sender: SmsSender, now: datetime, client_ip: str) -> None:
    """Send a new code to the (canonical) phone for the purpose; earlier live codes for it stop working."""
    key, from_ip = phone_key(phone), ip_key(client_ip)
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    with write_transaction():
        _check_rate(PhoneCode.phone_key == key, PER_PHONE, now)
        _check_rate(PhoneCode.ip_key == from_ip, PER_IP, now)
        db.session.execute(update(PhoneCode).where(PhoneCode.phone_key == key, PhoneCode.purpose == purpose,
                                                   PhoneCode.used_at.is_(None)).values(used_at=now))
        row = PhoneCode(phone_key=key, purpose=purpose, code_hash="", ip_key=from_ip, created_at=now,
                        expires_at=now + CODE_LIFETIME)
        db.session.add(row)
        db.session.flush()
        row.code_hash = code_hash(row.id, code)
    try:  # after the commit: no lock is held while the gateway answers
        sender.send(international(phone), MESSAGE.format(code=code))
    except SmsNotSent:
        raise CodeError("Chưa gửi được tin nhắn mã xác minh. Vui lòng thử lại sau ít phút.") from None


def _check_rate(condition: ColumnElement[bool], limit: tuple[int, timedelta], now: datetime) -> None:
    count, window = limit
    sent = db.session.scalar(select(func.count(PhoneCode.id)).where(condition, PhoneCode.created_at > now - window))
    if (sent or 0) >= count:
        minutes = int(window.total_seconds() // 60)
        raise CodeError(f"Bạn đã yêu cầu quá nhiều mã. Vui lòng thử lại sau {minutes} phút.")


def check_code(phone: str, purpose: str, code: str, now: datetime) -> None:
    """Accept the phone's live code for the purpose once; a wrong code uses one of the 5 tries."""
    typed = "".join(ch for ch in (code or "") if ch.isdigit())
    with write_transaction():
        row = db.session.scalar(select(PhoneCode).where(
            PhoneCode.phone_key == phone_key(phone), PhoneCode.purpose == purpose, PhoneCode.used_at.is_(None))
            .order_by(PhoneCode.id.desc()).limit(1).with_for_update())
        if row is None:
            raise CodeError("Không có mã xác minh nào đang chờ. Vui lòng bấm “Gửi mã” để nhận mã mới.", "code")
        if now > row.expires_at:
            raise CodeError("Mã xác minh đã hết hạn (sau 5 phút). Vui lòng bấm “Gửi mã” để nhận mã mới.", "code")
        if row.tries >= MAX_TRIES:
            raise CodeError("Bạn đã nhập sai quá 5 lần. Vui lòng bấm “Gửi mã” để nhận mã mới.", "code")
        if not secrets.compare_digest(row.code_hash, code_hash(row.id, typed)):
            row.tries += 1
            left = MAX_TRIES - row.tries
            message = (f"Mã xác minh chưa đúng. Bạn còn {left} lần thử." if left else
                       "Mã xác minh chưa đúng. Bạn đã nhập sai 5 lần; vui lòng yêu cầu mã mới.")
            db.session.commit()
            raise CodeError(message, "code")
        row.used_at = now


def _phone_of(citizen_id: int) -> str:
    phone = db.session.scalar(select(Citizen.phone).where(Citizen.id == citizen_id, Citizen.anonymised_at.is_(None)))
    if not phone:
        raise CodeError("Không tìm thấy người dự thi này.")
    return phone


def send_verification(citizen_id: int, sender: SmsSender, now: datetime, client_ip: str) -> str:
    """Send a verification code to the citizen's own phone; the phone, for the page to show masked."""
    phone = _phone_of(citizen_id)
    send_code(phone, VERIFY_PHONE, sender, now, client_ip)
    return phone


def verify_by_code(citizen_id: int, code: str, now: datetime) -> None:
    """The citizen typed the code sent to their phone: it is theirs."""
    check_code(_phone_of(citizen_id), VERIFY_PHONE, code, now)
    _mark_verified(citizen_id, PhoneVerification.SMS, None, now)


def verify_in_person(citizen_id: int, staff_id: int | None, now: datetime) -> None:
    """A commune admin checked the citizen's phone in person (audited; the commune scoping is the caller's)."""
    _mark_verified(citizen_id, PhoneVerification.IN_PERSON, staff_id, now)


def _mark_verified(citizen_id: int, method: str, staff_id: int | None, now: datetime) -> None:
    with write_transaction():
        row = db.session.get(PhoneVerification, citizen_id) or PhoneVerification(citizen_id=citizen_id)
        row.method, row.verified_at, row.by_staff_id = method, now, staff_id
        db.session.add(row)
        if method == PhoneVerification.IN_PERSON:
            record(staff_id, "verify_phone_in_person", "citizen", [citizen_id])


def is_verified(citizen_id: int) -> bool:
    return db.session.get(PhoneVerification, citizen_id) is not None
