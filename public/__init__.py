"""The public blueprint (no login): results, winners, certificate look-up and verification.

Its pages never read the session (their base template has no account links and no CSRF token),
so one rendering is right for everyone and a reverse proxy may keep it (Cache-Control + ETag).
"""
import hashlib

from flask import Blueprint, Response, request

bp = Blueprint("public", __name__)

RESULTS_MAX_AGE = 30  # seconds: live figures may lag this much behind the tallies
CERTIFICATE_MAX_AGE = 60  # a revocation shows on the verification page within a minute


def public_response(body: str | bytes, max_age: int, mimetype: str = "text/html", status: int = 200) -> Response:
    """A response any cache may hold for `max_age` seconds, with a strong ETag over its bytes (304 on a match)."""
    response = Response(body, status=status, mimetype=mimetype)
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    return response.make_conditional(request)


from public import views  # noqa: E402,F401
