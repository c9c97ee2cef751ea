"""Admin forms (Vietnamese messages)."""
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

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


class CommuneContactForm(FlaskForm):
    office_name = StringField("Nơi hỗ trợ (ví dụ: Bộ phận một cửa UBND xã)", validators=[DataRequired(REQUIRED), Length(max=200)])
    phone = StringField("Số điện thoại liên hệ", validators=[DataRequired(REQUIRED), Length(max=30)])
    address = StringField("Địa chỉ", validators=[DataRequired(REQUIRED), Length(max=300)])
    hours = StringField("Giờ làm việc (ví dụ: Thứ Hai – Thứ Sáu, 7:30–11:30 và 13:30–17:00)", validators=[DataRequired(REQUIRED), Length(max=200)])
