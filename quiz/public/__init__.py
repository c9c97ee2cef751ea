"""The public blueprint (no login): results, winners, certificate look-up and verification.

Its pages never read the session (their base template has no account links and no CSRF token),
so one rendering is right for everyone and a reverse proxy may keep it (Cache-Control + ETag).
"""
import hashlib

from flask import Blueprint, Flask, Response, current_app, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin

bp = Blueprint("public", __name__)

RESULTS_MAX_AGE = 30  # seconds: live figures may lag this much behind the tallies
CERTIFICATE_MAX_AGE = 60  # a revocation shows on the verification page within a minute


class PublicAwareSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, minus `Vary: Cookie` on responses marked Cache-Control: public.

    Flask-Login's after-request hook reads the session on every response, which makes Flask add
    `Vary: Cookie`, and no shared cache would then hold a public page. A public response is, by
    construction, the same for every visitor, so the header is wrong for it.
    """

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if response.cache_control.public and not session.modified:
            session.accessed = False
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.session_interface = PublicAwareSessionInterface()
    app.register_blueprint(bp)


def render_public(template_name: str, **context: object) -> str:
    """A template rendered without Flask's context processors: Flask-Login's would load the session's user
    (a query, and `Vary: Cookie`, which stops every cache). Public templates use no request state."""
    return current_app.jinja_env.get_template(template_name).render(**context)


def public_response(body: str | bytes, max_age: int, mimetype: str = "text/html", status: int = 200) -> Response:
    """A response any cache may hold for `max_age` seconds, with a strong ETag over its bytes (304 on a match)."""
    response = Response(body, status=status, mimetype=mimetype)
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.make_conditional(request)
    return response


from quiz.public import views  # noqa: E402,F401
