"""Reading and saving a commune's help-desk contact (shown on "Quên mật khẩu")."""
from dataclasses import dataclass
from datetime import datetime

from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.infra.text import clean_text
from quiz.models import CommuneContact


@dataclass(frozen=True)
class ContactFields:
    """What a commune admin types: office, phone, address, hours."""

    office_name: str
    phone: str
    address: str
    hours: str


def commune_contact(commune_code: str) -> CommuneContact | None:
    return db.session.get(CommuneContact, commune_code)


def save_commune_contact(commune_code: str, fields: ContactFields, staff_id: int, now: datetime) -> CommuneContact:
    """Create or replace the commune's contact (one row per commune)."""
    with write_transaction():
        contact = db.session.get(CommuneContact, commune_code) or CommuneContact(commune_code=commune_code)
        contact.office_name = clean_text(fields.office_name)
        contact.phone = clean_text(fields.phone)
        contact.address = clean_text(fields.address)
        contact.hours = clean_text(fields.hours)
        contact.updated_at, contact.updated_by_id = now, staff_id
        db.session.add(contact)
    return contact
