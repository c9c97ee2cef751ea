"""Data-subject requests and their legal deadlines (Decree 356/2025): acknowledge in 2 working days, finish in 15 days."""
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from quiz.audit import record
from quiz.errors import DomainError
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.models import Citizen, DataRequest
from quiz.privacy.anonymise import anonymise

KIND_LABELS = {"deletion": "Xóa dữ liệu", "correction": "Sửa dữ liệu", "objection": "Phản đối xử lý",
               "access": "Cung cấp dữ liệu"}
ACKNOWLEDGE_WORKING_DAYS = 2
COMPLETE_DAYS = 15


def add_working_days(start: datetime, days: int) -> datetime:
    """`days` working days (Monday to Friday) after `start`."""
    moment = start
    while days:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


def open_request(citizen_id: int, kind: str, detail: str, now: datetime) -> DataRequest:
    """Record a request with its deadlines (the caller commits); one open request of each kind per citizen."""
    already = db.session.scalar(select(DataRequest.id).where(
        DataRequest.citizen_id == citizen_id, DataRequest.kind == kind, DataRequest.completed_at.is_(None)).limit(1))
    if already is not None:
        raise DomainError(f"Đã có một yêu cầu “{KIND_LABELS.get(kind, kind)}” đang chờ xử lý. Ban Tổ chức sẽ trả lời "
                          "yêu cầu đó trước; bạn chưa cần gửi thêm.")
    request = DataRequest(citizen_id=citizen_id, kind=kind, detail=detail[:2000], received_at=now,
                          acknowledge_by=add_working_days(now, ACKNOWLEDGE_WORKING_DAYS),
                          complete_by=now + timedelta(days=COMPLETE_DAYS))
    db.session.add(request)
    return request


def pending_requests() -> list[DataRequest]:
    """Requests not completed yet, the most urgent first."""
    stmt = select(DataRequest).where(DataRequest.completed_at.is_(None)).order_by(DataRequest.complete_by)
    return list(db.session.scalars(stmt))


def overdue_requests(now: datetime) -> list[DataRequest]:
    """Requests past a deadline: not acknowledged in time, or not completed in time."""
    stmt = select(DataRequest).where(DataRequest.completed_at.is_(None), or_(
        (DataRequest.acknowledged_at.is_(None)) & (DataRequest.acknowledge_by < now),
        DataRequest.complete_by < now)).order_by(DataRequest.complete_by)
    return list(db.session.scalars(stmt))


def is_overdue(request: DataRequest, now: datetime) -> bool:
    """True when a deadline of an unfinished request has passed."""
    if request.completed_at:
        return False
    return request.complete_by < now or (request.acknowledged_at is None and request.acknowledge_by < now)


class UnknownRequest(DomainError):
    """No such data request."""


def _request(request_id: int | None) -> DataRequest:
    request = db.session.get(DataRequest, request_id) if request_id else None
    if request is None:
        raise UnknownRequest("Không tìm thấy yêu cầu này.")
    return request


def record_request(citizen_id: int, kind: str, detail: str, staff_id: int, now: datetime) -> DataRequest:
    """Record a request received by letter, phone or at the commune hall (audited, IDs only)."""
    if kind not in KIND_LABELS:
        raise UnknownRequest("Loại yêu cầu không hợp lệ.")
    with write_transaction():
        if db.session.get(Citizen, citizen_id) is None:
            raise UnknownRequest("Không tìm thấy người dự thi có mã này.")
        request = open_request(citizen_id, kind, detail, now)
        db.session.flush()
        record(staff_id, "data_request_received", "citizen", [citizen_id], changes={"request_id": request.id})
    return request


def acknowledge(request_id: int, staff_id: int, now: datetime) -> DataRequest:
    """Mark a request as acknowledged to the citizen (audited)."""
    with write_transaction():
        request = _request(request_id)
        request.acknowledged_at, request.handled_by_id, request.status = now, staff_id, "acknowledged"
        record(staff_id, "data_request_acknowledged", "citizen", [request.citizen_id],
               changes={"request_id": request.id})
    return request


def complete(request_id: int, staff_id: int, now: datetime) -> DataRequest:
    """Mark a request as done; completing a deletion request anonymises the citizen (audited)."""
    with write_transaction():
        request = _request(request_id)
        request.acknowledged_at = request.acknowledged_at or now
        request.completed_at, request.handled_by_id, request.status = now, staff_id, "completed"
        citizen = db.session.get(Citizen, request.citizen_id)
        assert citizen is not None, "a request's citizen row stays (deletion anonymises it, never removes it)"
        if request.kind == "deletion" and citizen.is_active:
            anonymise(citizen, now)
        record(staff_id, "data_request_completed", "citizen", [request.citizen_id],
               changes={"request_id": request.id, "kind": request.kind})
    return request
