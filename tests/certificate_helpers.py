"""Set-up for certificate tests: passed and failed citizens in one round, and a closed round with winners."""
import io
import subprocess
from datetime import timedelta
from pathlib import Path

from pypdf import PdfReader

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


def close_round(round_id: int) -> Round:
    round_ = db.session.get(Round, round_id)
    round_.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    return round_


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def decoded_qr(pdf: bytes, folder: Path) -> str:
    """Render the PDF's page with pdftoppm and read its QR code with zbarimg (both from Debian)."""
    (folder / "c.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(folder / "c.pdf"), str(folder / "c")],
                   check=True)
    out = subprocess.run(["zbarimg", "-q", "--raw", str(folder / "c.png")], capture_output=True, text=True)
    return out.stdout.strip()
