"""What staff do with personal data, each in one audited transaction: notices, revealing a phone, retention."""
from quiz.audit import record
from quiz.errors import ValidationError
from quiz.infra.database import write_transaction
from quiz.infra.text import clean_text
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


REVEAL_CATEGORIES = {"trao_giai": "Liên hệ trao giải", "ho_tro": "Hỗ trợ người dự thi theo yêu cầu của họ",
                     "yeu_cau_du_lieu": "Xử lý yêu cầu về dữ liệu cá nhân", "xac_minh": "Xác minh khiếu nại, gian lận"}
REVEAL_NOTE_MAX = 120


def reveal_phone(staff: StaffUser, citizen_id: int, category: str, note: str = "") -> Citizen:
    """One full phone number for a reason category (plus a short note), recorded in the audit log (the
    citizen's ID only). A category rather than free text: what staff type tends to name the person."""
    if category not in REVEAL_CATEGORIES:
        raise ValidationError("Vui lòng chọn lý do cần xem số điện thoại đầy đủ.", "category")
    note = clean_text(note)[:REVEAL_NOTE_MAX]
    with write_transaction():
        citizen = citizen_for_staff(staff, citizen_id)
        record(staff.id, "reveal_phone", "citizen", [citizen.id], changes={"category": category},
               reason=f"{REVEAL_CATEGORIES[category]}: {note}" if note else REVEAL_CATEGORIES[category])
    return citizen
