"""The two forms of "Quên mật khẩu" by SMS code: ask for a code, then type it with the new password."""
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from quiz.web.form_base import Form

REQUIRED = "Vui lòng điền mục này."


class ResetRequestForm(Form):
    phone = StringField("Số điện thoại bạn đã dùng để đăng ký", validators=[DataRequired(REQUIRED), Length(max=25)])


class ResetByCodeForm(Form):
    phone = StringField("Số điện thoại bạn đã dùng để đăng ký", validators=[DataRequired(REQUIRED), Length(max=25)])
    code = StringField("Mã xác minh (6 chữ số trong tin nhắn)", validators=[DataRequired(REQUIRED), Length(max=12)])
    new = PasswordField("Mật khẩu mới (ít nhất 8 ký tự)",
                        validators=[DataRequired(REQUIRED), Length(max=128, message="Mật khẩu quá dài.")])
    confirm = PasswordField("Nhập lại mật khẩu mới", validators=[
        DataRequired(REQUIRED), EqualTo("new", message="Hai lần nhập mật khẩu mới không khớp.")])
