"""A citizen's own data: see it, download it, correct it, withdraw optional consent, delete it."""
from datetime import date, datetime

from sqlalchemy import select

from quiz.errors import DomainError, NotFound
from quiz.infra.clock import utcnow
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.infra.text import clean_text, search_key
from quiz.models import (
    Attempt,
    Citizen,
    CitizenChange,
    Consent,
    DataRequest,
    PhoneVerification,
    Round,
)
from quiz.people.consents import current_notice, record_consent
from quiz.people.person import valid_birth_date, valid_commune, valid_name
from quiz.privacy.anonymise import anonymise
from quiz.privacy.data_requests import open_request
from quiz.tallies import events as tally_events
from quiz.tallies.commune_history import record_commune_move


def personal_data(citizen: Citizen) -> dict:
    """Everything held about the citizen, as plain JSON-ready values."""
    rounds = {r.id: r.name for r in db.session.scalars(select(Round))}
    attempts = db.session.scalars(select(Attempt).where(Attempt.citizen_id == citizen.id).order_by(Attempt.id)).all()
    consents = db.session.scalars(select(Consent).where(Consent.citizen_id == citizen.id).order_by(Consent.id)).all()
    requests = db.session.scalars(select(DataRequest).where(DataRequest.citizen_id == citizen.id)).all()
    verified = db.session.get(PhoneVerification, citizen.id)
    iso = lambda moment: moment.isoformat() + "Z" if moment else None  # noqa: E731 - stored as UTC
    return {
        "ho_ten": citizen.full_name, "ngay_sinh": citizen.birth_date.isoformat() if citizen.birth_date else None,
        "so_dien_thoai": citizen.phone, "ma_xa": citizen.commune_code, "xa": citizen.commune.name,
        "dang_ky_luc": iso(citizen.created_at), "dang_ky_ho": bool(citizen.registered_by_id),
        "nguoi_giam_ho": {"ho_ten": citizen.guardian_name, "so_dien_thoai": citizen.guardian_phone}
        if citizen.guardian_name else None,
        "dong_y": [{"muc_dich": c.purpose, "phien_ban_thong_bao": c.notice.version, "sha256": c.notice_sha256,
                    "luc": iso(c.given_at), "cach": c.method, "rut_lai_luc": iso(c.withdrawn_at)} for c in consents],
        "bai_thi": [{"dot_thi": rounds.get(a.round_id), "luot": a.number, "bat_dau": iso(a.started_at),
                     "nop_luc": iso(a.submitted_at), "diem": a.score, "toi_da": a.max_score, "dat": a.passed,
                     "thoi_gian_giay": a.duration_seconds} for a in attempts],
        "yeu_cau": [{"loai": r.kind, "nhan_luc": iso(r.received_at), "hoan_thanh_luc": iso(r.completed_at)}
                    for r in requests],
        "xac_minh_so_dien_thoai": {"cach": verified.method, "luc": iso(verified.verified_at)} if verified else None,
        **campaign_data(citizen.id, rounds, iso),
    }


def campaign_data(citizen_id: int, rounds: dict[int, str], iso) -> dict:
    """Practice sittings, prizes and the share link: also personal data."""
    from quiz.models import PracticeAttempt, Winner
    from quiz.people.referrals import referral_count
    practice = db.session.scalars(select(PracticeAttempt).where(PracticeAttempt.citizen_id == citizen_id)).all()
    prizes = db.session.scalars(select(Winner).where(Winner.citizen_id == citizen_id)).all()
    citizen = db.session.get(Citizen, citizen_id)
    return {
        "thi_thu": [{"bat_dau": iso(p.started_at), "nop_luc": iso(p.submitted_at), "diem": p.score, "toi_da": p.max_score}
                    for p in practice],
        "giai_thuong": [{"dot_thi": rounds.get(w.round_id), "giai": w.tier_name, "hang": w.rank, "phan_giai": w.share}
                        for w in prizes],
        "gioi_thieu": {"ma": citizen.referral_code if citizen else None,
                       "duoc_gioi_thieu": bool(citizen and citizen.referred_by_id is not None),
                       "so_nguoi_dang_ky_qua_duong_dan": referral_count(citizen_id)},
    }


def correct_details(citizen_id: int, full_name: str, birth_date: date | None, commune_code: str,
                    province_code: str, today: date, staff_id: int | None = None) -> list[str]:
    """Correct name, birth date or commune; the change is logged (fields only) and tallies move with the commune."""
    name = valid_name(full_name)
    birth_date = valid_birth_date(birth_date, today)
    commune = valid_commune(commune_code, province_code)
    with write_transaction():
        citizen = _citizen(citizen_id)
        old_commune = citizen.commune_code
        wanted = {"full_name": name, "birth_date": birth_date, "commune_code": commune.code}
        changed = [field for field, value in wanted.items() if getattr(citizen, field) != value]
        for field in changed:
            setattr(citizen, field, wanted[field])
        citizen.name_key = search_key(name)
        if changed:
            db.session.add(CitizenChange(citizen_id=citizen.id, fields=changed, by_staff_id=staff_id))
        if "commune_code" in changed:
            record_commune_move(citizen.id, old_commune, commune.code, utcnow(), staff_id)
            tally_events.queue(tally_events.commune_change(citizen_id, old_commune, commune.code))
    return changed


def _citizen(citizen_id: int) -> Citizen:
    citizen = db.session.get(Citizen, citizen_id)
    if citizen is None:
        raise NotFound("Không tìm thấy người dự thi này.")
    return citizen


def publishes_name(citizen_id: int) -> bool:
    """Whether the citizen's consent to publish their (masked) name and commune when winning stands."""
    return db.session.scalar(select(Consent.id).where(
        Consent.citizen_id == citizen_id, Consent.purpose == Consent.PUBLISH_WINNER,
        Consent.withdrawn_at.is_(None)).limit(1)) is not None


def give_optional_consent(citizen_id: int) -> bool:
    """Consent, given later on "Dữ liệu của tôi", to publish the name when winning: recorded with the notice
    shown (as at registration); False when it already stood."""
    with write_transaction():
        citizen = _citizen(citizen_id)
        if citizen.guardian_name:  # registered under 16: their guardian consented for them, and must again
            raise DomainError(GUARDIAN_CONSENTS)
        if publishes_name(citizen_id):
            return False
        notice = current_notice()
        if notice is None:
            raise NotFound("Chưa có thông báo xử lý dữ liệu cá nhân.")
        record_consent(citizen, Consent.PUBLISH_WINNER, notice)
    return True


GUARDIAN_CONSENTS = ("Người dự thi dưới 16 tuổi: sự đồng ý công bố tên do cha, mẹ hoặc người giám hộ cho. Vui lòng "
                     "cùng người giám hộ đến xã, phường nơi đăng ký để cán bộ ghi nhận.")


def withdraw_optional_consent(citizen_id: int, now: datetime) -> bool:
    """Withdraw the consent to publish a winner's name; True when there was one to withdraw."""
    with write_transaction():
        consents = db.session.scalars(select(Consent).where(
            Consent.citizen_id == citizen_id, Consent.purpose == Consent.PUBLISH_WINNER,
            Consent.withdrawn_at.is_(None))).all()
        for consent in consents:
            consent.withdrawn_at = now
    return bool(consents)


def delete_my_data(citizen_id: int, now: datetime) -> None:
    """Self-service deletion: anonymise at once and record the request as completed."""
    with write_transaction():
        citizen = _citizen(citizen_id)
        request = db.session.scalar(select(DataRequest).where(  # one already waiting is the one completed now
            DataRequest.citizen_id == citizen_id, DataRequest.kind == "deletion", DataRequest.completed_at.is_(None)))
        request = request or open_request(citizen_id, "deletion", "Tự yêu cầu trên trang Dữ liệu của tôi", now)
        anonymise(citizen, now)  # the phone's allowance and prize count outlive the registration
        request.acknowledged_at = request.completed_at = now
        request.status = "completed"


def object_to_processing(citizen_id: int, detail: str, now: datetime) -> DataRequest:
    """Record an objection for the organizers to handle within the legal deadlines."""
    with write_transaction():
        request = open_request(citizen_id, "objection", clean_text(detail) or "Phản đối xử lý dữ liệu", now)
    return request
