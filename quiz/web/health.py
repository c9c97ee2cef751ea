"""The health endpoint for load balancers and monitoring: database and Redis status."""
import redis
from flask import Blueprint
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from quiz.infra.extensions import db, limiter
from quiz.infra.redis_client import get_redis

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz() -> ResponseReturnValue:
    """200 while the database answers (Redis down is reported, not fatal); 503 without a database."""
    status = {"database": "ok", "redis": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        status["database"] = "unavailable"
    finally:
        db.session.remove()
    try:
        get_redis().ping()
    except redis.RedisError:
        status["redis"] = "unavailable"
    return status, 200 if status["database"] == "ok" else 503
