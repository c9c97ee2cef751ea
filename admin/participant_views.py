"""Participants of a commune: the masked list, password resets and assisted registration."""
from flask import current_app, flash, render_template, request
from flask_login import current_user

from admin import bp
from admin.dashboard_views import selected_round
from admin.forms import RevealForm
from quiz.errors import AccountRemoved, RegistrationError
from quiz.infra.clock import to_local, utcnow
from quiz.infra.converters import db_count
from quiz.infra.extensions import limiter
from quiz.models.people import password_cost
from quiz.people.communes import CommuneChoice, province_communes
from quiz.people.consents import current_notice
from quiz.people.registration import DUPLICATE_PHONE, register_citizen
from quiz.people.staff_accounts import reset_citizen_password
from quiz.reports.dashboard import is_digits_search, participants, record_digits_search
from quiz.web.forms import RegisterForm, add_rule_problems, applicant_from, form_field_error
from quiz.web.rate_limits import ASSISTED_PER_HELPER, DIGITS_SEARCHES_PER_STAFF, staff_key


@bp.route("/nguoi-du-thi", methods=["GET", "POST"])
@limiter.limit(DIGITS_SEARCHES_PER_STAFF, key_func=staff_key, methods=["POST"], exempt_when=lambda: not digits_query())
def participant_list():  # type: ignore[no-untyped-def]
    """Searches are POSTed so that names and phone digits never land in URLs or access logs; a search by
    digits is rate limited per staff account and audited (the IDs found, never the digits)."""
    round_ = selected_round()
    commune_code = request.args.get("xa") if current_user.is_organizer else None
    query = request.form.get("q", "").strip()[:100]
    page = participants(current_user, query, request.form.get("page", 1, type=db_count),
                        round_.id if round_ else None, commune_code)
    if digits_query():
        record_digits_search(current_user.id, [c.id for c in page.citizens], len(query.replace(" ", "")), page.total)
    return render_template("admin/participants.html", page=page, round=round_, q=query,
                           reveal_form=RevealForm(formdata=None))


def digits_query() -> bool:
    return request.method == "POST" and is_digits_search(request.form.get("q", "").strip()[:100])


@bp.post("/nguoi-du-thi/<int:citizen_id>/dat-lai-mat-khau")
def reset_password(citizen_id: int):  # type: ignore[no-untyped-def]
    try:
        password = reset_citizen_password(current_user, citizen_id, utcnow(), password_cost())
    except AccountRemoved as error:
        flash(error.message, "error")
        return render_template("admin/password_reset.html", password=None)
    return render_template("admin/password_reset.html", password=password)


@bp.route("/dang-ky-ho", methods=["GET", "POST"])
@limiter.limit(ASSISTED_PER_HELPER, key_func=staff_key, methods=["POST"])
def assisted_register():  # type: ignore[no-untyped-def]
    """A commune helper registers a citizen who is with them (the notice read aloud, consent given in person);
    the page then shows a slip of what the citizen logs in with."""
    communes = province_communes(current_app.config["PROVINCE_CODE"])
    if not current_user.is_organizer:
        communes = tuple(c for c in communes if c.code == current_user.commune_code)
    form, registered = _assisted_form(communes), None
    if form.validate_on_submit():
        try:
            registered = register_citizen(applicant_from(form), current_app.config["PROVINCE_CODE"],
                                          to_local(utcnow()).date(), helper_id=current_user.id)
        except RegistrationError as error:
            form_field_error(form, error)
            _to_the_helper(form)
        else:
            flash(f"Đã đăng ký hộ thành công (mã người dự thi {registered.id}).", "success")
            form = _assisted_form(communes, formdata=None)
    elif form.is_submitted():  # every mistake at once, as on the citizen's own form
        add_rule_problems(form, current_app.config["PROVINCE_CODE"], to_local(utcnow()).date())
        _to_the_helper(form)
    return render_template("admin/assisted_register.html", form=form, communes=communes, notice=current_notice(),
                           registered=registered, commune_names={c.code: c.name for c in communes})


ASSISTED_LABELS = {  # the helper ticks them for the person in front of them: said in the third person
    "consent": "Người dân đã nghe thông báo trên và đồng ý cho Ban Tổ chức xử lý dữ liệu cá nhân của họ (bắt buộc)",
    "publish_consent": "Người dân đồng ý công bố họ tên và xã, phường, đặc khu của họ nếu đoạt giải (không bắt buộc)",
    "guardian_consent": "Cha, mẹ hoặc người giám hộ có mặt và đồng ý cho xử lý dữ liệu của người dưới 16 tuổi",
}


HELPER_WORDING = {  # the citizen's messages, said to the helper in front of them
    DUPLICATE_PHONE: ("Số điện thoại này đã có tài khoản: người dân đăng nhập bằng số này. Nếu họ quên mật khẩu, "
                      "hãy đặt lại mật khẩu tạm cho họ ở trang Người dự thi."),
}


def _to_the_helper(form: RegisterForm) -> None:
    for field in form:
        field.errors = [HELPER_WORDING.get(message, message) for message in field.errors]


def _assisted_form(communes: tuple[CommuneChoice, ...], **kwargs: object) -> RegisterForm:
    form = RegisterForm(**kwargs)
    form.commune_code.choices = [(c.code, c.name) for c in communes]
    if not current_user.is_organizer:
        form.commune_code.data = current_user.commune_code
    for name, text in ASSISTED_LABELS.items():
        form[name].label.text = text
    return form
