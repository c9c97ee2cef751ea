"""Public pages: results, winners, certificate look-up, verification and the share image."""
from flask import abort, current_app, redirect, request, url_for
from flask.typing import ResponseReturnValue

from quiz.certificates.codes import normalise_code
from quiz.certificates.share_image import ShareCard, share_png
from quiz.certificates.verification import verify_code
from quiz.infra.clock import utcnow
from quiz.infra.converters import db_id
from quiz.public import CERTIFICATE_MAX_AGE, RESULTS_MAX_AGE, bp, public_response, render_public
from quiz.reports.public_results import overview, pick_round, published_winners, shown_rounds


@bp.get("/ket-qua-cong-khai")
def results() -> ResponseReturnValue:
    now = utcnow()
    rounds = shown_rounds(now)
    round_ = pick_round(request.args.get("dot", type=db_id), rounds, now)
    page = render_public("public/results.html", overview=overview(round_, current_app.config["PROVINCE_CODE"]),
                         rounds=rounds)
    return public_response(page, RESULTS_MAX_AGE)


@bp.get("/dat-giai")
def winners() -> ResponseReturnValue:
    page = render_public("public/winners.html", periods=published_winners(utcnow()))
    return public_response(page, RESULTS_MAX_AGE)


@bp.get("/tra-cuu-chung-nhan")
def lookup() -> ResponseReturnValue:
    typed = (request.args.get("ma") or "")[:80]
    code = normalise_code(typed)
    if code:
        return redirect(url_for("public.verify", code=code), 303)
    page = render_public("public/lookup.html", typed=typed, invalid=bool(typed))
    return public_response(page, CERTIFICATE_MAX_AGE)


@bp.get("/xac-minh/<code>")
def verify(code: str) -> ResponseReturnValue:
    certificate = verify_code(code, current_app.config["CONTEST_TITLE"])
    page = render_public("public/verify.html", certificate=certificate, typed=code[:80])
    return public_response(page, CERTIFICATE_MAX_AGE, status=200 if certificate else 404)


@bp.get("/xac-minh/<code>/anh-chia-se.png")
def share_image(code: str) -> ResponseReturnValue:
    certificate = verify_code(code, current_app.config["CONTEST_TITLE"])
    if certificate is None or not certificate.is_valid:
        abort(404)
    achievement = certificate.prize or f"Đạt {certificate.score}"
    card = ShareCard(certificate.holder, certificate.commune_name, achievement, certificate.contest_title,
                     certificate.round_name, certificate.display_code)
    return public_response(share_png(card), CERTIFICATE_MAX_AGE, mimetype="image/png")
