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
    birth_date: date | None  # None: typed so that it could not be read (the rules then say so)
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
    return RegistrationError(DUPLICATE_PHONE, "phone")


DUPLICATE_PHONE = ("Số điện thoại này đã được đăng ký. Vui lòng đăng nhập bằng số này "
                   "(hoặc vào \u201cQuên mật khẩu\u201d để biết cách lấy lại mật khẩu).")


def applicant_problems(applicant: Applicant, province_code: str, today: date) -> list[tuple[str, str]]:
    """Every rule the typed data breaks, as (field, message) in the form's order: all shown at once."""
    problems = []
    if not 2 <= len(clean_text(applicant.full_name)) <= 100:
        problems.append(("full_name", "Vui lòng nhập họ và tên đầy đủ (từ 2 đến 100 ký tự)."))
    if not applicant.birth_date or not 0 < age_on(applicant.birth_date, today) <= 120:
        problems.append(("birth_date", "Ngày sinh không hợp lệ. Vui lòng ghi theo ngày/tháng/năm, ví dụ 05/09/1958."))
    problems += _phone_problems(applicant.phone)
    commune = db.session.get(Commune, applicant.commune_code or "")
    if commune is None or commune.province_code != province_code:
        problems.append(("commune_code", "Vui lòng chọn xã, phường hoặc đặc khu nơi bạn sinh sống."))
    if not MIN_PASSWORD <= len(applicant.password or "") <= 128:
        problems.append(("password", f"Mật khẩu cần có ít nhất {MIN_PASSWORD} ký tự."))
    if applicant.birth_date and 0 < age_on(applicant.birth_date, today) < GUARDIAN_AGE:
        problems += _guardian_problems(applicant)
    if not applicant.consent:
        problems.append(("consent", "Bạn cần đồng ý cho xử lý dữ liệu cá nhân để tham gia cuộc thi."))
    return problems


def _phone_problems(raw: str) -> list[tuple[str, str]]:
    try:
        phone = normalise_phone(raw)
    except InvalidPhone:
        return [("phone", INVALID_PHONE)]
    if db.session.scalar(select(Citizen.id).where(Citizen.phone == phone)):
        return [("phone", DUPLICATE_PHONE)]
    return []


def _guardian_problems(applicant: Applicant) -> list[tuple[str, str]]:
    problems = []
    if not 2 <= len(clean_text(applicant.guardian_name)) <= 100:
        problems.append(("guardian_name", "Người dưới 16 tuổi cần có họ tên cha, mẹ hoặc người giám hộ."))
    try:
        normalise_phone(applicant.guardian_phone)
    except InvalidPhone:
        problems.append(("guardian_phone", INVALID_PHONE))
    if not applicant.guardian_consent:
        problems.append(("guardian_consent",
                         "Cha, mẹ hoặc người giám hộ cần đồng ý cho xử lý dữ liệu của người dưới 16 tuổi."))
    return problems


INVALID_PHONE = "Số điện thoại di động không hợp lệ. Ví dụ đúng: 0912 345 678."


def _validated_fields(applicant: Applicant, province_code: str, today: date) -> dict:
    problems = applicant_problems(applicant, province_code, today)
    if problems:
        field, message = problems[0]
        raise RegistrationError(message, field, problems)
    name = clean_text(applicant.full_name)
    fields = {"full_name": name, "name_key": search_key(name), "phone": normalise_phone(applicant.phone),
              "birth_date": applicant.birth_date, "commune_code": applicant.commune_code}
    assert applicant.birth_date is not None  # no problems: the birth date was read
    if age_on(applicant.birth_date, today) < GUARDIAN_AGE:
        fields.update({"guardian_name": clean_text(applicant.guardian_name),
                       "guardian_phone": normalise_phone(applicant.guardian_phone)})
    return fields
