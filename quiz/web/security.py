"""Security headers: a strict CSP without inline scripts, frame denial, HSTS in production."""
from flask import Flask
from flask_talisman import Talisman

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "object-src": "'none'",
}

talisman = Talisman()


def init_app(app: Flask) -> None:
    production = app.config["APP_ENV"] == "production"
    talisman.init_app(
        app,
        content_security_policy=CSP,
        frame_options="DENY",
        force_https=False,  # TLS ends at nginx, which redirects plain HTTP
        strict_transport_security=production,
        strict_transport_security_max_age=365 * 24 * 3600,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        referrer_policy="same-origin",
    )
