"""Reports for the city: the per-commune appendix (xlsx/csv), the quick report, the public feed, exports."""
import csv
import io
from datetime import datetime

import xlsxwriter
from babel.numbers import format_decimal
from sqlalchemy import select

from quiz.audit import record
from quiz.infra.clock import to_local
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.infra.spreadsheet import safe_cell
from quiz.models import BestResult, Citizen, Commune
from quiz.reports.dashboard import CommuneRow, top_and_bottom

APPENDIX_HEADERS = ("STT", "Tên xã, phường, đặc khu", "Loại", "Số người đăng ký", "Số người hoàn thành",
                    "Tỷ lệ hoàn thành", "Điểm trung bình", "Số người đạt")


def appendix_values(row: CommuneRow, stt: int) -> list:
    f = row.figures
    return [stt, row.name, row.kind, f.registered, f.completed, f.completion_rate or 0,
            round(f.average_score, 2) if f.average_score is not None else None, f.passed]


def appendix_xlsx(rows: list[CommuneRow], title: str, cut_off: datetime) -> bytes:
    """The official appendix: a title row with the cut-off, frozen headers, Vietnamese formats."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Phụ lục")
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "vcenter", "border": 1})
    formats = [book.add_format({"border": 1, "num_format": fmt}) for fmt in
               ("0", "@", "@", "#,##0", "#,##0", "0.0%", "0.00", "#,##0")]
    sheet.merge_range(0, 0, 0, len(APPENDIX_HEADERS) - 1,
                      f"{title} – số liệu tính đến {to_local(cut_off):%H:%M ngày %d/%m/%Y}", bold)
    for col, header in enumerate(APPENDIX_HEADERS):
        sheet.write_string(1, col, header, bold)
    for index, row in enumerate(rows, start=1):
        for col, value in enumerate(appendix_values(row, index)):
            if value is None:
                sheet.write_blank(index + 1, col, None, formats[col])
            elif isinstance(value, str):
                sheet.write_string(index + 1, col, safe_cell(value), formats[col])
            else:
                sheet.write_number(index + 1, col, value, formats[col])
    sheet.freeze_panes(2, 0)
    sheet.set_column(0, 0, 5)
    sheet.set_column(1, 1, 30)
    sheet.set_column(2, 7, 14)
    book.close()
    return buffer.getvalue()


def appendix_csv(rows: list[CommuneRow]) -> str:
    """The same table as CSV (UTF-8 with BOM so Excel reads the diacritics)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(APPENDIX_HEADERS)
    for index, row in enumerate(rows, start=1):
        writer.writerow([safe_cell(v) if v is not None else "" for v in appendix_values(row, index)])
    return out.getvalue()


def _n(value: int) -> str:
    return format_decimal(value, format="#,##0", locale="vi")


def quick_report(rows: list[CommuneRow], cut_off: datetime) -> str:
    """The paragraph for an official letter, with the top-10 and bottom-10 communes by participants."""
    local = to_local(cut_off)
    registered = sum(r.figures.registered for r in rows)
    completed = sum(r.figures.completed for r in rows)
    taking_part = [r for r in rows if r.figures.registered]
    top, bottom = top_and_bottom(rows)
    names = lambda chosen: "; ".join(f"{r.name} ({_n(r.figures.registered)})" for r in chosen)  # noqa: E731
    return (f"Tính đến {local:%H} giờ {local:%M} ngày {local:%d/%m/%Y}, có {len(taking_part)} xã, phường, đặc khu "
            f"có người dự thi, {_n(registered)} người đăng ký, {_n(completed)} người hoàn thành bài thi.\n"
            f"10 đơn vị có số người dự thi nhiều nhất: {names(top)}.\n"
            f"10 đơn vị có số người dự thi ít nhất: {names(bottom)}.")


def public_feed(rows: list[CommuneRow]) -> list[dict]:
    """Per-commune figures for the digital map: no personal data."""
    return [{"ma_xa": r.code, "ten": r.name, "dang_ky": r.figures.registered, "hoan_thanh": r.figures.completed,
             "ty_le_hoan_thanh": round(r.figures.completion_rate, 4) if r.figures.completion_rate is not None else None,
             "diem_trung_binh": round(r.figures.average_score, 2) if r.figures.average_score is not None else None}
            for r in sorted(rows, key=lambda r: r.code)]


def public_feed_csv(feed: list[dict], updated_at: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*feed[0].keys(), "cap_nhat"] if feed else ["ma_xa"])
    for entry in feed:
        writer.writerow([*(v if v is not None else "" for v in entry.values()), updated_at])
    return out.getvalue()


PARTICIPANT_HEADERS = ("Mã", "Họ và tên", "Số điện thoại", "Ngày sinh", "Mã xã", "Xã, phường, đặc khu",
                       "Ngày đăng ký", "Điểm cao nhất", "Đạt")


def participants_xlsx(round_id: int | None) -> tuple[bytes, list[int]]:
    """Organizer-only export with full phone numbers, and the IDs written (for the caller's audit record).

    Streams the citizens with their best result (one outer join, no IN list: SQLite and PostgreSQL
    refuse tens of thousands of bound parameters) so that 100,000 rows stay cheap.
    """
    names = dict(db.session.execute(select(Commune.code, Commune.name)).tuples().all())
    best_join = (BestResult.citizen_id == Citizen.id) & (BestResult.round_id == round_id)
    stmt = (select(Citizen, BestResult.score, BestResult.passed).outerjoin(BestResult, best_join)
            .where(Citizen.is_active).order_by(Citizen.id)
            .execution_options(yield_per=2000))
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True})
    sheet = book.add_worksheet("Người dự thi")
    for col, header in enumerate(PARTICIPANT_HEADERS):
        sheet.write_string(0, col, header)
    ids = []
    for row, (citizen, score, passed) in enumerate(db.session.execute(stmt), start=1):
        ids.append(citizen.id)
        for col, value in enumerate(_participant_values(citizen, names, score, passed)):
            sheet.write_string(row, col, safe_cell(value))
    book.close()
    return buffer.getvalue(), ids


def export_unmasked_participants(staff_id: int, round_id: int | None, reason: str) -> bytes:
    """The full-phone participant export, audited as one event naming the citizens' IDs (never their values)."""
    body, ids = participants_xlsx(round_id)
    with write_transaction():
        record(staff_id, "export_unmasked", "citizen", ids, reason=reason[:500])
    return body


def _participant_values(citizen: Citizen, names: dict[str, str], score: int | None, passed: bool | None) -> list[str]:
    graded = score is not None
    return [str(citizen.id), citizen.full_name or "", citizen.phone or "",
            citizen.birth_date.strftime("%d/%m/%Y") if citizen.birth_date else "", citizen.commune_code,
            names.get(citizen.commune_code, ""), f"{to_local(citizen.created_at):%d/%m/%Y %H:%M}",
            str(score) if graded else "", ("Đạt" if passed else "Chưa đạt") if graded else ""]
