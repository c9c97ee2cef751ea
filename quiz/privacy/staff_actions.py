"""What staff do with personal data, each in one audited transaction: notices, revealing a phone, retention."""
from quiz.audit import record, require_reason
from quiz.errors import ValidationError
from quiz.infra.database import write_transaction
from quiz.models import Citizen, PrivacyNotice, StaffUser
from quiz.people.consents import publish_notice
from quiz.people.scope import citizen_for_staff

NOTICE_MIN_LENGTH = 100


def publish_notice_version(text: str, staff_id: int) -> PrivacyNotice:
    """A new notice version (older versions are kept unchanged), audited."""
    text = (text or "").strip()
    if len(text) < NOTICE_MIN_LENGTH:
        raise ValidationError("Thông báo quá ngắn: cần nêu bên xử lý, dữ liệu, mục đích, thời gian lưu và quyền.",
                              "text")
    with write_transaction():
        notice = publish_notice(text, staff_id)
        record(staff_id, "publish_notice", "notice", [notice.id])
    return notice


def reveal_phone(staff: StaffUser, citizen_id: int, reason: str) -> Citizen:
    """One full phone number for a stated reason, recorded in the audit log (the citizen's ID only)."""
    reason = require_reason(reason, "xem số điện thoại đầy đủ")
    with write_transaction():
        citizen = citizen_for_staff(staff, citizen_id)
        record(staff.id, "reveal_phone", "citizen", [citizen.id], reason=reason)
    return citizen
