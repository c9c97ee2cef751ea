"""Personal-data administration: notices, requests and deadlines, revealing a phone, the audit log."""

from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from admin import bp
from admin.access import organizer_required
from admin.forms import NoticeForm, ReceiveRequestForm, RequestActionForm, RetentionForm, RevealForm, first_error
from admin.report_views import cut_off_arg
from quiz.audit import events
from quiz.errors import DomainError, ValidationError
from quiz.infra.clock import utcnow
from quiz.infra.converters import db_id
from quiz.infra.extensions import db
from quiz.models import AuditEvent, PrivacyNotice, StaffUser
from quiz.people.consents import current_notice
from quiz.privacy import data_requests, staff_actions
from quiz.privacy.anonymise import (
    retention_days,
    retention_deadline,
    set_retention_days,
)
from quiz.privacy.staff_actions import publish_notice_version

AUDIT_PAGE_LIMIT = 500


@bp.route("/thong-bao-du-lieu", methods=["GET", "POST"])
@organizer_required
def notices():  # type: ignore[no-untyped-def]
    """Publish a new notice version (older versions are kept unchanged)."""
    form = NoticeForm()
    if form.validate_on_submit():
        try:
            notice = publish_notice_version(form.text.data, current_user.id)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(f"Đã công bố thông báo phiên bản {notice.version}.", "success")
            return redirect(url_for("admin.notices"))
    versions = db.session.scalars(select(PrivacyNotice).order_by(PrivacyNotice.version.desc())).all()
    return render_template("admin/notices.html", versions=versions, current=current_notice())


@bp.route("/yeu-cau-du-lieu", methods=["GET", "POST"])
@organizer_required
def data_request_list():  # type: ignore[no-untyped-def]
    now = utcnow()
    if request.method == "POST":
        try:
            _data_request_action(request.form.get("action", ""), now)
        except DomainError as error:
            flash(error.message, "error")
        return redirect(url_for("admin.data_request_list"))
    return render_template("admin/data_requests.html", pending=data_requests.pending_requests(),
                           overdue={r.id for r in data_requests.overdue_requests(now)},
                           labels=data_requests.KIND_LABELS, retention_days=retention_days(),
                           retention_deadline=retention_deadline())


def _data_request_action(action: str, now: datetime) -> None:
    """One of the page's four forms: acknowledge, complete, receive a request, or set the retention."""
    form = {"receive": ReceiveRequestForm, "retention": RetentionForm}.get(action, RequestActionForm)()
    if not form.validate():
        raise ValidationError(first_error(form))
    if action == "acknowledge":
        data_requests.acknowledge(form.request_id.data, current_user.id, now)
    elif action == "complete":
        data_requests.complete(form.request_id.data, current_user.id, now)
    elif action == "receive":
        data_requests.record_request(form.citizen_id.data, form.kind.data, form.detail.data or "", current_user.id, now)
        flash("Đã ghi nhận yêu cầu.", "success")
    elif action == "retention":
        set_retention_days(form.days.data, current_user.id)


@bp.post("/nguoi-du-thi/<int:citizen_id>/so-dien-thoai")
@organizer_required
def reveal_phone(citizen_id: int):  # type: ignore[no-untyped-def]
    """Show one full phone number: organizers only, with a reason, recorded in the audit log."""
    form = RevealForm()
    try:
        if not form.validate():
            raise ValidationError(first_error(form))
        citizen = staff_actions.reveal_phone(current_user, citizen_id, form.category.data, form.note.data or "")
    except ValidationError as error:
        flash(error.message, "error")
        return redirect(url_for("admin.participant_list"))
    return render_template("admin/reveal_phone.html", citizen=citizen)


@bp.get("/nhat-ky")
@organizer_required
def audit_log():  # type: ignore[no-untyped-def]
    """The audit log: everything a staff member did in a period, or everyone who accessed a citizen."""
    actor = request.args.get("staff", type=db_id)
    citizen = request.args.get("citizen", type=db_id)
    rows = events(actor_id=actor, citizen_id=citizen, action=request.args.get("action") or None,
                  since=cut_off_arg(request.args.get("from")), until=cut_off_arg(request.args.get("to")),
                  limit=AUDIT_PAGE_LIMIT)
    staff = {s.id: s.username for s in db.session.scalars(select(StaffUser))}
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()
    return render_template("admin/audit_log.html", rows=rows, staff=staff, actions=actions, args=request.args,
                           limit=AUDIT_PAGE_LIMIT)
