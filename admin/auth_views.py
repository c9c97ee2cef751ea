"""Staff login, logout and the forced password change on first login."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from admin import bp
from admin.forms import ChangePasswordForm, StaffLoginForm
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import StaffUser
from quiz.people.password_change import end_sessions
from quiz.web.sign_in import changed_password, check_password


@bp.route("/dang-nhap", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    form = StaffLoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip()[:64]
        staff = db.session.scalar(select(StaffUser).where(StaffUser.username == username))
        checked = check_password("staff", username.casefold(), staff, form.password.data, utcnow())
        if checked.person is not None:
            login_user(checked.person)
            return redirect(_safe_next() or url_for("admin.index"))
        form.form_errors.append(checked.message)
        return render_template("admin/login.html", form=form), checked.status
    return render_template("admin/login.html", form=form)


def _safe_next() -> str | None:
    """Only a path inside the admin pages (the edge already refused control characters)."""
    target = request.args.get("next", "")
    return target if target.startswith("/quan-tri") and "//" not in target and "\\" not in target else None


@bp.post("/dang-xuat")
def logout():  # type: ignore[no-untyped-def]
    """Log-out ends every session of the account (a copied cookie too)."""
    end_sessions(current_user)
    logout_user()
    return redirect(url_for("admin.login"))


@bp.route("/doi-mat-khau", methods=["GET", "POST"])
def change_password():  # type: ignore[no-untyped-def]
    form = ChangePasswordForm()
    if form.validate_on_submit() and changed_password(form, "staff"):
        flash("Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc.", "success")
        return redirect(url_for("admin.index"))
    return render_template("admin/change_password.html", form=form)
