"""Citizen routes for verifying one's phone by a one-time code (shares the citizen blueprint)."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from quiz.citizen import bp
from quiz.citizen.guards import citizen_required
from quiz.errors import DomainError
from quiz.infra.clock import utcnow
from quiz.infra.phones import mask_phone
from quiz.infra.sms import SmsSender, sender_from_settings
from quiz.people import phone_codes
from quiz.web.rate_limits import client_ip

NO_GATEWAY = ("Chức năng gửi mã qua tin nhắn chưa được bật. Bạn có thể đến UBND xã, phường, đặc khu "
              "để cán bộ xác minh số điện thoại trực tiếp.")


def sms_sender() -> SmsSender | None:
    """The organizer's SMS gateway, or None when SMS_GATEWAY_URL is empty."""
    config = current_app.config
    return sender_from_settings(config["SMS_GATEWAY_URL"], config["SMS_GATEWAY_TOKEN"],
                                config["SMS_GATEWAY_TIMEOUT"], config["SMS_SENDER_ID"])


@bp.route("/xac-minh-so-dien-thoai", methods=["GET", "POST"])
@citizen_required
def verify_phone() -> ResponseReturnValue:
    error, typed = None, request.form.get("code", "")[:12]
    if request.method == "POST":
        try:
            phone_codes.verify_by_code(current_user.id, typed, utcnow())
        except DomainError as problem:
            error = problem.message
        else:
            flash("Đã xác minh số điện thoại của bạn.", "success")
            return redirect(url_for("quiz.contest"))
    return render_template("quiz/verify_phone.html", verified=phone_codes.is_verified(current_user.id),
                           masked_phone=mask_phone(current_user.phone), error=error, typed=typed)


@bp.post("/xac-minh-so-dien-thoai/gui-ma")
@citizen_required
def send_phone_code() -> ResponseReturnValue:
    sender = sms_sender()
    if sender is None:
        flash(NO_GATEWAY, "error")
        return redirect(url_for("quiz.verify_phone"))
    try:
        phone = phone_codes.send_verification(current_user.id, sender, utcnow(), client_ip())
    except DomainError as problem:
        flash(problem.message, "error")
    else:
        flash(f"Đã gửi mã gồm 6 chữ số đến số {mask_phone(phone)}. Mã có hiệu lực 5 phút.", "success")
    return redirect(url_for("quiz.verify_phone"))
