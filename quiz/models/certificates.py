"""Issued certificates (completion and prize), the organizer's certificate template, and bulk batches."""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.infra.clock import utcnow
from quiz.infra.extensions import Model
from quiz.models.contest import Round
from quiz.models.geography import Commune
from quiz.models.people import Citizen


class Certificate(Model):
    """A certificate as issued: the certified facts are copied here, so later data changes never alter it.

    The holder's name is not copied: it is read from the citizen, so anonymising the citizen
    anonymises every certificate too, while the code keeps verifying.
    """

    __tablename__ = "certificates"

    COMPLETION = "completion"
    PRIZE = "prize"
    VALID = "valid"
    REVOKED = "revoked"
    REPLACED = "replaced"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"))
    score: Mapped[int] = mapped_column(Integer)
    max_score: Mapped[int] = mapped_column(Integer)
    prize: Mapped[str | None] = mapped_column(String(60))  # "Giải Nhất" …, prize certificates only
    prize_rank: Mapped[int | None] = mapped_column(Integer)
    issuer: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default=VALID)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    status_changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))

    citizen: Mapped[Citizen] = relationship()
    round: Mapped[Round] = relationship()
    commune: Mapped[Commune] = relationship()  # where the holder lived when it was issued
    replaced_by: Mapped["Certificate | None"] = relationship(remote_side=[id])

    @property
    def is_valid(self) -> bool:
        return self.status == self.VALID


# At most one valid certificate of each kind per citizen and round (a reissue replaces the old one first).
Index("uq_certificates_valid", Certificate.citizen_id, Certificate.round_id, Certificate.kind, unique=True,
      sqlite_where=Certificate.status == "valid", postgresql_where=Certificate.status == "valid")


class CertificateTemplate(Model):
    """The organizer's certificate settings: one row (id 1), edited on the admin page."""

    __tablename__ = "certificate_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120), default="GIẤY CHỨNG NHẬN")
    issuer: Mapped[str] = mapped_column(String(200), default="")
    signer_name: Mapped[str] = mapped_column(String(100), default="")
    signer_position: Mapped[str] = mapped_column(String(120), default="")
    seal_png: Mapped[bytes | None] = mapped_column(LargeBinary)  # re-encoded by Pillow on upload
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class CertificateBatch(Model):
    """A bulk issuance: every winner or every passed citizen of a round, into one zip file."""

    __tablename__ = "certificate_batches"

    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(10), default=RUNNING)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    file_name: Mapped[str | None] = mapped_column(String(120))
    error: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
