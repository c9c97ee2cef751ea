"""Rate limits (Flask-Limiter, stored in Redis): keyed on the phone, the attempt or the staff account.

Per-IP limits stay loose on purpose: a mobile carrier puts thousands of phones behind one address,
and a commune hall's Wi-Fi serves a queue of citizens registering with a helper.
"""
import hashlib
import hmac
import os

from flask import current_app, request
from flask_login import current_user

from quiz.infra.phones import InvalidPhone, normalise_phone

LOGIN_PER_PHONE = "10 per 10 minutes"
REGISTER_PER_PHONE = "5 per hour"
PER_IP = os.environ.get("RATELIMIT_PER_IP", "2000 per hour")
ANSWER_SAVES_PER_ATTEMPT = "240 per 10 minutes"
ASSISTED_PER_HELPER = "300 per hour"
STANDING_VIEWS_PER_CITIZEN = "30 per 10 minutes"  # "Thứ hạng của tôi" counts over every result of the contest
DIGITS_SEARCHES_PER_STAFF = "30 per hour"  # phone-digit searches: enough for a hall, too few to enumerate


def phone_key() -> str:
    """The canonical phone number typed in the form (one bucket whatever its spelling)."""
    raw = request.form.get("phone", "")
    try:
        return "phone:" + _pseudonym(normalise_phone(raw))
    except InvalidPhone:
        return "phone:invalid:" + _pseudonym("".join(ch for ch in raw if ch.isdigit())[-12:])


def _pseudonym(value: str) -> str:
    """A keyed hash: the phone never appears in Redis keys or in Flask-Limiter's "exceeded" log line."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()[:24]


def attempt_key() -> str:
    return f"attempt:{(request.view_args or {}).get('attempt_id')}"


def practice_key() -> str:
    return f"practice:{(request.view_args or {}).get('practice_id')}"


def citizen_key() -> str:
    return f"citizen:{current_user.id}" if current_user.is_authenticated else "citizen:anonymous"


def staff_key() -> str:
    return f"staff:{current_user.get_id()}" if current_user.is_authenticated else "staff:anonymous"


def client_ip() -> str:
    """The client address (ProxyFix makes this the real one behind nginx)."""
    return request.remote_addr or "unknown"
