"""The public blueprint (no login): results, winners, certificate look-up and verification.

Its pages never read the session (their base template has no account links and no CSRF token),
so one rendering is right for everyone and a reverse proxy may keep it (Cache-Control + ETag).
"""
import gzip
import hashlib
import threading
from collections import OrderedDict

import brotli
from flask import Blueprint, Flask, Request, Response, current_app, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import BadPayload

bp = Blueprint("public", __name__)

RESULTS_MAX_AGE = 30  # seconds: live figures may lag this much behind the tallies
CERTIFICATE_MAX_AGE = 60  # a revocation shows on the verification page within a minute


class PublicAwareSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, minus `Vary: Cookie` on responses marked Cache-Control: public.

    Flask-Login's after-request hook reads the session on every response, which makes Flask add
    `Vary: Cookie`, and no shared cache would then hold a public page. A public response is, by
    construction, the same for every visitor, so the header is wrong for it.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """A cookie with our signature whose contents cannot be read (Flask catches only a bad signature) starts
        a new session instead of failing every request of that browser."""
        try:
            return super().open_session(app, request)
        except BadPayload:
            return self.session_class()

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
    """A response any cache may hold for `max_age` seconds, with a strong ETag over its bytes (304 on a match).

    Compressed here (Brotli, else gzip) and kept per process by content digest: a page that did not
    change is compressed once, not on every request (Flask-Compress leaves an encoded response alone).
    """
    data = body.encode() if isinstance(body, str) else body
    digest = hashlib.sha256(data).hexdigest()[:32]
    algorithm = _accepted_encoding() if mimetype.startswith("text/") and len(data) >= COMPRESS_FROM_BYTES else None
    response = Response(status=status, mimetype=mimetype)
    response.vary.add("Accept-Encoding")
    response.set_etag(f"{digest}:{algorithm}" if algorithm else digest)  # Flask-Compress's form of the tag
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    if algorithm:
        response.set_data(_compressed(digest, algorithm, data))
        response.headers["Content-Encoding"] = algorithm
    else:
        response.set_data(data)
    response.make_conditional(request)
    return response


COMPRESS_FROM_BYTES = 500
_compressed_bodies: OrderedDict[tuple[str, str], bytes] = OrderedDict()
_compressed_lock = threading.Lock()


def _accepted_encoding() -> str | None:
    accepted = request.accept_encodings
    return next((name for name in ("br", "gzip") if accepted[name]), None)


def _compressed(digest: str, algorithm: str, data: bytes) -> bytes:
    key = (digest, algorithm)
    with _compressed_lock:
        if key in _compressed_bodies:
            _compressed_bodies.move_to_end(key)
            return _compressed_bodies[key]
    packed = brotli.compress(data, quality=5) if algorithm == "br" else gzip.compress(data, compresslevel=6)
    with _compressed_lock:
        _compressed_bodies[key] = packed
        while len(_compressed_bodies) > 256:  # verification pages are many and small
            _compressed_bodies.popitem(last=False)
    return packed


from quiz.public import views  # noqa: E402,F401
