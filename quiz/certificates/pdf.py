"""The certificate as a PDF: A4 landscape, Be Vietnam Pro embedded, a QR code of the verification URL.

WeasyPrint lays out templates/certificates/certificate.html; segno draws the QR code as a PNG of one
pixel per module, scaled up in the PDF without smoothing (image-rendering: pixelated), so it prints
sharp at any size; as SVG it cost WeasyPrint about as much as the rest of the page. Rendering is
serialised per process: Pango is not promised thread-safe.
"""
import atexit
import base64
import threading
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
import segno

from quiz.certificates.codes import display_code
from quiz.infra.clock import to_local
from quiz.infra.public_names import ANONYMISED_NAME
from quiz.models import Certificate, CertificateTemplate

ROOT = Path(__file__).resolve().parents[2]
FONTS = ROOT / "quiz" / "data" / "fonts"
TEMPLATES = ROOT / "templates" / "certificates"
_render_lock = threading.Lock()

if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration


@dataclass(frozen=True)
class CertificateDocument:
    """Everything printed on one certificate, already formatted."""

    title: str
    headline: str
    holder_name: str
    commune_name: str
    contest_title: str
    round_name: str
    period: str
    score: str
    prize: str | None
    issued_on: str
    code: str
    verify_url: str
    issuer: str
    signer_name: str
    signer_position: str
    seal_data_uri: str | None


def long_date(moment: datetime) -> str:
    """ngày 01 tháng 12 năm 2026 (Vietnam time)."""
    local = to_local(moment)
    return f"ngày {local:%d} tháng {local:%m} năm {local:%Y}"


def period_text(opens_at: datetime, closes_at: datetime) -> str:
    return f"từ {to_local(opens_at):%d/%m/%Y} đến {to_local(closes_at):%d/%m/%Y}"


def score_text(score: int, max_score: int) -> str:
    percent = round(100 * score / max_score) if max_score else 0
    return f"{score}/{max_score} câu đúng ({percent}%)"


def document_for(certificate: Certificate, template: CertificateTemplate, contest_title: str,
                 verify_url: str) -> CertificateDocument:
    """The printed facts of an issued certificate (the name is the citizen's current one)."""
    round_ = certificate.round
    prize = certificate.kind == Certificate.PRIZE
    seal = template.seal_png
    return CertificateDocument(
        title=template.title or "GIẤY CHỨNG NHẬN",
        headline="Đã đạt giải trong cuộc thi" if prize else "Đã hoàn thành và đạt yêu cầu cuộc thi",
        holder_name=certificate.citizen.full_name or ANONYMISED_NAME,
        commune_name=certificate.commune.name, contest_title=contest_title, round_name=round_.name,
        period=period_text(round_.opens_at, round_.closes_at),
        score=score_text(certificate.score, certificate.max_score), prize=certificate.prize if prize else None,
        issued_on=long_date(certificate.issued_at), code=display_code(certificate.code), verify_url=verify_url,
        issuer=certificate.issuer, signer_name=template.signer_name, signer_position=template.signer_position,
        seal_data_uri="data:image/png;base64," + base64.b64encode(seal).decode() if seal else None)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)


@lru_cache(maxsize=1)
def _stylesheet() -> tuple["CSS", "FontConfiguration"]:
    from weasyprint import CSS  # imported on first use: it adds a second to every worker's start
    from weasyprint.text.fonts import FontConfiguration
    fonts = FontConfiguration()
    faces = "".join(
        f"@font-face{{font-family:'Be Vietnam Pro';font-weight:{w};src:url('{(FONTS / f'be-vietnam-pro-{w}.ttf').as_uri()}')}}"
        for w in (400, 700))
    css = (TEMPLATES / "certificate.css").read_text(encoding="utf-8")
    return CSS(string=faces + css, font_config=fonts), fonts


# Let the font configuration go while the interpreter still works (its __del__ fails at shutdown).
atexit.register(_stylesheet.cache_clear)


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").png_data_uri(scale=1, border=2)


def render_pdf(document: CertificateDocument) -> bytes:
    """The certificate's PDF bytes."""
    from weasyprint import HTML
    html = _environment().get_template("certificate.html").render(doc=document, qr=qr_data_uri(document.verify_url))
    stylesheet, fonts = _stylesheet()
    with _render_lock:
        return HTML(string=html).write_pdf(stylesheets=[stylesheet], font_config=fonts)


def verification_url(base_url: str, code: str) -> str:
    """The address the QR code opens: <base>/xac-minh/<code>."""
    return f"{base_url.rstrip('/')}/xac-minh/{code}"
