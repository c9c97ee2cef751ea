"""Reference apps for the load benchmark, served by the same gunicorn configuration as the real app.

`hello`: a minimal Flask endpoint (the stack's floor). `skeleton`: only the work a submission cannot avoid
(parse 20 answers, grade against an in-memory key, one ORM insert, one pipelined Redis update of two
tallies): the ceiling for this stack. Run: gunicorn -c gunicorn.conf.py 'bench.apps:hello()'.
"""
import os
import random

import redis
from flask import Flask, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

ANSWER_KEY = {position: random.Random(position).randrange(4) for position in range(20)}


def hello() -> Flask:
    app = Flask("hello")

    @app.get("/hello")
    def say_hello():  # type: ignore[no-untyped-def]
        return "xin chào"

    return app


skeleton_db = SQLAlchemy()


class SkeletonResult(skeleton_db.Model):
    __tablename__ = "bench_skeleton_results"
    id: Mapped[int] = mapped_column(primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(5))
    score: Mapped[int] = mapped_column(Integer)


def create_skeleton_table(database_url: str) -> None:
    """Made once by the benchmark before the workers start (each worker creating it would race)."""
    from sqlalchemy import create_engine
    engine = create_engine(database_url)
    SkeletonResult.__table__.create(engine, checkfirst=True)
    engine.dispose()


def skeleton() -> Flask:
    app = Flask("skeleton")
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 10}}  # same busy wait as the app
    skeleton_db.init_app(app)
    client = redis.Redis.from_url(os.environ["REDIS_URL"])

    @app.post("/submit")
    def submit():  # type: ignore[no-untyped-def]
        answers = {int(k[1:]): int(v) for k, v in request.form.items() if k.startswith("q") and v.isdigit()}
        score = sum(1 for position, choice in answers.items() if ANSWER_KEY.get(position) == choice)
        commune = request.form.get("commune", "10507")
        skeleton_db.session.add(SkeletonResult(commune_code=commune, score=score))
        skeleton_db.session.commit()
        pipe = client.pipeline()
        pipe.hincrby("bench:skeleton:completed", commune, 1)
        pipe.hincrby("bench:skeleton:score_sum", commune, score)
        pipe.execute()
        return {"score": score}

    return app
