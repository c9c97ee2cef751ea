"""The "Dữ liệu của tôi" pages: a citizen's own data and rights (routes on the citizen blueprint)."""
import json

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user

from quiz.citizen import bp
from quiz.citizen.guards import citizen_required
from quiz.citizen.registration_views import commune_options
from quiz.errors import DomainError, RegistrationError
from quiz.infra.clock import to_local, utcnow
from quiz.people.communes import province_communes
from quiz.people.consents import current_notice
from quiz.privacy.my_data import (
    correct_details,
    delete_my_data,
    give_optional_consent,
    object_to_processing,
    personal_data,
    publishes_name,
    withdraw_optional_consent,
)
from quiz.privacy.my_data_text import for_citizen
from quiz.web.forms import (
    CorrectionForm,
    DeleteForm,
    ObjectionForm,
    form_field_error,
)


def correction_form() -> CorrectionForm:
    form = CorrectionForm(data={"full_name": current_user.full_name, "commune_code": current_user.commune_code,
                                "birth_date": current_user.birth_date.strftime("%d/%m/%Y") if current_user.birth_date else ""})
    form.commune_code.choices = [(c.code, c.name) for c in province_communes(current_app.config["PROVINCE_CODE"])]
    return form


def render_page(form: CorrectionForm | None = None, delete_form: DeleteForm | None = None) -> str:
    form = form or correction_form()
    options = commune_options(province_communes(current_app.config["PROVINCE_CODE"]), form.commune_code.data)
    return render_template("quiz/my_data.html", data=personal_data(current_user), form=form,
                           delete_form=delete_form or DeleteForm(formdata=None), objection_form=ObjectionForm(),
                           publishes=publishes_name(current_user.id), commune_options=options,
                           notice=current_notice())


@bp.get("/du-lieu-cua-toi")
@citizen_required
def my_data() -> ResponseReturnValue:
    return render_page()


@bp.get("/du-lieu-cua-toi/tai-ve.<fmt>")
@citizen_required
def my_data_download(fmt: str) -> ResponseReturnValue:
    data = for_citizen(personal_data(current_user))
    if fmt == "json":
        body, mimetype = json.dumps(data, ensure_ascii=False, indent=2), "application/json"
    elif fmt == "html":
        body, mimetype = render_template("quiz/my_data_download.html", data=data), "text/html"
    else:
        return redirect(url_for("quiz.my_data"))
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename=du-lieu-cua-toi.{fmt}"})


@bp.post("/du-lieu-cua-toi/sua")
@citizen_required
def my_data_correct() -> ResponseReturnValue:
    form = CorrectionForm()
    form.commune_code.choices = [(c.code, c.name) for c in province_communes(current_app.config["PROVINCE_CODE"])]
    if form.validate_on_submit():
        try:
            changed = correct_details(current_user.id, form.full_name.data, form.birth_date.parsed,
                                      form.commune_code.data, current_app.config["PROVINCE_CODE"],
                                      to_local(utcnow()).date())
        except RegistrationError as error:
            form_field_error(form, error)
        else:
            flash("Đã cập nhật thông tin." if changed else "Thông tin không thay đổi.", "success")
            return redirect(url_for("quiz.my_data"))
    return render_page(form)


@bp.post("/du-lieu-cua-toi/dong-y-cong-bo")
@citizen_required
def my_data_consent() -> ResponseReturnValue:
    try:
        given = give_optional_consent(current_user.id)
    except DomainError as refusal:
        flash(refusal.message, "error")
    else:
        flash("Đã ghi nhận: nếu đoạt giải, họ tên (đã che chữ cuối) và xã, phường của bạn được công bố. Bạn có thể "
              "rút lại bất cứ lúc nào." if given else "Bạn đã đồng ý công bố tên từ trước.", "success")
    return redirect(url_for("quiz.my_data"))


@bp.post("/du-lieu-cua-toi/rut-dong-y")
@citizen_required
def my_data_withdraw() -> ResponseReturnValue:
    withdrawn = withdraw_optional_consent(current_user.id, utcnow())
    flash("Đã rút lại sự đồng ý công bố tên khi đoạt giải." if withdrawn else "Bạn chưa đồng ý công bố tên.", "success")
    return redirect(url_for("quiz.my_data"))


@bp.post("/du-lieu-cua-toi/phan-doi")
@citizen_required
def my_data_object() -> ResponseReturnValue:
    form = ObjectionForm()
    if form.validate_on_submit():
        try:
            request = object_to_processing(current_user.id, form.detail.data, utcnow())
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(f"Đã ghi nhận yêu cầu; Ban Tổ chức sẽ trả lời trước {to_local(request.complete_by):%d/%m/%Y}.", "success")
    else:
        flash("Vui lòng ghi nội dung phản đối.", "error")
    return redirect(url_for("quiz.my_data"))


@bp.post("/du-lieu-cua-toi/xoa")
@citizen_required
def my_data_delete() -> ResponseReturnValue:
    form = DeleteForm()
    if not form.validate_on_submit():  # the box, at the foot of a long page, says it (a flash at the top did)
        return render_page(delete_form=form), 400
    delete_my_data(current_user.id, utcnow())
    logout_user()
    flash("Dữ liệu cá nhân của bạn đã được xóa. Cảm ơn bạn đã tham gia cuộc thi.", "success")
    return redirect(url_for("quiz.home"))
