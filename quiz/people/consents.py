"""Privacy notices and consents: what the citizen agreed to, provably."""
import hashlib
from pathlib import Path

from sqlalchemy import func, select

from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import Citizen, Consent, PrivacyNotice

DEFAULT_NOTICE = Path(__file__).parents[1] / "data" / "privacy_notice.txt"


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def current_notice() -> PrivacyNotice | None:
    """The newest published notice version."""
    return db.session.scalar(select(PrivacyNotice).order_by(PrivacyNotice.version.desc()).limit(1))


def publish_notice(text: str, created_by_id: int | None = None) -> PrivacyNotice:
    """Publish a new notice version (old versions are never rewritten); the caller commits."""
    latest = db.session.scalar(select(func.max(PrivacyNotice.version))) or 0
    notice = PrivacyNotice(
        version=latest + 1, text=text, text_sha256=text_sha256(text), created_by_id=created_by_id
    )
    db.session.add(notice)
    db.session.flush()
    return notice


def ensure_default_notice() -> PrivacyNotice:
    """Publish the shipped notice as version 1 when none exists yet."""
    notice = current_notice()
    if notice is None:
        notice = publish_notice(DEFAULT_NOTICE.read_text(encoding="utf-8"))
        db.session.commit()
    return notice


def record_consent(
    citizen: Citizen,
    purpose: str,
    notice: PrivacyNotice,
    helper_id: int | None = None,
    by_guardian: bool = False,
) -> Consent:
    """Store one consent with the exact notice version and its hash; the caller commits."""
    consent = Consent(
        citizen_id=citizen.id,
        purpose=purpose,
        notice_id=notice.id,
        notice_sha256=notice.text_sha256,
        given_at=utcnow(),
        method="assisted" if helper_id else "self",
        helper_id=helper_id,
        given_by_guardian=by_guardian,
    )
    db.session.add(consent)
    return consent
