"""Certificates for organizers: the template, the list with revocation and reissue, bulk issuance."""
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from admin import bp
from admin.access import organizer_required
from admin.certificate_forms import CertificateBatchForm, CertificateTemplateForm
from quiz.certificates.bulk import BulkSettings, batch_path, start_batch
from quiz.certificates.codes import normalise_code
from quiz.certificates.issuing import reissue_certificate, revoke_certificate
from quiz.certificates.template import SEAL_MAX_BYTES, TemplateDraft, current_template, issuer_of, update_template
from quiz.errors import CertificateError
from quiz.infra.clock import utcnow
from quiz.infra.converters import DB_INT_MAX
from quiz.infra.extensions import db
from quiz.infra.public_names import masked_name
from quiz.models import Certificate, CertificateBatch, Round

LISTED = 50


def batch_folder() -> Path:
    return Path(current_app.config["CERTIFICATE_BATCH_DIR"])


def bulk_settings() -> BulkSettings:
    return BulkSettings(current_app.config["CONTEST_TITLE"], current_app.config["PUBLIC_BASE_URL"] or request.url_root)


def _get_or_404(model, object_id: int):  # type: ignore[no-untyped-def]
    found = db.session.get(model, object_id) if 1 <= object_id <= DB_INT_MAX else None
    if found is None:
        abort(404)
    return found


def _read_upload(name: str, limit: int) -> bytes | None:
    """At most `limit` bytes of an uploaded file (None when no file was chosen); its temp file is closed."""
    upload = request.files.get(name)
    if upload is None:
        return None
    try:
        return upload.stream.read(limit) if upload.filename else None
    finally:
        upload.close()


@bp.get("/giay-chung-nhan")
@organizer_required
def certificate_list():  # type: ignore[no-untyped-def]
    typed = (request.args.get("ma") or "")[:80]
    code = normalise_code(typed)
    stmt = select(Certificate).order_by(Certificate.issued_at.desc(), Certificate.id.desc()).limit(LISTED)
    certificates = db.session.scalars(stmt.where(Certificate.code == code) if typed else stmt).all()
    batches = db.session.scalars(select(CertificateBatch).order_by(CertificateBatch.id.desc()).limit(10)).all()
    batch_form = CertificateBatchForm()
    batch_form.process_round_id(_rounds())
    return render_template("admin/certificates/list.html", certificates=certificates, batches=batches,
                           batch_form=batch_form, typed=typed, masked_name=masked_name)


def _rounds() -> list[Round]:
    return list(db.session.scalars(select(Round).order_by(Round.opens_at.desc())))


@bp.post("/giay-chung-nhan/<int:certificate_id>/thu-hoi")
@organizer_required
def certificate_revoke(certificate_id: int):  # type: ignore[no-untyped-def]
    try:
        revoke_certificate(_get_or_404(Certificate, certificate_id).id, current_user.id,
                           request.form.get("reason", ""), utcnow())
        flash("Đã thu hồi giấy chứng nhận.", "success")
    except CertificateError as error:
        flash(error.message, "error")
    return redirect(url_for("admin.certificate_list"))


@bp.post("/giay-chung-nhan/<int:certificate_id>/cap-lai")
@organizer_required
def certificate_reissue(certificate_id: int):  # type: ignore[no-untyped-def]
    try:
        new = reissue_certificate(_get_or_404(Certificate, certificate_id).id, current_user.id,
                                  request.form.get("reason", ""), issuer_of(current_template()), utcnow())
        flash(f"Đã cấp lại, mã mới {new.code}.", "success")
    except CertificateError as error:
        flash(error.message, "error")
    return redirect(url_for("admin.certificate_list"))


@bp.route("/giay-chung-nhan/mau", methods=["GET", "POST"])
@organizer_required
def certificate_template_edit():  # type: ignore[no-untyped-def]
    form = CertificateTemplateForm(obj=current_template())
    if form.validate_on_submit():
        draft = TemplateDraft(form.title.data or "", form.issuer.data or "", form.signer_name.data or "",
                              form.signer_position.data or "")
        try:
            update_template(draft, _read_upload("seal", SEAL_MAX_BYTES + 1), form.remove_seal.data,
                            current_user.id, utcnow())
            flash("Đã lưu mẫu giấy chứng nhận.", "success")
            return redirect(url_for("admin.certificate_template_edit"))
        except CertificateError as problem:
            form.seal.errors = [problem.message]
    return render_template("admin/certificates/template.html", form=form, has_seal=bool(current_template().seal_png))


@bp.post("/giay-chung-nhan/hang-loat")
@organizer_required
def certificate_batch_start():  # type: ignore[no-untyped-def]
    form = CertificateBatchForm()
    form.process_round_id(_rounds())
    if not form.validate():
        flash("Vui lòng chọn đợt thi và loại giấy chứng nhận.", "error")
        return redirect(url_for("admin.certificate_list"))
    try:
        batch = start_batch(current_app._get_current_object(), _get_or_404(Round, form.round_id.data),
                            form.kind.data, current_user.id, bulk_settings(), batch_folder(), utcnow())
    except CertificateError as error:
        flash(error.message, "error")
        return redirect(url_for("admin.certificate_list"))
    return redirect(url_for("admin.certificate_batch_status", batch_id=batch.id))


@bp.get("/giay-chung-nhan/hang-loat/<int:batch_id>")
@organizer_required
def certificate_batch_status(batch_id: int):  # type: ignore[no-untyped-def]
    batch = _get_or_404(CertificateBatch, batch_id)
    return render_template("admin/certificates/batch.html", batch=batch, round=db.session.get(Round, batch.round_id))


@bp.get("/giay-chung-nhan/hang-loat/<int:batch_id>/tai-ve.zip")
@organizer_required
def certificate_batch_download(batch_id: int):  # type: ignore[no-untyped-def]
    batch = _get_or_404(CertificateBatch, batch_id)
    path = batch_path(batch_folder(), batch)
    if batch.status != CertificateBatch.DONE or not path.exists():
        abort(404)
    return send_file(path, mimetype="application/zip", as_attachment=True, download_name=path.name)
