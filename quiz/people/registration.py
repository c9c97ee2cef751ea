"""Registering a citizen: validation of the person's data, one registration per phone."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from quiz.errors import RegistrationError
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.infra.passwords import password_problem
from quiz.infra.pseudonyms import ClientKeys
from quiz.infra.text import search_key
from quiz.models import Citizen, ClientSignal, Consent
from quiz.people.consents import current_notice, record_consent
from quiz.people.person import age_on, valid_birth_date, valid_commune, valid_name, valid_phone
from quiz.tallies import events as tally_events

GUARDIAN_AGE = 16


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


def register_citizen(
    applicant: Applicant, province_code: str, today: date, helper_id: int | None = None,
    signals: ClientKeys | None = None,
) -> Citizen:
    """Validate and store a citizen with their consents (and, for a self-registration, where it came from,
    as keyed hashes for the burst flags), in one transaction; tallies are told after the commit."""
    fields = _validated_fields(applicant, province_code, today)
    notice = current_notice()
    if notice is None:
        raise RegistrationError("Chưa có thông báo về dữ liệu cá nhân; vui lòng quay lại sau.")
    if applicant.notice_version_seen is not None and applicant.notice_version_seen != notice.version:
        raise RegistrationError("Thông báo về dữ liệu cá nhân vừa được cập nhật. Vui lòng đọc bản mới bên dưới "
                                "rồi đánh dấu đồng ý lại.", "consent")
    try:
        with write_transaction(keep_loaded=True):  # the caller logs the citizen in from it
            citizen = Citizen(**fields, registered_by_id=helper_id)
            citizen.set_password(applicant.password)
            db.session.add(citizen)
            db.session.flush()
            minor = bool(fields.get("guardian_name"))
            record_consent(citizen, Consent.PROCESSING, notice, helper_id, by_guardian=minor)
            if applicant.publish_consent:
                record_consent(citizen, Consent.PUBLISH_WINNER, notice, helper_id, by_guardian=minor)
            if signals is not None:
                db.session.add(ClientSignal(kind=ClientSignal.REGISTRATION, citizen_id=citizen.id, round_id=None,
                                            net_key=signals.net_key, device_key=signals.device_key,
                                            at=citizen.created_at))
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
    problems = _broken(lambda: valid_name(applicant.full_name), lambda: valid_birth_date(applicant.birth_date, today),
                       lambda: _new_phone(applicant.phone), lambda: valid_commune(applicant.commune_code, province_code),
                       lambda: _valid_password(applicant.password))
    if applicant.birth_date and 0 < age_on(applicant.birth_date, today) < GUARDIAN_AGE:
        problems += _broken(lambda: _guardian_fields(applicant))
    if not applicant.consent:
        problems.append(("consent", "Bạn cần đồng ý cho xử lý dữ liệu cá nhân để tham gia cuộc thi."))
    return problems


def _broken(*checks: Callable[[], object]) -> list[tuple[str, str]]:
    """The (field, message) of each check that raises a RegistrationError."""
    problems = []
    for check in checks:
        try:
            check()
        except RegistrationError as error:
            problems += error.problems
    return problems


def _new_phone(raw: str) -> str:
    phone = valid_phone(raw)
    if db.session.scalar(select(Citizen.id).where(Citizen.phone == phone)):
        raise _duplicate_phone()
    return phone


def _valid_password(password: str) -> None:
    if refused := password_problem(password or "", staff=False):
        raise RegistrationError(refused, "password")


def _validated_fields(applicant: Applicant, province_code: str, today: date) -> dict:
    problems = applicant_problems(applicant, province_code, today)
    if problems:
        field, message = problems[0]
        raise RegistrationError(message, field, problems)
    name = valid_name(applicant.full_name)
    birth_date = valid_birth_date(applicant.birth_date, today)
    fields = {"full_name": name, "name_key": search_key(name), "phone": valid_phone(applicant.phone),
              "birth_date": birth_date, "commune_code": applicant.commune_code}
    if age_on(birth_date, today) < GUARDIAN_AGE:
        fields.update(_guardian_fields(applicant))
    return fields


def _guardian_fields(applicant: Applicant) -> dict:
    """The guardian of an under-16: all three problems at once when several are missing."""
    problems = _broken(lambda: valid_name(applicant.guardian_name, "guardian_name"),
                       lambda: valid_phone(applicant.guardian_phone, "guardian_phone"))
    left_empty = {"guardian_name": "Người dưới 16 tuổi cần có họ tên cha, mẹ hoặc người giám hộ."}
    if not applicant.guardian_phone.strip():  # "invalid" would be the wrong word for a field not filled in
        left_empty["guardian_phone"] = "Vui lòng điền số điện thoại của cha, mẹ hoặc người giám hộ."
    problems = [(field, left_empty.get(field, message)) for field, message in problems]
    if not applicant.guardian_consent:
        problems.append(("guardian_consent",
                         "Cha, mẹ hoặc người giám hộ cần đồng ý cho xử lý dữ liệu của người dưới 16 tuổi."))
    if problems:
        raise RegistrationError(problems[0][1], problems[0][0], problems)
    return {"guardian_name": valid_name(applicant.guardian_name, "guardian_name"),
            "guardian_phone": valid_phone(applicant.guardian_phone, "guardian_phone")}
