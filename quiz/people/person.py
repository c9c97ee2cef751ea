"""A person's details as typed: one validation shared by registration, assisted registration and corrections."""
from datetime import date

from quiz.errors import RegistrationError
from quiz.infra.extensions import db
from quiz.infra.phones import InvalidPhone, normalise_phone
from quiz.infra.text import clean_text, name_problem
from quiz.models import Commune

OLDEST_AGE = 120


def age_on(birth_date: date, today: date) -> int:
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


def valid_name(raw: str | None, field: str = "full_name") -> str:
    name = clean_text(raw)
    if not 2 <= len(name) <= 100:
        raise RegistrationError("Vui lòng nhập họ và tên đầy đủ (từ 2 đến 100 ký tự).", field)
    if refused := name_problem(name):
        raise RegistrationError(refused, field)
    return name


def valid_birth_date(birth_date: date | None, today: date) -> date:
    if not birth_date or not 0 < age_on(birth_date, today) <= OLDEST_AGE:
        raise RegistrationError("Ngày sinh không hợp lệ. Vui lòng ghi theo ngày/tháng/năm, ví dụ 05/09/1958.", "birth_date")
    return birth_date


def valid_commune(code: str | None, province_code: str) -> Commune:
    """A commune, ward or special zone of the contest's province."""
    commune = db.session.get(Commune, code or "")
    if commune is None or commune.province_code != province_code:
        raise RegistrationError("Vui lòng chọn xã, phường hoặc đặc khu nơi bạn sinh sống.", "commune_code")
    return commune


def valid_phone(raw: str | None, field: str = "phone") -> str:
    """A Vietnamese mobile number in its one canonical form."""
    try:
        return normalise_phone(raw or "")
    except InvalidPhone:
        raise RegistrationError("Số điện thoại di động không hợp lệ. Ví dụ đúng: 0912 345 678.", field) from None
