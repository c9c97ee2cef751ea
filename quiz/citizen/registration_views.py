"""Self-registration: every error of a submit shown at once, and a rate limit that keeps what was typed."""
import math
import time
from datetime import date
from functools import lru_cache

from flask import Response, current_app, flash, make_response, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_limiter import RequestLimit
from flask_login import login_user
from jinja2 import Template
from markupsafe import Markup

from quiz.citizen import bp
from quiz.errors import RegistrationError
from quiz.infra.clock import to_local, utcnow
from quiz.infra.extensions import limiter
from quiz.people import referrals
from quiz.people.communes import CommuneChoice, province_communes
from quiz.people.consents import current_notice
from quiz.people.registration import DUPLICATE_PHONE, register_citizen
from quiz.web.client_signals import client_keys
from quiz.web.forms import RegisterForm, add_rule_problems, applicant_from, form_field_error
from quiz.web.rate_limits import PER_IP, REGISTER_PER_PHONE, client_ip, phone_key


def registration_rate_limited(request_limit: RequestLimit) -> Response:
    """The form again, as typed, saying in minutes how long to wait (instead of "too fast")."""
    minutes = max(1, math.ceil((request_limit.window.reset_time - time.time()) / 60))
    form = RegisterForm()
    who = "Số điện thoại này đã được" if "phone:" in request_limit.key else "Mạng bạn đang dùng đã được"
    form.form_errors.append(f"{who} thử đăng ký nhiều lần. Vui lòng chờ khoảng {minutes} phút "
                            "rồi bấm “Đăng ký” lại. Những gì bạn đã điền vẫn được giữ bên dưới.")
    return make_response(render_register(form), 429)


@bp.route("/dang-ky", methods=["GET", "POST"])
@limiter.limit(PER_IP, key_func=client_ip, methods=["POST"], on_breach=registration_rate_limited)
@limiter.limit(REGISTER_PER_PHONE, key_func=phone_key, methods=["POST"], on_breach=registration_rate_limited)
def register() -> ResponseReturnValue:
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            citizen = register_citizen(applicant_from(form), current_app.config["PROVINCE_CODE"], today(),
                                       signals=client_keys())
        except RegistrationError as error:
            form_field_error(form, error)
            if error.field == "consent" and len(error.problems) == 1:
                form.consent.data = False  # a new notice: consent must be given again to the text now shown
        else:
            referrals.attribute(citizen.id, session.pop(referrals.SESSION_KEY, None))
            login_user(citizen)
            flash("Đăng ký thành công. Chúc bạn làm bài tốt!", "success")
            return redirect(url_for("quiz.contest"))
    elif form.is_submitted():
        add_rule_problems(form, current_app.config["PROVINCE_CODE"], today())
    return render_register(form)


def today() -> date:
    return to_local(utcnow()).date()


def render_register(form: RegisterForm) -> str:
    """The page; the communes are read only here, as a submit that succeeds shows none of them."""
    communes = province_communes(current_app.config["PROVINCE_CODE"])
    return render_template("quiz/register.html", form=form, notice=current_notice(),
                           commune_options=commune_options(communes, form.commune_code.data),
                           duplicate_phone=DUPLICATE_PHONE in form.phone.errors)


def commune_options(communes: tuple[CommuneChoice, ...], selected: str | None) -> Markup:
    """The select's optgroups, rendered once per commune list and chosen commune (a third of the template's rendering time)."""
    template = current_app.jinja_env.get_template("quiz/_commune_options.html")  # a new object once reloaded
    chosen = selected if any(c.code == selected for c in communes) else None  # any other value selects nothing
    return _rendered_options(template, communes, chosen)


@lru_cache(maxsize=128)  # every commune chosen, and none, for the current list: no more than 115 keys
def _rendered_options(template: Template, communes: tuple[CommuneChoice, ...], selected: str | None) -> Markup:
    return Markup(template.render(communes=communes, selected=selected))
