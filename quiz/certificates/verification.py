"""What the public verification page certifies for a code: the facts from the database, never from the PDF."""
from dataclasses import dataclass
from datetime import datetime

from quiz.certificates.codes import display_code, normalise_code
from quiz.certificates.issuing import find_certificate
from quiz.certificates.pdf import period_text, score_text
from quiz.infra.public_names import masked_name
from quiz.models import Certificate

STATUS_LABELS = {
    Certificate.VALID: "Còn hiệu lực",
    Certificate.REVOKED: "Đã bị thu hồi",
    Certificate.REPLACED: "Đã được thay thế",
}
KIND_LABELS = {Certificate.COMPLETION: "Giấy chứng nhận hoàn thành cuộc thi",
               Certificate.PRIZE: "Giấy chứng nhận đạt giải"}


@dataclass(frozen=True)
class VerifiedCertificate:
    """A certificate as the public may see it: masked name, commune, contest, period, result, status."""

    code: str
    display_code: str
    kind_label: str
    holder: str
    commune_name: str
    contest_title: str
    round_name: str
    period: str
    score: str
    prize: str | None
    issued_at: datetime
    issuer: str
    status: str
    status_label: str
    status_reason: str
    replaced_by_code: str | None

    @property
    def is_valid(self) -> bool:
        return self.status == Certificate.VALID


def verify_code(typed_code: str, contest_title: str) -> VerifiedCertificate | None:
    """The facts behind a code as typed or scanned; None for anything that is not an issued code."""
    code = normalise_code(typed_code)
    certificate = find_certificate(code) if code else None
    if certificate is None:
        return None
    citizen, round_ = certificate.citizen, certificate.round
    replacement = certificate.replaced_by
    return VerifiedCertificate(
        code=certificate.code, display_code=display_code(certificate.code), kind_label=KIND_LABELS[certificate.kind],
        holder=masked_name(citizen.full_name),
        commune_name=certificate.commune.name, contest_title=contest_title, round_name=round_.name,
        period=period_text(round_.opens_at, round_.closes_at),
        score=score_text(certificate.score, certificate.max_score),
        prize=certificate.prize if certificate.kind == Certificate.PRIZE else None,
        issued_at=certificate.issued_at, issuer=certificate.issuer, status=certificate.status,
        status_label=STATUS_LABELS[certificate.status], status_reason=certificate.status_reason,
        replaced_by_code=display_code(replacement.code) if replacement else None)
