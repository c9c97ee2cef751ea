"""Admin forms (Vietnamese messages)."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional

from quiz.privacy.data_requests import KIND_LABELS

WHOLE_NUMBER = "Vui lòng nhập số nguyên."

REQUIRED = "Vui lòng điền mục này."


class StaffLoginForm(FlaskForm):
    username = StringField("Tên đăng nhập", validators=[DataRequired(REQUIRED), Length(max=64)])
    password = PasswordField("Mật khẩu", validators=[DataRequired(REQUIRED), Length(max=128)])


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Mật khẩu hiện tại", validators=[DataRequired(REQUIRED)])
    new = PasswordField("Mật khẩu mới (ít nhất 10 ký tự)", validators=[
        DataRequired(REQUIRED), Length(min=10, max=128, message="Mật khẩu mới cần từ 10 đến 128 ký tự.")])
    confirm = PasswordField("Nhập lại mật khẩu mới", validators=[
        DataRequired(REQUIRED), EqualTo("new", message="Hai lần nhập mật khẩu mới không khớp.")])


class NoticeForm(FlaskForm):
    text = TextAreaField("Nội dung thông báo", validators=[DataRequired(REQUIRED), Length(max=50_000)])


class RequestActionForm(FlaskForm):
    """Acknowledge or complete a pending data request (the button's value is the action)."""

    request_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)])
    action = HiddenField(validators=[DataRequired()])


class ReceiveRequestForm(FlaskForm):
    """A request received by letter, phone or at the commune hall."""

    citizen_id = IntegerField("Mã người dự thi", validators=[InputRequired(WHOLE_NUMBER),
                                                              NumberRange(min=1, max=2**31 - 1)])
    kind = SelectField("Loại yêu cầu", choices=list(KIND_LABELS.items()))
    detail = StringField("Nội dung", validators=[Optional(), Length(max=2000)])


class RetentionForm(FlaskForm):
    days = IntegerField("Số ngày lưu sau đợt thi cuối", validators=[
        InputRequired(WHOLE_NUMBER),
        NumberRange(min=1, max=3650, message="Thời gian lưu từ 1 đến 3.650 ngày.")])


class ReasonForm(FlaskForm):
    """Why a staff member needs personal data in full (checked by quiz.audit.require_reason)."""

    reason = StringField("Lý do", validators=[Length(max=500)])
