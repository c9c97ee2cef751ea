""""Đổi mật khẩu" for citizens: the current password required, forced after a staff reset."""
from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from quiz.citizen import bp
from quiz.web.forms import CitizenPasswordForm
from quiz.web.sign_in import changed_password


@bp.route("/doi-mat-khau", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    """The current password is checked (throttled); the other sessions of the account end."""
    if current_user.is_staff:
        return redirect(url_for("admin.change_password"))
    form = CitizenPasswordForm()
    if form.validate_on_submit() and changed_password(form, "citizen"):
        flash("Đã đổi mật khẩu. Các thiết bị khác đã được đăng xuất.", "success")
        return redirect(url_for("quiz.contest"))
    return render_template("quiz/change_password.html", form=form)
