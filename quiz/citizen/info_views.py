"""Public pages every contest has (Thể lệ, Hướng dẫn dự thi, Câu hỏi thường gặp) and the web-app files."""
from flask import current_app, render_template, send_from_directory, url_for
from flask.typing import ResponseReturnValue

from quiz import tallies
from quiz.citizen import bp
from quiz.contest import attempts
from quiz.contest.rules_text import round_for_rules, rule_lines
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import Round


@bp.get("/the-le", defaults={"round_id": None})
@bp.get("/the-le/<int:round_id>")
def rules(round_id: int | None) -> ResponseReturnValue:
    """The open (or next, or last) round's rules; a given round's with its id."""
    round_ = db.get_or_404(Round, round_id) if round_id else round_for_rules(utcnow())
    lines = rule_lines(round_, current_app.config["SUBMIT_GRACE_SECONDS"]) if round_ else []
    return render_template("quiz/rules.html", round=round_, lines=lines)


@bp.get("/huong-dan-du-thi")
def guide() -> ResponseReturnValue:
    return render_template("quiz/guide.html")


@bp.get("/cau-hoi-thuong-gap")
def faq() -> ResponseReturnValue:
    return render_template("quiz/faq.html", grace=current_app.config["SUBMIT_GRACE_SECONDS"])


@bp.get("/so-nguoi-du-thi.json")
def participant_counts() -> ResponseReturnValue:
    """The home page's live figures (registered, finished) for the open round, shared by every visitor."""
    round_ = attempts.current_round(utcnow())
    totals = tallies.read_commune_figures(round_.id if round_ else None).totals
    response = current_app.response_class(current_app.json.dumps(
        {"dang_ky": totals.registered, "hoan_thanh": totals.completed}), mimetype="application/json")
    response.headers["Cache-Control"] = "public, max-age=30"  # one read per proxy and half-minute
    return response


@bp.get("/manifest.webmanifest")
def manifest() -> ResponseReturnValue:
    """What "Thêm vào màn hình chính" needs: name, start page, colours, icons."""
    icons = [{"src": url_for("static", filename=f"icons/{name}"), "sizes": size, "type": "image/png", "purpose": purpose}
             for name, size, purpose in (("icon-192.png", "192x192", "any"), ("icon-512.png", "512x512", "any"),
                                         ("icon-maskable-512.png", "512x512", "maskable"))]
    body = {"name": current_app.config["CONTEST_TITLE"], "short_name": "Công dân số", "lang": "vi",
            "start_url": url_for("quiz.home"), "scope": "/", "display": "standalone",
            "background_color": "#f6f8fb", "theme_color": "#084785", "icons": icons}
    response = current_app.response_class(current_app.json.dumps(body), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/sw.js")
def service_worker() -> ResponseReturnValue:
    """The offline shell's service worker, served from the root so that it controls every page."""
    response = send_from_directory(str(current_app.static_folder), "js/sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response
