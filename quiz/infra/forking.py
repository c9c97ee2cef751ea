"""Serving a preloaded app: what gunicorn's master prepares once, and what a forked worker must not share.

With `preload_app`, the master imports and builds the app once and every worker is a fork of it: a worker
starts in milliseconds instead of about two CPU-seconds (import, app factory, templates compiled on first
use), which `max_requests` would otherwise pay again at every recycle. Connections are never shared across
a fork: a pooled connection the master may hold is dropped (not closed) in each worker, and redis-py
makes new connections itself when it sees a new process id.
"""
import gc

from flask import Flask

from quiz.infra.extensions import db


def compile_templates(app: Flask) -> int:
    """Compile every template now, so that the workers inherit them compiled; returns how many."""
    names = [name for name in app.jinja_env.list_templates() if name.endswith((".html", ".txt", ".xml", ".svg"))]
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)


def freeze_startup_objects() -> None:
    """Move everything built so far out of the garbage collector's view (Python's advice for pre-fork servers):
    the collector no longer walks the app's ~10^5 start-up objects, and forked workers keep sharing their pages."""
    gc.collect()
    gc.freeze()


def forget_inherited_connections(app: Flask) -> None:
    """In a newly forked worker: drop the master's pooled database connections without closing them."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
        replica_engine = app.extensions.get("replica_engine")
        if replica_engine is not None:
            replica_engine.dispose(close=False)
