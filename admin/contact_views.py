"""A commune's help-desk contact, kept by its commune admin (organizers may edit any commune's)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from admin import bp
from admin.access import check_commune
from admin.forms import CommuneContactForm
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import Commune
from quiz.people.commune_contacts import ContactFields, commune_contact, save_commune_contact


@bp.route("/lien-he-xa", methods=["GET", "POST"])
def commune_contact_edit():  # type: ignore[no-untyped-def]
    code = current_user.commune_code if not current_user.is_organizer else request.args.get("xa", "")
    check_commune(current_user, code)
    commune = db.session.get(Commune, code)
    if commune is None:
        abort(404)
    contact = commune_contact(code)
    form = CommuneContactForm(obj=contact)
    if form.validate_on_submit():
        fields = ContactFields(form.office_name.data, form.phone.data, form.address.data, form.hours.data)
        save_commune_contact(code, fields, current_user.id, utcnow())
        flash("Đã lưu thông tin liên hệ. Người dự thi thấy thông tin này ở trang “Quên mật khẩu”.", "success")
        return redirect(url_for("admin.commune_contact_edit", xa=code))
    return render_template("admin/commune_contact.html", form=form, commune=commune, contact=contact)
