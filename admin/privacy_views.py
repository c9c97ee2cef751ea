"""Personal-data administration: notices, requests and deadlines, revealing a phone, the audit log."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from admin import bp
from admin.access import citizen_for_staff, organizer_required
from admin.report_views import cut_off_arg
from quiz.audit import events, record
from quiz import data_requests
from quiz.anonymise import retention_days, retention_deadline, set_retention_days
from quiz.clock import utcnow
from quiz.converters import DB_INT_MAX, db_id, read_int
from quiz.errors import DomainError
from quiz.extensions import db
from quiz.models import AuditEvent, PrivacyNotice, StaffUser
from quiz.text import clean_text
from quiz.privacy import current_notice, publish_notice

AUDIT_PAGE_LIMIT = 500
REVEAL_CATEGORIES = {"trao_giai": "Liên hệ trao giải", "ho_tro": "Hỗ trợ người dự thi theo yêu cầu của họ",
                     "yeu_cau_du_lieu": "Xử lý yêu cầu về dữ liệu cá nhân", "xac_minh": "Xác minh khiếu nại, gian lận"}
REVEAL_NOTE_MAX = 120


@bp.route("/thong-bao-du-lieu", methods=["GET", "POST"])
@organizer_required
def notices():  # type: ignore[no-untyped-def]
    """Publish a new notice version (older versions are kept unchanged)."""
    if request.method == "POST":
        text = (request.form.get("text") or "").strip()
        if len(text) < 100:
            flash("Thông báo quá ngắn: cần nêu bên xử lý, dữ liệu, mục đích, thời gian lưu và quyền.", "error")
        else:
            notice = publish_notice(text, current_user.id)
            record(current_user.id, "publish_notice", "notice", [notice.id])
            db.session.commit()
            flash(f"Đã công bố thông báo phiên bản {notice.version}.", "success")
            return redirect(url_for("admin.notices"))
    versions = db.session.scalars(select(PrivacyNotice).order_by(PrivacyNotice.version.desc())).all()
    return render_template("admin/notices.html", versions=versions, current=current_notice())


@bp.route("/yeu-cau-du-lieu", methods=["GET", "POST"])
@organizer_required
def data_request_list():  # type: ignore[no-untyped-def]
    now = utcnow()
    if request.method == "POST":
        request_id = request.form.get("request_id", type=db_id)
        action = request.form.get("action")
        try:
            if action == "acknowledge":
                data_requests.acknowledge(request_id, current_user.id, now)
            elif action == "complete":
                data_requests.complete(request_id, current_user.id, now)
            elif action == "receive":
                data_requests.record_request(request.form.get("citizen_id", type=db_id) or 0,
                                             request.form.get("kind", ""), request.form.get("detail", ""),
                                             current_user.id, now)
                flash("Đã ghi nhận yêu cầu.", "success")
            elif action == "retention":
                set_retention_days(read_int(request.form, "days", 0, -DB_INT_MAX), current_user.id)
        except DomainError as error:
            flash(error.message, "error")
        return redirect(url_for("admin.data_request_list"))
    return render_template("admin/data_requests.html", pending=data_requests.pending_requests(),
                           overdue={r.id for r in data_requests.overdue_requests(now)},
                           labels=data_requests.KIND_LABELS, retention_days=retention_days(),
                           retention_deadline=retention_deadline())


@bp.post("/nguoi-du-thi/<int:citizen_id>/so-dien-thoai")
@organizer_required
def reveal_phone(citizen_id: int):  # type: ignore[no-untyped-def]
    """Show one full phone number: organizers only, with a reason, recorded in the audit log."""
    category, note = request.form.get("category", ""), clean_text(request.form.get("note"))[:REVEAL_NOTE_MAX]
    if category not in REVEAL_CATEGORIES:
        flash("Vui lòng chọn lý do cần xem số điện thoại đầy đủ.", "error")
        return redirect(url_for("admin.participant_list"))
    citizen = citizen_for_staff(current_user, citizen_id)
    record(current_user.id, "reveal_phone", "citizen", [citizen.id], changes={"category": category},
           reason=f"{REVEAL_CATEGORIES[category]}: {note}" if note else REVEAL_CATEGORIES[category])
    db.session.commit()
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
