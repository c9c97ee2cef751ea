"""Bulk issuance: the certificates of every winner or every passed citizen of a round, into one zip file.

`write_zip` reports progress through a callback (a CLI progress line, or a batch row that the
organizer's page polls); `run_batch` is that second use, run in a background thread.
"""
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from quiz.certificates.issuing import CertifiedFacts, completion_facts, issue_many, prize_facts
from quiz.certificates.pdf import document_for, render_pdf, verification_url
from quiz.certificates.template import current_template, issuer_of
from quiz.contest.winners_source import round_winners, winners_published
from quiz.errors import CertificateError
from quiz.infra.clock import utcnow
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.models import BestResult, Certificate, CertificateBatch, Citizen, Round

CHUNK = 500  # certificates issued per transaction: keeps each write lock short
PROGRESS_EVERY = 25
NO_WINNERS_YET = "Đợt thi chưa công bố người đạt giải."
KINDS = (Certificate.COMPLETION, Certificate.PRIZE)


@dataclass(frozen=True)
class BulkSettings:
    """What every certificate of the run shares."""

    contest_title: str
    base_url: str


def eligible_facts(round_: Round, kind: str, now: datetime) -> dict[int, CertifiedFacts]:
    """Who gets a certificate of this kind: the published winners, or everyone who passed."""
    if kind == Certificate.PRIZE:
        if not winners_published(round_, now):
            raise CertificateError(NO_WINNERS_YET)
        return prize_facts(round_.id, round_winners(round_))
    passed = db.session.scalars(select(BestResult.citizen_id).where(
        BestResult.round_id == round_.id, BestResult.passed.is_(True)).order_by(BestResult.citizen_id))
    return completion_facts(round_.id, list(passed))


def issue_all(round_: Round, kind: str, issuer: str, now: datetime) -> list[int]:
    """Issue (or keep) every eligible certificate, CHUNK per transaction; their ids."""
    facts = list(eligible_facts(round_, kind, now).values())
    ids: list[int] = []
    for start in range(0, len(facts), CHUNK):
        chunk = {f.citizen_id: f for f in facts[start:start + CHUNK]}
        ids += [c.id for c in issue_many(round_.id, kind, chunk, issuer, now)]
    return ids


def write_zip(round_: Round, kind: str, settings: BulkSettings, path: Path, now: datetime,
              progress: Callable[[int, int], None] = lambda done, total: None) -> int:
    """Issue and render every eligible certificate into the zip at `path`; how many it holds."""
    template = current_template()
    ids = issue_all(round_, kind, issuer_of(template), now)
    path.parent.mkdir(parents=True, exist_ok=True)
    progress(0, len(ids))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:  # PDFs are compressed already
        for start in range(0, len(ids), CHUNK):
            for done, certificate in enumerate(_loaded(ids[start:start + CHUNK]), start=start + 1):
                document = document_for(certificate, template, settings.contest_title,
                                        verification_url(settings.base_url, certificate.code))
                archive.writestr(f"{certificate.commune_code}-{certificate.code}.pdf", render_pdf(document))
                if done % PROGRESS_EVERY == 0 or done == len(ids):
                    progress(done, len(ids))
            db.session.expunge_all()  # a city's worth of rows never piles up in the session
    return len(ids)


def _loaded(ids: list[int]) -> list[Certificate]:
    stmt = (select(Certificate).where(Certificate.id.in_(ids)).order_by(Certificate.commune_code, Certificate.id)
            .options(selectinload(Certificate.citizen).load_only(Citizen.full_name), selectinload(Certificate.round),
                     selectinload(Certificate.commune)))
    return list(db.session.scalars(stmt))


def batch_path(folder: Path, batch: CertificateBatch) -> Path:
    return folder / f"giay-chung-nhan-{batch.id}.zip"


def start_batch(app: Flask, round_: Round, kind: str, staff_id: int, settings: BulkSettings,
                folder: Path, now: datetime) -> CertificateBatch:
    """Record a batch and run it in a background thread; the organizer's page polls the row."""
    eligible_facts(round_, kind, now)  # refuse at once (e.g. no winners yet) rather than in the thread
    with write_transaction():
        batch = CertificateBatch(round_id=round_.id, kind=kind, started_by_id=staff_id, started_at=now, updated_at=now)
        db.session.add(batch)
    thread = threading.Thread(target=run_batch, args=(app, batch.id, settings, folder), daemon=True)
    thread.start()
    return batch


def run_batch(app: Flask, batch_id: int, settings: BulkSettings, folder: Path) -> None:
    """The background part: write the zip, moving the batch row's progress; a failure is recorded."""
    with app.app_context():
        batch = db.session.get(CertificateBatch, batch_id)
        round_ = db.session.get(Round, batch.round_id) if batch else None
        if batch is None or round_ is None:
            return
        path, kind = batch_path(folder, batch), batch.kind
        try:
            total = write_zip(round_, kind, settings, path, utcnow(), lambda done, total: _progress(batch_id, done, total))
            _finish(batch_id, CertificateBatch.DONE, path.name, "", total)
        except Exception as error:  # noqa: BLE001 - whatever failed, the organizer sees it on the page
            app.logger.exception("certificate batch %s failed", batch_id)
            _finish(batch_id, CertificateBatch.FAILED, None, str(error)[:500], None)
        finally:
            db.session.remove()


def _progress(batch_id: int, done: int, total: int) -> None:
    with write_transaction():
        db.session.execute(update(CertificateBatch).where(CertificateBatch.id == batch_id)
                           .values(done=done, total=total, updated_at=utcnow()))


def _finish(batch_id: int, status: str, file_name: str | None, error: str, total: int | None) -> None:
    values: dict[str, object] = {"status": status, "file_name": file_name, "error": error,
                                 "finished_at": utcnow(), "updated_at": utcnow()}
    if total is not None:
        values.update(done=total, total=total)
    with write_transaction():
        db.session.execute(update(CertificateBatch).where(CertificateBatch.id == batch_id).values(**values))
