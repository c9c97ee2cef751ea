"""Admin forms (Vietnamese messages)."""
from quiz.form_base import Form
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

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
