"""Staff login, logout and the forced password change on first login."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from admin import bp
from admin.forms import ChangePasswordForm, StaffLoginForm
from quiz.errors import ValidationError
from quiz.people.staff_accounts import authenticate_staff, change_staff_password
from quiz.web.forms import form_field_error


@bp.route("/dang-nhap", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    form = StaffLoginForm()
    if form.validate_on_submit():
        staff = authenticate_staff(form.username.data, form.password.data)
        if staff is not None:
            login_user(staff)
            return redirect(_safe_next() or url_for("admin.index"))
        form.form_errors.append("Tên đăng nhập hoặc mật khẩu chưa đúng.")
    return render_template("admin/login.html", form=form)


def _safe_next() -> str | None:
    target = request.args.get("next", "")
    return target if target.startswith("/quan-tri") and "//" not in target else None


@bp.post("/dang-xuat")
def logout():  # type: ignore[no-untyped-def]
    logout_user()
    return redirect(url_for("admin.login"))


@bp.route("/doi-mat-khau", methods=["GET", "POST"])
def change_password():  # type: ignore[no-untyped-def]
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_staff_password(current_user, form.current.data, form.new.data)
        except ValidationError as error:
            form_field_error(form, error)
        else:
            flash("Đã đổi mật khẩu.", "success")
            return redirect(url_for("admin.index"))
    return render_template("admin/change_password.html", form=form)
