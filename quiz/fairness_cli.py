"""CLI for the contest's fairness: closing overdue attempts (cron) and scanning a round for integrity flags."""
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import Round

attempts_cli = AppGroup("attempts", help="Attempts: the overdue sweep.")
integrity_cli = AppGroup("integrity", help="Integrity flags of a round.")


@attempts_cli.command("close-overdue")
@click.option("--limit", type=int, default=None, help="Close at most this many (default: all).")
def attempts_close_overdue(limit: int | None) -> None:
    """Grade every attempt past its deadline + grace on its answers saved in time (for cron, e.g. every minute)."""
    from quiz.contest.overdue import close_overdue
    grace = timedelta(seconds=current_app.config["SUBMIT_GRACE_SECONDS"])
    closed = close_overdue(utcnow(), grace, limit=limit)
    click.echo(f"Đã đóng {closed} bài thi quá giờ.")


@integrity_cli.command("scan")
@click.option("--round", "round_id", type=int, default=None, help="Round id (default: every round).")
def integrity_scan(round_id: int | None) -> None:
    """Look for integrity signals in a round (or every round) and add the new flags."""
    from quiz.contest.integrity import scan_round
    ids = [round_id] if round_id else list(db.session.scalars(select(Round.id)))
    for id_ in ids:
        click.echo(f"Đợt {id_}: {scan_round(id_, utcnow())} cờ mới.")
