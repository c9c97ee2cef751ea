"""Reports issued with a cut-off: recorded with who, when, the figures and the exact bytes, downloadable again."""
import hashlib
from datetime import datetime

from sqlalchemy import select

from quiz.audit import record
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.models import IssuedReport

KIND_LABELS = {"quick": "Báo cáo nhanh", "appendix_xlsx": "Phụ lục (Excel)", "appendix_csv": "Phụ lục (CSV)"}


def issue_report(kind: str, round_id: int | None, cut_off: datetime, staff_id: int | None, filename: str,
                 mimetype: str, body: bytes, figures: dict, now: datetime) -> IssuedReport:
    """Store the report exactly as sent, and note it in the audit log (figures only, no personal data)."""
    with write_transaction():
        issued = IssuedReport(kind=kind, round_id=round_id, cut_off=cut_off, issued_at=now, issued_by_id=staff_id,
                              figures=figures, filename=filename, mimetype=mimetype, body=body,
                              sha256=hashlib.sha256(body).hexdigest(), size=len(body))
        db.session.add(issued)
        db.session.flush()
        record(staff_id, "issue_report", "report", [issued.id], changes={"kind": kind, "cut_off": cut_off.isoformat()})
    return issued


def issued_reports(limit: int = 30) -> list[IssuedReport]:
    """The latest issued reports, newest first (without loading their bytes)."""
    stmt = select(IssuedReport).options(db.defer(IssuedReport.body)).order_by(IssuedReport.id.desc()).limit(limit)
    return list(db.session.scalars(stmt))


def issued_report(report_id: int) -> IssuedReport | None:
    return db.session.get(IssuedReport, report_id)


def latest_cut_off() -> datetime | None:
    """The cut-off of the report issued last: dashboards say their live figures go beyond it."""
    return db.session.scalar(select(IssuedReport.cut_off).order_by(IssuedReport.id.desc()).limit(1))
