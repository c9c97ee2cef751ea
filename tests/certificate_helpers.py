"""Set-up for certificate tests: passed and failed citizens in one round, and a closed round with winners."""
import io
import subprocess
from datetime import timedelta
from pathlib import Path

from pypdf import PdfReader

from quiz.contest.prizes import TierDraft, compute_winners, publish_winners, set_tiers
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import Round
from tests.admin_helpers import COMMUNE_A, COMMUNE_B, take
from tests.conftest import make_citizen


def passed_and_failed(round_id: int):
    """(passed citizen, failed citizen) of the round; the passed one consents to publication."""
    round_ = db.session.get(Round, round_id)
    passed = make_citizen(COMMUNE_A, phone="0912000111", full_name="Nguyễn Thị Thuỷ Hằng",
                          publish_consent=True)
    failed = make_citizen(COMMUNE_B, phone="0987000222", full_name="Hoàng Văn Bình")
    take(round_, passed.id, 18)
    take(round_, failed.id, 7)
    return passed, failed


PRIZE_TIERS = [TierDraft("Giải Nhất", 1), TierDraft("Giải Nhì", 2), TierDraft("Giải Ba", 3),
               TierDraft("Giải Khuyến khích", 5)]


def close_round(round_id: int, publish: bool = True) -> Round:
    """Close the round and, as the organizer would, freeze its winners (issue 18) and publish them."""
    round_ = db.session.get(Round, round_id)
    round_.closes_at = utcnow() - timedelta(minutes=1)
    round_.appeal_days = 0  # no appeal window: the list can be published at once
    db.session.commit()
    set_tiers(round_id, PRIZE_TIERS, None)
    now = utcnow()
    compute_winners(round_id, now, None)
    if publish:
        publish_winners(round_id, now, None)
    return db.session.get(Round, round_id)


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def decoded_qr(pdf: bytes, folder: Path) -> str:
    """Render the PDF's page with pdftoppm and read its QR code with zbarimg (both from Debian)."""
    (folder / "c.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(folder / "c.pdf"), str(folder / "c")],
                   check=True)
    out = subprocess.run(["zbarimg", "-q", "--raw", str(folder / "c.png")], capture_output=True, text=True)
    return out.stdout.strip()
