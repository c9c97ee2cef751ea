"""The citizen's certificates: ask for one from a result, see it, download the PDF, share it."""
from collections.abc import Callable
from urllib.parse import quote

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from quiz.certificates.codes import normalise_code
from quiz.certificates.issuing import find_certificate, issue_completion, issue_prize
from quiz.certificates.pdf import document_for, render_pdf, verification_url
from quiz.certificates.template import current_template, issuer_of
from quiz.certificates.verification import verify_code
from quiz.citizen import bp
from quiz.citizen.guards import citizen_required
from quiz.errors import CertificateError
from quiz.infra.clock import utcnow
from quiz.infra.converters import DB_INT_MAX
from quiz.infra.extensions import db
from quiz.models import Certificate, Round

FACEBOOK_SHARE = "https://www.facebook.com/sharer/sharer.php?u={url}"
ZALO_SHARE = "https://zalo.me/share?url={url}"  # a plain link: no Zalo SDK script on our pages


def public_base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"] or request.url_root


def own_round(round_id: int) -> Round:
    round_ = db.session.get(Round, round_id) if 1 <= round_id <= DB_INT_MAX else None
    if round_ is None:
        abort(404)
    return round_


def own_certificate(code: str) -> Certificate:
    """The logged-in citizen's certificate; anybody else's (or none) is a 404."""
    canonical = normalise_code(code)
    certificate = find_certificate(canonical) if canonical else None
    if certificate is None or certificate.citizen_id != current_user.id:
        abort(404)
    return certificate


@bp.post("/ket-qua/dot/<int:round_id>/chung-nhan")
@citizen_required
def ask_completion_certificate(round_id: int) -> ResponseReturnValue:
    round_ = own_round(round_id)
    return _issued(lambda issuer: issue_completion(current_user.id, round_.id, issuer, utcnow()))


@bp.post("/ket-qua/dot/<int:round_id>/giay-khen")
@citizen_required
def ask_prize_certificate(round_id: int) -> ResponseReturnValue:
    round_ = own_round(round_id)
    return _issued(lambda issuer: issue_prize(current_user.id, round_, issuer, utcnow()))


def _issued(issue: Callable[[str], Certificate]) -> ResponseReturnValue:
    """Issue (or find) the certificate and show it; a refusal goes back to "Kết quả của tôi" with its reason."""
    try:
        certificate = issue(issuer_of(current_template()))
    except CertificateError as error:
        flash(error.message, "error")
        return redirect(url_for("quiz.my_results"))
    return redirect(url_for("quiz.certificate_page", code=certificate.code))


@bp.get("/giay-chung-nhan/<code>")
@citizen_required
def certificate_page(code: str) -> ResponseReturnValue:
    certificate = own_certificate(code)
    facts = verify_code(certificate.code, current_app.config["CONTEST_TITLE"])
    link = verification_url(public_base_url(), certificate.code)
    return render_template("quiz/certificate.html", certificate=certificate, facts=facts, verify_link=link,
                           facebook=FACEBOOK_SHARE.format(url=quote(link, safe="")),
                           zalo=ZALO_SHARE.format(url=quote(link, safe="")))


@bp.get("/giay-chung-nhan/<code>/tai-ve.pdf")
@citizen_required
def certificate_pdf(code: str) -> ResponseReturnValue:
    certificate = own_certificate(code)
    if not certificate.is_valid:
        abort(404)
    document = document_for(certificate, current_template(), current_app.config["CONTEST_TITLE"],
                            verification_url(public_base_url(), certificate.code))
    return Response(render_pdf(document), mimetype="application/pdf", headers={
        "Content-Disposition": f"attachment; filename=giay-chung-nhan-{certificate.code}.pdf"})
