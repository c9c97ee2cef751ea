"""The official communes of the configured province, from the committed data file.

The data file is built from the `vietnam-provinces` 2026.x package by
scripts/build_communes_data.py (its data, not its GPL code, is used at run time).
"""
import csv
import io
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import select

from quiz.infra.extensions import db
from quiz.infra.text import search_key
from quiz.models import Commune

DATA_FILE = Path(__file__).parents[1] / "data" / "communes.json"


@dataclass(frozen=True)
class SyncReport:
    province_name: str
    added: int
    updated: int
    unchanged: int


@lru_cache(maxsize=4)
def _data() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def place_name(province_code: str) -> str:
    """The province's name as a document's place line writes it: "Thành phố Hải Phòng" → "Hải Phòng"."""
    name = str(province_entry(province_code).get("name", ""))
    for prefix in ("Thành phố ", "Tỉnh "):
        name = name.removeprefix(prefix)
    return name


def province_entry(province_code: str) -> dict:
    """The data file's entry for a province code ('31'), or KeyError."""
    return _data()["provinces"][province_code.zfill(2)]


def sync_communes(province_code: str) -> SyncReport:
    """Insert or update the province's communes so the table equals the data file (idempotent)."""
    entry = province_entry(province_code)
    existing = {c.code: c for c in db.session.scalars(select(Commune))}
    added = updated = unchanged = 0
    for row in entry["communes"]:
        wanted = {
            "province_code": province_code.zfill(2),
            "name": row["name"],
            "kind": row["type"],
            "search_key": search_key(row["name"]),
        }
        commune = existing.get(row["code"])
        if commune is None:
            db.session.add(Commune(code=row["code"], **wanted))
            added += 1
        elif any(getattr(commune, key) != value for key, value in wanted.items()):
            for key, value in wanted.items():
                setattr(commune, key, value)
            updated += 1
        else:
            unchanged += 1
    db.session.commit()
    return SyncReport(entry["name"], added, updated, unchanged)


class CommuneChoice(NamedTuple):
    """What a select list shows of a commune (plain values: loading 114 ORM objects cost twice as much)."""

    code: str
    name: str
    kind: str
    search_key: str


_CHOICE_COLUMNS = (Commune.code, Commune.name, Commune.kind, Commune.search_key)


def province_communes(province_code: str) -> tuple[CommuneChoice, ...]:
    """The province's communes ordered by name, for select lists (read each call; shared, so immutable)."""
    stmt = select(*_CHOICE_COLUMNS).where(Commune.province_code == province_code.zfill(2))
    return _ordered_choices(tuple(db.session.execute(stmt)))


@lru_cache(maxsize=4)
def _ordered_choices(rows: tuple[tuple[str, str, str, str], ...]) -> tuple[CommuneChoice, ...]:
    """Keyed by the rows just read, so a sync that changes a commune is simply a new key: nothing to
    invalidate, and every request sees the table as it is. The same rows give the same tuple object,
    which lets a page cache what it renders from it (quiz.citizen.registration_views)."""
    return tuple(sorted((CommuneChoice(*row) for row in rows), key=lambda c: (c.search_key, c.code)))


def import_population(csv_text: str, province_code: str) -> tuple[int, list[str]]:
    """Adult population per commune from CSV rows (code, population); all or nothing."""
    communes = {c.code: c for c in db.session.scalars(select(Commune).where(Commune.province_code == province_code))}
    values, problems = {}, []
    for line_no, row in enumerate(csv.reader(io.StringIO(csv_text)), start=1):
        if not row or (line_no == 1 and not row[0].strip().isdigit()):
            continue
        code, raw = row[0].strip().zfill(5), (row[1].strip().replace(".", "") if len(row) > 1 else "")
        if code not in communes:
            problems.append(f"Dòng {line_no}: mã xã {code} không thuộc tỉnh/thành phố này.")
        elif not (raw.isascii() and raw.isdigit()) or len(raw) > 10:
            problems.append(f"Dòng {line_no}: dân số '{raw}' không phải số.")
        else:
            values[code] = int(raw)
    if problems:
        return 0, problems
    for code, population in values.items():
        communes[code].adult_population = population
    db.session.commit()
    return len(values), []
