"""Referral ("lan tỏa"): each citizen's share link, attribution of registrations, the referral ranking.

The referrer learns only how many people registered through the link, never who they are.
"""
import secrets
from dataclasses import dataclass

import segno
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from quiz.errors import NotFound
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.infra.public_names import masked_name
from quiz.models import BestResult, Citizen, Commune

CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alike characters: codes get read aloud
CODE_LENGTH = 8
SESSION_KEY = "referral_code"  # where a share link's code waits in the signed session until registration


def looks_like_a_code(text: str) -> bool:
    """Whether the text could be a share code this site gives out (anything else is never stored)."""
    return len(text) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in text.lower())


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def referral_code_for(citizen_id: int) -> str:
    """The citizen's share code, created on first use."""
    code = db.session.scalar(select(Citizen.referral_code).where(Citizen.id == citizen_id))
    if code:
        return code
    with write_transaction():
        citizen = db.session.get(Citizen, citizen_id)
        if citizen is None:
            raise NotFound("Không tìm thấy người dự thi này.")
        citizen.referral_code = citizen.referral_code or _new_code()  # 31^8 codes: a clash is not worth a retry loop
        return citizen.referral_code


def qr_svg(url: str) -> str:
    """The share link as an inline SVG QR code."""
    return segno.make(url, error="m").svg_inline(omitsize=True, dark="#111", light="#fff")  # sized by the CSS


def attribute(new_citizen_id: int, code: str | None) -> bool:
    """Record who referred a new registration (an unknown code, or one's own, is ignored)."""
    if not code:
        return False
    referrer_id = db.session.scalar(select(Citizen.id).where(Citizen.referral_code == code.strip().lower(),
                                                             Citizen.anonymised_at.is_(None)))
    if referrer_id is None or referrer_id == new_citizen_id:
        return False
    with write_transaction():
        citizen = db.session.get(Citizen, new_citizen_id)
        if citizen is None or citizen.referred_by_id is not None:
            return False
        citizen.referred_by_id = referrer_id
    return True


def referral_count(citizen_id: int) -> int:
    """How many registrations came through the citizen's link (a number only)."""
    return db.session.scalar(select(func.count(Citizen.id)).where(Citizen.referred_by_id == citizen_id)) or 0


@dataclass(frozen=True)
class ReferralLine:
    citizen_id: int
    masked_name: str
    commune_name: str
    registered: int
    completed: int  # of those, how many completed the period (0 without a period)


def referral_ranking(limit: int = 50, round_id: int | None = None) -> list[ReferralLine]:
    """Referrers by registrations they brought (then completions in the period), for a "giải lan tỏa"."""
    referred = aliased(Citizen)
    completed = func.count(BestResult.id) if round_id else func.count(None)
    stmt = (select(Citizen.id, Citizen.full_name, Commune.name, func.count(referred.id.distinct()), completed)
            .join(referred, referred.referred_by_id == Citizen.id)
            .join(Commune, Commune.code == Citizen.commune_code))
    if round_id:
        stmt = stmt.outerjoin(BestResult, (BestResult.citizen_id == referred.id) & (BestResult.round_id == round_id))
    stmt = (stmt.group_by(Citizen.id, Citizen.full_name, Commune.name)
            .order_by(func.count(referred.id.distinct()).desc(), completed.desc(), Citizen.id).limit(limit))
    return [ReferralLine(cid, masked_name(name), commune, registered, done)
            for cid, name, commune, registered, done in db.session.execute(stmt)]
