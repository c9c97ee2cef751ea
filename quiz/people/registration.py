"""Registering a citizen: validation of the person's data, one registration per phone."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from quiz.errors import RegistrationError
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.infra.phones import InvalidPhone, normalise_phone
from quiz.infra.text import clean_text, search_key
from quiz.models import Citizen, Commune, Consent
from quiz.people.consents import current_notice, record_consent
from quiz.tallies import events as tally_events

GUARDIAN_AGE = 16
MIN_PASSWORD = 6


@dataclass
class Applicant:
    """What a citizen (or a helper on their behalf) typed into the registration form."""

    full_name: str
    birth_date: date
    phone: str
    commune_code: str
    password: str
    consent: bool
    publish_consent: bool = False
    guardian_name: str = ""
    guardian_phone: str = ""
    guardian_consent: bool = False
    notice_version_seen: int | None = None


def age_on(birth_date: date, today: date) -> int:
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


def register_citizen(
    applicant: Applicant, province_code: str, today: date, helper_id: int | None = None
) -> Citizen:
    """Validate and store a citizen with their consents; tallies are told after the commit."""
    fields = _validated_fields(applicant, province_code, today)
    notice = current_notice()
    if notice is None:
        raise RegistrationError("Chưa có thông báo về dữ liệu cá nhân; vui lòng quay lại sau.")
    if applicant.notice_version_seen is not None and applicant.notice_version_seen != notice.version:
        raise RegistrationError("Thông báo về dữ liệu cá nhân vừa được cập nhật. Vui lòng đọc bản mới bên dưới "
                                "rồi đánh dấu đồng ý lại.", "consent")
    try:
        with write_transaction():
            citizen = Citizen(**fields, registered_by_id=helper_id)
            citizen.set_password(applicant.password)
            db.session.add(citizen)
            db.session.flush()
            minor = bool(fields.get("guardian_name"))
            record_consent(citizen, Consent.PROCESSING, notice, helper_id, by_guardian=minor)
            if applicant.publish_consent:
                record_consent(citizen, Consent.PUBLISH_WINNER, notice, helper_id, by_guardian=minor)
            tally_events.queue(tally_events.registration(citizen.id, citizen.commune_code, citizen.created_at))
    except IntegrityError as exc:
        raise _duplicate_phone() from exc
    return citizen


def _duplicate_phone() -> RegistrationError:
    return RegistrationError(
        "Số điện thoại này đã được đăng ký. Vui lòng đăng nhập bằng số này "
        "(hoặc nhờ cán bộ xã/phường đặt lại mật khẩu nếu bạn quên).",
        "phone",
    )


def _validated_fields(applicant: Applicant, province_code: str, today: date) -> dict:
    name = clean_text(applicant.full_name)
    if not 2 <= len(name) <= 100:
        raise RegistrationError("Vui lòng nhập họ và tên đầy đủ (từ 2 đến 100 ký tự).", "full_name")
    if not applicant.birth_date or not 0 < age_on(applicant.birth_date, today) <= 120:
        raise RegistrationError("Ngày sinh không hợp lệ. Vui lòng kiểm tra lại.", "birth_date")
    phone = _phone(applicant.phone, "phone")
    if db.session.scalar(select(Citizen.id).where(Citizen.phone == phone)):
        raise _duplicate_phone()
    commune = db.session.get(Commune, applicant.commune_code or "")
    if commune is None or commune.province_code != province_code:
        raise RegistrationError("Vui lòng chọn xã, phường hoặc đặc khu nơi bạn sinh sống.", "commune_code")
    if len(applicant.password or "") < MIN_PASSWORD or len(applicant.password) > 128:
        raise RegistrationError("Mật khẩu cần có ít nhất 6 ký tự.", "password")
    if not applicant.consent:
        raise RegistrationError(
            "Bạn cần đồng ý cho xử lý dữ liệu cá nhân để tham gia cuộc thi.", "consent"
        )
    fields = {"full_name": name, "name_key": search_key(name), "phone": phone,
              "birth_date": applicant.birth_date, "commune_code": commune.code}
    if age_on(applicant.birth_date, today) < GUARDIAN_AGE:
        fields.update(_guardian_fields(applicant))
    return fields


def _guardian_fields(applicant: Applicant) -> dict:
    guardian_name = clean_text(applicant.guardian_name)
    if not 2 <= len(guardian_name) <= 100:
        raise RegistrationError(
            "Người dưới 16 tuổi cần có họ tên cha, mẹ hoặc người giám hộ.", "guardian_name"
        )
    guardian_phone = _phone(applicant.guardian_phone, "guardian_phone")
    if not applicant.guardian_consent:
        raise RegistrationError(
            "Cha, mẹ hoặc người giám hộ cần đồng ý cho xử lý dữ liệu của người dưới 16 tuổi.",
            "guardian_consent",
        )
    return {"guardian_name": guardian_name, "guardian_phone": guardian_phone}


def _phone(raw: str, field: str) -> str:
    try:
        return normalise_phone(raw)
    except InvalidPhone:
        raise RegistrationError(
            "Số điện thoại di động không hợp lệ. Ví dụ đúng: 0912 345 678.", field
        ) from None
