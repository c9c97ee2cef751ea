"""Reports for the city: the per-commune appendix (xlsx/csv), the quick report, the public feed, exports."""
import csv
import io
from datetime import datetime

import xlsxwriter
from sqlalchemy import select

from quiz.audit import record
from quiz.infra.clock import to_local
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.infra.spreadsheet import safe_cell
from quiz.models import BestResult, Citizen, Commune
from quiz.reports.daily import DayRow
from quiz.reports.dashboard import CommuneRow
from quiz.reports.letter import quick_report  # noqa: F401 - the quick report is part of the reports
from quiz.reports.score_scale import ScoreScale
from quiz.tallies.figures import city_totals

APPENDIX_HEADERS = ("STT", "Tên xã, phường, đặc khu", "Loại", "Số người đăng ký", "Số người hoàn thành",
                    "Tỷ lệ hoàn thành", "Điểm trung bình", "Số người đạt", "Xếp hạng (số người đăng ký)",
                    "Số lượt thi", "Dân số từ 18 tuổi", "Tỷ lệ đăng ký so với dân số từ 18 tuổi")
APPENDIX_FORMATS = ("0", "@", "@", "#,##0", "#,##0", "0.0%", "0.00", "#,##0", "0", "#,##0", "#,##0", "0.0%")
TOTAL_LABEL = "Tổng cộng"
DAILY_HEADERS = ("Ngày", "Đăng ký trong ngày", "Hoàn thành trong ngày", "Đăng ký cộng dồn", "Hoàn thành cộng dồn")


def appendix_headers(scale: ScoreScale) -> list[str]:
    headers = list(APPENDIX_HEADERS)
    headers[6] = scale.label
    return headers


def appendix_values(row: CommuneRow, stt: int, scale: ScoreScale = ScoreScale(20, 20)) -> list:
    f = row.figures
    return [stt, row.name, row.kind, f.registered, f.completed, f.completion_rate or 0,
            scale.scaled(f.average_score), f.passed, row.rank, f.attempts, row.adult_population,
            row.population_share]


def total_values(rows: list[CommuneRow], scale: ScoreScale) -> list:
    """The appendix's last row: the city's sums and rates."""
    t = city_totals(r.figures for r in rows)
    adults = sum(r.adult_population or 0 for r in rows) if all(r.adult_population for r in rows) else None
    return [None, TOTAL_LABEL, "", t.registered, t.completed, t.completion_rate or 0, scale.scaled(t.average_score),
            t.passed, None, t.attempts, adults, t.registered / adults if adults else None]


def appendix_xlsx(rows: list[CommuneRow], title: str, cut_off: datetime, scale: ScoreScale,
                  daily: list[DayRow] | None = None, issuer: str = "", place: str = "") -> bytes:
    """The official appendix: title with the cut-off, frozen headers, a total row, the signatures, then the
    per-day sheet; printed on A4 landscape with the issuer in the page header.

    The workbook's creation time is the cut-off, so the same figures always give the same bytes.
    """
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"created": cut_off, "title": title})
    sheet = book.add_worksheet("Phụ lục")
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "vcenter", "border": 1})
    formats = [book.add_format({"border": 1, "num_format": fmt}) for fmt in APPENDIX_FORMATS]
    totals = [book.add_format({"border": 1, "bold": True, "num_format": fmt}) for fmt in APPENDIX_FORMATS]
    headers = appendix_headers(scale)
    sheet.merge_range(0, 0, 0, len(headers) - 1, f"{title} – số liệu tính đến {local_moment(cut_off)}", bold)
    for col, header in enumerate(headers):
        sheet.write_string(1, col, header, bold)
    for index, row in enumerate(rows, start=1):
        _write_row(sheet, index + 1, appendix_values(row, index, scale), formats)
    _write_row(sheet, len(rows) + 2, total_values(rows, scale), totals)
    sheet.freeze_panes(2, 0)
    sheet.set_row(0, 30)
    sheet.set_row(1, 48)  # the wrapped headers ("Tỷ lệ đăng ký so với dân số từ 18 tuổi") in three lines, not clipped
    sheet.set_column(0, 0, 5)
    sheet.set_column(1, 1, 30)
    sheet.set_column(2, len(headers) - 1, 14)
    _print_setup(sheet, repeat_rows=(0, 1), header=issuer)
    _signatures(book, sheet, len(rows) + 4, len(headers), place)
    if daily is not None:
        _daily_sheet(book, daily, cut_off, bold, title)
    book.close()
    return buffer.getvalue()


def _print_setup(sheet, repeat_rows: tuple[int, int], header: str = "") -> None:
    """A4 landscape, one page wide, the table's header on every page, "Trang 2/5" at the foot."""
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(*repeat_rows)
    sheet.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
    sheet.center_horizontally()
    if header:
        sheet.set_header(f"&L&B{_header_text(header)}")
    sheet.set_footer("&CTrang &P/&N")


def _header_text(text: str) -> str:
    return text[:200].replace("&", "&&")  # & starts a header code; Excel caps a header at 255 characters


def _signatures(book, sheet, first_row: int, width: int, place: str) -> None:
    """Under the total, column A left empty (a program reading the table stops at the total): who prepared it,
    who signs, and the place and date line to fill in, as offices print them."""
    centred = book.add_format({"align": "center", "italic": True})
    title = book.add_format({"align": "center", "bold": True})
    left, right = (1, 3), (width - 4, width - 1)
    sheet.merge_range(first_row, *right[:1], first_row, right[1], f"{place or '……'}, ngày …… tháng …… năm 20……", centred)
    for (start, end), role, hint in ((left, "NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)"),
                                     (right, "THỦ TRƯỞNG ĐƠN VỊ", "(Ký tên, đóng dấu)")):
        sheet.merge_range(first_row + 1, start, first_row + 1, end, role, title)
        sheet.merge_range(first_row + 2, start, first_row + 2, end, hint, centred)


def _write_row(sheet, row_index: int, values: list, formats: list) -> None:
    for col, value in enumerate(values):
        if value is None:
            sheet.write_blank(row_index, col, None, formats[col])
        elif isinstance(value, str):
            sheet.write_string(row_index, col, safe_cell(value), formats[col])
        else:
            sheet.write_number(row_index, col, value, formats[col])


def day_label(row: DayRow, cut_off: datetime, last: bool) -> str:
    """"22/10/2025", and for the cut-off's own day "22/10/2025 (đến 15:00)"."""
    label = f"{row.day[8:10]}/{row.day[5:7]}/{row.day[:4]}"
    if last and row.day == to_local(cut_off).date().isoformat():
        return f"{label} (đến {to_local(cut_off):%H:%M})"
    return label


def _daily_sheet(book, daily: list[DayRow], cut_off: datetime, bold, title: str) -> None:
    sheet = book.add_worksheet("Theo ngày")
    sheet.freeze_panes(1, 0)
    _print_setup(sheet, repeat_rows=(0, 0), header=f"{title} – theo ngày, số liệu tính đến {local_moment(cut_off)}")
    number_format = book.add_format({"border": 1, "num_format": "#,##0"})
    text_format = book.add_format({"border": 1})
    for col, header in enumerate(DAILY_HEADERS):
        sheet.write_string(0, col, header, bold)
    for index, row in enumerate(daily, start=1):
        sheet.write_string(index, 0, day_label(row, cut_off, index == len(daily)), text_format)
        for col, value in enumerate((row.registered, row.completed, row.registered_total, row.completed_total), 1):
            sheet.write_number(index, col, value, number_format)
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 4, 16)


def appendix_csv(rows: list[CommuneRow], scale: ScoreScale = ScoreScale(20, 20)) -> str:
    """The same table as CSV (UTF-8 with BOM so Excel reads the diacritics), total row last."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(appendix_headers(scale))
    for index, row in enumerate(rows, start=1):
        writer.writerow(_csv_cells(appendix_values(row, index, scale)))
    writer.writerow(_csv_cells(total_values(rows, scale)))
    return out.getvalue()


def _csv_cells(values: list) -> list:
    """Rates to four places (54.87 %), averages to two: a spreadsheet shows them as the xlsx does."""
    return ["" if v is None else round(v, 4) if isinstance(v, float) else safe_cell(v) for v in values]


def local_moment(cut_off: datetime) -> str:
    return f"{to_local(cut_off):%H:%M ngày %d/%m/%Y}"


def file_stamp(moment: datetime) -> str:
    """File names carry Vietnam time, like the titles inside: phu-luc-20251022-1500.xlsx."""
    return f"{to_local(moment):%Y%m%d-%H%M}"


def public_feed(rows: list[CommuneRow]) -> list[dict]:
    """Per-commune figures for the digital map: no personal data."""
    return [{"ma_xa": r.code, "ten": r.name, "dang_ky": r.figures.registered, "hoan_thanh": r.figures.completed,
             "ty_le_hoan_thanh": round(r.figures.completion_rate, 4) if r.figures.completion_rate is not None else None,
             "diem_trung_binh": _public_average(r)}
            for r in sorted(rows, key=lambda r: r.code)]


FEED_MIN_COMPLETERS = 3  # a smaller commune's average would tell its one or two contestants' scores


def _public_average(row: CommuneRow) -> float | None:
    if row.figures.average_score is None or row.figures.completed < FEED_MIN_COMPLETERS:
        return None
    return round(row.figures.average_score, 2)


def public_feed_csv(feed: list[dict], updated_at: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*feed[0].keys(), "cap_nhat"] if feed else ["ma_xa"])
    for entry in feed:
        writer.writerow([*(v if v is not None else "" for v in entry.values()), updated_at])
    return out.getvalue()


PARTICIPANT_HEADERS = ("Mã", "Họ và tên", "Số điện thoại", "Ngày sinh", "Mã xã", "Xã, phường, đặc khu",
                       "Ngày đăng ký", "Điểm cao nhất (số câu đúng)", "Đạt")
PARTICIPANT_WIDTHS = (8, 28, 14, 12, 8, 26, 17, 12, 10)


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
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "vcenter", "bg_color": "#E8EEF5"})
    for col, (header, width) in enumerate(zip(PARTICIPANT_HEADERS, PARTICIPANT_WIDTHS, strict=True)):
        sheet.set_column(col, col, width)
        sheet.write_string(0, col, header, bold)
    sheet.freeze_panes(1, 0)
    _print_setup(sheet, repeat_rows=(0, 0), header="Danh sách người dự thi (có số điện thoại đầy đủ – không chia sẻ)")
    ids = []
    for row, (citizen, score, passed) in enumerate(db.session.execute(stmt), start=1):
        ids.append(citizen.id)
        for col, value in enumerate(_participant_values(citizen, names, score, passed)):
            if isinstance(value, int):
                sheet.write_number(row, col, value)  # sortable and summable; the phone stays text (its leading 0)
            else:
                sheet.write_string(row, col, safe_cell(value))
    book.close()
    return buffer.getvalue(), ids


def export_unmasked_participants(staff_id: int, round_id: int | None, reason: str) -> bytes:
    """The full-phone participant export, audited as one event naming the citizens' IDs (never their values)."""
    body, ids = participants_xlsx(round_id)
    with write_transaction():
        record(staff_id, "export_unmasked", "citizen", ids, reason=reason[:500])
    return body


def _participant_values(citizen: Citizen, names: dict[str, str], score: int | None,
                        passed: bool | None) -> list[str | int]:
    graded = score is not None
    return [citizen.id, citizen.full_name or "", citizen.phone or "",
            citizen.birth_date.strftime("%d/%m/%Y") if citizen.birth_date else "", citizen.commune_code,
            names.get(citizen.commune_code, ""), f"{to_local(citizen.created_at):%d/%m/%Y %H:%M}",
            score if score is not None else "", ("Đạt" if passed else "Chưa đạt") if graded else ""]
