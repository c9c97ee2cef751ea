"""Admin forms (Vietnamese messages)."""
from wtforms import HiddenField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional

from quiz.infra.converters import BoundedIntegerField
from quiz.privacy.data_requests import KIND_LABELS
from quiz.privacy.staff_actions import REVEAL_CATEGORIES, REVEAL_NOTE_MAX
from quiz.web.form_base import Form

WHOLE_NUMBER = "Vui lòng nhập số nguyên."

REQUIRED = "Vui lòng điền mục này."


class StaffLoginForm(Form):
    username = StringField("Tên đăng nhập", validators=[DataRequired(REQUIRED), Length(max=64)])
    password = PasswordField("Mật khẩu", validators=[DataRequired(REQUIRED), Length(max=128)])


class ChangePasswordForm(Form):
    current = PasswordField("Mật khẩu hiện tại", validators=[DataRequired(REQUIRED)])
    new = PasswordField("Mật khẩu mới (ít nhất 12 ký tự, không phải mật khẩu phổ biến)", validators=[
        DataRequired(REQUIRED), Length(max=128, message="Mật khẩu mới dài tối đa 128 ký tự.")])
    confirm = PasswordField("Nhập lại mật khẩu mới", validators=[
        DataRequired(REQUIRED), EqualTo("new", message="Hai lần nhập mật khẩu mới không khớp.")])


class NoticeForm(Form):
    text = TextAreaField("Nội dung thông báo", validators=[DataRequired(REQUIRED), Length(max=50_000)])


class RequestActionForm(Form):
    """Acknowledge or complete a pending data request (the button's value is the action)."""

    request_id = BoundedIntegerField(validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)])
    action = HiddenField(validators=[DataRequired()])


class ReceiveRequestForm(Form):
    """A request received by letter, phone or at the commune hall."""

    citizen_id = BoundedIntegerField("Mã người dự thi", validators=[InputRequired(WHOLE_NUMBER),
                                                              NumberRange(min=1, max=2**31 - 1)])
    kind = SelectField("Loại yêu cầu", choices=list(KIND_LABELS.items()))
    detail = StringField("Nội dung", validators=[Optional(), Length(max=2000)])


class RetentionForm(Form):
    days = BoundedIntegerField("Số ngày lưu sau đợt thi cuối", validators=[
        InputRequired(WHOLE_NUMBER),
        NumberRange(min=1, max=3650, message="Thời gian lưu từ 1 đến 3.650 ngày.")])


class ReasonForm(Form):
    """Why a staff member needs personal data in full (checked by quiz.audit.require_reason)."""

    reason = StringField("Lý do", validators=[Length(max=500)])


class RevealForm(Form):
    """Why an organizer needs one full phone number: a category and a short note (no names or numbers)."""

    category = SelectField("Lý do xem số", choices=[("", "— Chọn lý do —"), *REVEAL_CATEGORIES.items()],
                           validators=[DataRequired("Vui lòng chọn lý do cần xem số điện thoại đầy đủ.")])
    note = StringField("Ghi chú ngắn (không ghi tên hay số điện thoại)", validators=[Length(max=REVEAL_NOTE_MAX)])
