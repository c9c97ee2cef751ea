"""The application factory: it reads like a table of contents of the app."""
import logging

from flask import Flask

from config import config_for
from quiz.infra.clock import DISPLAY_TIMEZONE
from quiz.infra.settings import configure as configure_settings


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, CLI and error pages (no I/O)."""
    from config import BASE_DIR

    app = Flask(__name__, template_folder=str(BASE_DIR / "templates"),
                static_folder=str(BASE_DIR / "static"), instance_path=str(BASE_DIR / "instance"))
    app.config.from_object(config_for(config_name))
    app.config["BABEL_DEFAULT_TIMEZONE"] = DISPLAY_TIMEZONE  # named once, in quiz/infra/clock.py
    app.config.update(overrides or {})
    configure_settings(app.config)
    _refuse_public_secret(app)
    _refuse_public_allowance_key(app)

    from quiz import cli
    from quiz.infra import pseudonyms, replica
    from quiz.infra.database import configure_sqlite, ping_idle_connections
    from quiz.infra.extensions import (
        babel,
        compress,
        csrf,
        db,
        limiter,
        login_manager,
        migrate,
    )
    from quiz.infra.redis_client import init_redis
    from quiz.web import client_signals, edge, health, overdue_sweep, rate_limits, security
    from quiz.web import hooks as web

    edge.init_app(app)  # first: its size and character checks run before CSRF reads the form
    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app)
    compress.init_app(app)
    limiter.init_app(app)
    rate_limits.init_app(app)
    login_manager.init_app(app)
    init_redis(app)
    replica.init_app(app)
    ping_idle_connections(app)
    configure_sqlite(app)
    web.init_app(app)
    pseudonyms.init_app(app)
    overdue_sweep.init_app(app)
    client_signals.init_app(app)
    security.init_app(app)
    if app.config["PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way to wrap its WSGI app in middleware
            app.wsgi_app, x_for=app.config["PROXY_HOPS"], x_proto=app.config["PROXY_HOPS"])

    from admin import bp as admin_bp
    from quiz import public
    from quiz.citizen import bp as quiz_bp
    from quiz.citizen.campaign_views import bp as campaign_bp

    app.register_blueprint(quiz_bp)
    app.register_blueprint(campaign_bp)
    app.register_blueprint(health.bp)
    public.init_app(app)
    app.register_blueprint(admin_bp, url_prefix="/quan-tri")
    cli.init_app(app)
    logging.getLogger(__name__).debug("app created for %s", app.config["APP_ENV"])
    return app


def _refuse_public_secret(app: Flask) -> None:
    """The shipped key is public (anyone could sign an organizer's session): only a developer's own machine may use it."""
    from config import DEFAULT_SECRET

    if app.config["SECRET_KEY"] not in ("", DEFAULT_SECRET):
        return
    host = str(app.config.get("SERVER_BIND", "")).rsplit(":", 1)[0].strip("[]")
    if app.config["APP_ENV"] != "development" or host not in ("127.0.0.1", "localhost", "::1"):
        raise RuntimeError("SECRET_KEY must be set (the default key is public): run `make run`, which keeps a random "
                           "key in instance/secret_key, or set SECRET_KEY. The default is accepted only with "
                           "APP_ENV=development on a loopback address.")


def _refuse_public_allowance_key(app: Flask) -> None:
    """The keyed hash of phones (one allowance per person) needs a secret of its own in production."""
    if app.config["APP_ENV"] == "production" and app.config["ALLOWANCE_HMAC_KEY"] in ("", "dev-only-allowance-key"):
        raise RuntimeError("ALLOWANCE_HMAC_KEY must be set in production (its own secret, not SECRET_KEY).")
