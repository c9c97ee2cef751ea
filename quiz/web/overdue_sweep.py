"""The overdue sweep run opportunistically by requests: bounded, at most once a while per process.

Cron (`flask attempts close-overdue`) is the main path; this keeps a small installation right without it.
A failure is logged and never reaches the citizen's request.
"""
import logging
import threading
import time
from datetime import timedelta

from flask import Flask, current_app, request

from quiz.infra.clock import utcnow
from quiz.infra.extensions import db

log = logging.getLogger(__name__)
_lock = threading.Lock()
_next_run = [0.0]
SKIPPED_ENDPOINTS = {"static", "health.healthz", "quiz.save_answer", "quiz.submit"}  # the hot paths


def init_app(app: Flask) -> None:
    app.before_request(sweep_now_and_then)


def sweep_now_and_then() -> None:
    interval = current_app.config["OVERDUE_SWEEP_EVERY_SECONDS"]
    if interval < 0 or request.endpoint in SKIPPED_ENDPOINTS or time.monotonic() < _next_run[0]:
        return
    if not _lock.acquire(blocking=False):
        return
    try:
        _next_run[0] = time.monotonic() + interval
        from quiz.contest.overdue import close_overdue
        close_overdue(utcnow(), timedelta(seconds=current_app.config["SUBMIT_GRACE_SECONDS"]),
                      limit=current_app.config["OVERDUE_SWEEP_BATCH"])
    except Exception as error:  # noqa: BLE001 - the sweep must never fail the request that ran it
        db.session.rollback()
        log.warning("overdue sweep failed: %s", error.__class__.__name__)
    finally:
        _lock.release()
