"""Forms of a person's details (registration, log-in, corrections), shared by the citizen pages and assisted registration; Vietnamese messages (WTForms ships none)."""
import re
import unicodedata
from datetime import date
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from quiz.errors import DomainError, RegistrationError
from quiz.infra.converters import db_id
from quiz.people.registration import Applicant, applicant_problems
from quiz.web.form_base import Form

REQUIRED = "Vui lòng điền mục này."


def composed(value: Any) -> Any:
    """Text in NFC before any length is checked: some keyboards send "ễ" as e and two combining marks."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


class DateTypingError(ValueError):
    """A date of birth that cannot be read; the message says how to write it."""


EXAMPLE = "ví dụ 05/09/1958 hoặc 05091958"
_SEPARATED = re.compile(r"^(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d+)$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_vn_date(text: str) -> date:
    """A date of birth as a phone keyboard types it: 05/09/1958, 5/9/1958, 05-09-1958, 05.09.1958,
    5 9 1958, 05091958 or 1958-09-05; a two-digit year or an impossible date raises DateTypingError."""
    cleaned = " ".join((text or "").split())
    if match := _ISO.match(cleaned):
        year, month, day = match.groups()
    elif cleaned.isdigit() and len(cleaned) == 8:
        day, month, year = cleaned[:2], cleaned[2:4], cleaned[4:]
    elif match := _SEPARATED.match(cleaned):
        day, month, year = match.groups()
    elif cleaned.isdigit() and len(cleaned) == 6:
        raise DateTypingError(f"Vui lòng ghi năm đủ 4 chữ số, {EXAMPLE}.")
    else:
        raise DateTypingError(f"Ngày sinh cần ghi theo ngày/tháng/năm, {EXAMPLE}.")
    if len(year) != 4:
        raise DateTypingError(f"Vui lòng ghi năm đủ 4 chữ số, {EXAMPLE}.")
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise DateTypingError(f"Ngày {day}/{month}/{year} không có trên lịch. Vui lòng kiểm tra lại, "
                              f"{EXAMPLE}.") from None


class VietnameseDateField(StringField):
    """A date typed as dd/mm/yyyy (or as the numeric keypad allows): easier than a date picker."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        self.parsed: date | None = None
        self.typing_error = ""
        try:
            self.parsed = parse_vn_date(self.data or "")
        except DateTypingError as error:
            self.typing_error = str(error)

    def pre_validate(self, form: Form) -> None:
        if self.data and getattr(self, "parsed", None) is None:
            raise ValidationError(getattr(self, "typing_error", "") or f"Ngày sinh cần ghi theo ngày/tháng/năm, {EXAMPLE}.")


class RegisterForm(Form):
    full_name = StringField("Họ và tên", filters=[composed], validators=[DataRequired(REQUIRED), Length(max=100, message="Họ tên quá dài.")])
    birth_date = VietnameseDateField("Ngày sinh (ngày/tháng/năm)", validators=[DataRequired(REQUIRED)])
    phone = StringField("Số điện thoại di động", validators=[DataRequired(REQUIRED), Length(max=25, message="Số điện thoại quá dài.")])
    commune_code = SelectField("Xã, phường, đặc khu nơi sinh sống", validators=[DataRequired("Vui lòng chọn xã, phường hoặc đặc khu.")], validate_choice=False)
    password = PasswordField("Mật khẩu (ít nhất 8 ký tự)", validators=[DataRequired(REQUIRED), Length(max=128, message="Mật khẩu quá dài.")])
    guardian_name = StringField("Họ tên cha, mẹ hoặc người giám hộ", filters=[composed], validators=[Length(max=100)])
    guardian_phone = StringField("Số điện thoại của người giám hộ", validators=[Length(max=25)])
    guardian_consent = BooleanField("Tôi là cha, mẹ hoặc người giám hộ và đồng ý cho xử lý dữ liệu của con/người được giám hộ",
                                    description="Đồng ý của người giám hộ")  # descriptions: short names in the error summary
    consent = BooleanField("Tôi đã đọc và đồng ý cho Ban Tổ chức xử lý dữ liệu cá nhân của tôi theo thông báo trên (bắt buộc)",
                           description="Đồng ý xử lý dữ liệu")
    publish_consent = BooleanField("Tôi đồng ý công bố họ tên và xã, phường, đặc khu của tôi nếu đoạt giải (không bắt buộc)")


    def validate_phone(self, field: Field) -> None:
        """Shown with the other field errors at once, not only after they are fixed."""
        from quiz.infra.phones import InvalidPhone, normalise_phone
        try:
            normalise_phone(field.data or "")
        except InvalidPhone:
            raise ValidationError("Số điện thoại di động không hợp lệ. Ví dụ đúng: 0912 345 678.") from None


class LoginForm(Form):
    phone = StringField("Số điện thoại", validators=[DataRequired(REQUIRED), Length(max=25)])
    password = PasswordField("Mật khẩu", validators=[DataRequired(REQUIRED), Length(max=128)])


class CitizenPasswordForm(Form):
    current = PasswordField("Mật khẩu hiện tại (hoặc mật khẩu tạm cán bộ đưa)", validators=[DataRequired(REQUIRED), Length(max=128)])
    new = PasswordField("Mật khẩu mới (ít nhất 8 ký tự)", validators=[DataRequired(REQUIRED), Length(max=128, message="Mật khẩu quá dài.")])
    confirm = PasswordField("Nhập lại mật khẩu mới", validators=[
        DataRequired(REQUIRED), EqualTo("new", message="Hai lần nhập mật khẩu mới không khớp.")])


class CorrectionForm(Form):
    full_name = StringField("Họ và tên", filters=[composed], validators=[DataRequired(REQUIRED), Length(max=100, message="Họ tên quá dài.")])
    birth_date = VietnameseDateField("Ngày sinh (ngày/tháng/năm)", validators=[DataRequired(REQUIRED)])
    commune_code = SelectField("Xã, phường, đặc khu nơi sinh sống", validate_choice=False)


class DeleteForm(Form):
    confirm = BooleanField("Tôi hiểu: họ tên, số điện thoại, ngày sinh của tôi sẽ bị xóa vĩnh viễn, tôi không đăng nhập "
                           "được nữa; kết quả thi được giữ ẩn danh cho số liệu thống kê.",
                           validators=[DataRequired("Vui lòng đánh dấu xác nhận trước khi xóa.")])


class ObjectionForm(Form):
    detail = StringField("Nội dung phản đối", validators=[DataRequired(REQUIRED), Length(max=2000)])


def applicant_from(form: RegisterForm) -> Applicant:
    """The typed registration data as the domain's Applicant (the birth date None when it could not be read)."""
    return Applicant(
        full_name=form.full_name.data, birth_date=getattr(form.birth_date, "parsed", None), phone=form.phone.data,
        commune_code=form.commune_code.data, password=form.password.data,
        consent=form.consent.data, publish_consent=form.publish_consent.data,
        guardian_name=form.guardian_name.data or "", guardian_phone=form.guardian_phone.data or "",
        guardian_consent=form.guardian_consent.data,
        notice_version_seen=request.form.get("notice_version", type=db_id))


def form_field_error(form: FlaskForm, error: DomainError) -> None:
    """Show each problem of a domain error next to its field (or above the form)."""
    for name, message in error.problems:
        field = getattr(form, name or "", None)
        if field is not None:
            field.errors = list(field.errors) + [message]
        else:
            form.form_errors.append(message)


def add_rule_problems(form: RegisterForm, province_code: str, today: date) -> None:
    """The contest's rules too, for the fields the form's own checks passed: all errors in one submit
    (a registration by a citizen or by a helper for one)."""
    problems = applicant_problems(applicant_from(form), province_code, today)
    fresh = [(name, message) for name, message in problems if not getattr(form, name).errors]
    if fresh:
        form_field_error(form, RegistrationError(fresh[0][1], fresh[0][0], fresh))
