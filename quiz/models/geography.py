"""Communes (phường, xã, đặc khu) of the configured province."""
from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from quiz.infra.extensions import Model

COMMUNE_KIND_LABELS = {"phuong": "Phường", "xa": "Xã", "dac_khu": "Đặc khu"}


class Commune(Model):
    """An official commune-level unit, keyed by its 5-digit statistics code."""

    __tablename__ = "communes"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10))  # phuong | xa | dac_khu
    search_key: Mapped[str] = mapped_column(String(120))
    adult_population: Mapped[int | None] = mapped_column(Integer)

    @property
    def kind_label(self) -> str:
        return COMMUNE_KIND_LABELS.get(self.kind, self.kind)
