""""Quên mật khẩu": the commune help desk's contact, and (with an SMS gateway) a reset by one-time code.

The citizen chooses the commune (as at registration) rather than typing a phone number, so the contact
part never tells anyone where a given phone number is registered. The SMS part answers the same for
any phone (quiz.people.password_reset); after a reset the citizen logs in with the new password.
"""
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from quiz.citizen import bp
from quiz.citizen.phone_views import sms_sender
from quiz.citizen.views import LOGIN_PHONE
from quiz.errors import DomainError
from quiz.infra.clock import utcnow
from quiz.models.people import password_cost
from quiz.people import password_reset
from quiz.people.commune_contacts import commune_contact
from quiz.people.communes import province_communes
from quiz.web.forms import form_field_error
from quiz.web.rate_limits import client_ip
from quiz.web.reset_forms import ResetByCodeForm, ResetRequestForm

RESET_PHONE = "reset_phone"  # the phone typed at step 1, so step 2 need not ask for it again
SENT = ("Nếu số điện thoại này đã đăng ký, chúng tôi vừa gửi tin nhắn có mã 6 chữ số (hiệu lực 5 phút). "
        "Nếu vài phút sau chưa nhận được, hãy gửi lại hoặc liên hệ xã, phường nơi bạn đăng ký.")
DONE = "Đã đặt mật khẩu mới. Các thiết bị khác đã được đăng xuất. Vui lòng đăng nhập bằng mật khẩu mới."


@bp.get("/quen-mat-khau")
def forgot_password() -> ResponseReturnValue:
    return _forgot_page(ResetRequestForm() if sms_sender() else None)


@bp.post("/quen-mat-khau/gui-ma")
def send_reset_code() -> ResponseReturnValue:
    sender = sms_sender() or abort(404)
    form = ResetRequestForm()
    if form.validate_on_submit():
        try:
            session[RESET_PHONE] = password_reset.request_reset(form.phone.data, sender, utcnow(), client_ip())
        except DomainError as problem:
            form_field_error(form, problem)
        else:
            flash(SENT, "success")
            return redirect(url_for("quiz.reset_password"))
    return _forgot_page(form), 400


@bp.route("/quen-mat-khau/dat-lai", methods=["GET", "POST"])
def reset_password() -> ResponseReturnValue:
    if sms_sender() is None:
        abort(404)
    form = ResetByCodeForm(phone=session.get(RESET_PHONE, ""))
    if form.validate_on_submit():
        try:
            password_reset.reset_with_code(form.phone.data, form.code.data, form.new.data, password_cost(), utcnow())
        except DomainError as problem:
            form_field_error(form, problem)
        else:
            session[LOGIN_PHONE] = session.pop(RESET_PHONE, None) or form.phone.data
            flash(DONE, "success")
            return redirect(url_for("quiz.login"))
    return render_template("quiz/reset_password.html", form=form)


def _forgot_page(request_form: ResetRequestForm | None) -> str:
    communes = province_communes(current_app.config["PROVINCE_CODE"])
    chosen = next((c for c in communes if c.code == request.args.get("xa", "")), None)
    contact = commune_contact(chosen.code) if chosen else None
    unchosen = "xa" in request.args and chosen is None  # "Xem cách liên hệ" with nothing chosen reloaded silently
    return render_template("quiz/forgot_password.html", communes=communes, chosen=chosen, contact=contact,
                           request_form=request_form, unchosen=unchosen)

