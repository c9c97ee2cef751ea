"""Reading a hand-made Excel sheet as its author sees it: merged cells carry their value, cells read as displayed.

Excel turns some typed answers into numbers or dates ("1/2" becomes a date, "50%" the number 0.5):
text columns are read as Excel shows them (with the cell's number format, in the Vietnamese locale:
decimal comma, dd/mm/yyyy dates) and each such conversion is reported so the organizer can check it.
"""
import io
import re
import zipfile
from datetime import date, datetime, time
from fractions import Fraction

import openpyxl
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries

from quiz.infra.text import search_key

SHORT_DATE = "%d/%m/%Y"  # Excel's built-in short date (format 14) in a Vietnamese Windows
_DATE_TOKEN = re.compile(r"yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|AM/PM|\"[^\"]*\"|\\.|.", re.I)
MONTHS = ["Th1", "Th2", "Th3", "Th4", "Th5", "Th6", "Th7", "Th8", "Th9", "Th10", "Th11", "Th12"]


MAX_PART_BYTES = 8 * 1024 * 1024  # any part once unzipped; a 5,000-question bank's sheet is 1–3 MB
PART_BYTES = {"xl/sharedStrings.xml": 16 * 1024 * 1024,  # all the text of a long bank
              "xl/styles.xml": 2 * 1024 * 1024}  # openpyxl builds every style at once, at ~100 bytes of memory each
MAX_UNPACKED_BYTES = 40 * 1024 * 1024  # every part of the workbook together
MAX_CELLS = 400_000  # cells in the sheet's XML: 5,000 rows × 30 columns is 150,000; openpyxl parses a row whole
_MERGED = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3}[0-9]{1,7}:[A-Z]{1,3}[0-9]{1,7})"')
_CELL = re.compile(rb"<(?:\w+:)?c[\s/>]")
# a formula cell whose result was never saved (a file written by a program, not by Excel): openpyxl reads it as empty
# (a cell typed t="str" with an empty value is Excel's own record of a formula whose result is "": not this)
_UNCACHED = re.compile(rb'<(?:\w+:)?c\b(?![^>]*\bt="str")[^>]*\br="([A-Z]{1,3})([0-9]{1,7})"[^>]*>\s*<(?:\w+:)?f\b[^>]*'
                       rb'(?:/>|>[^<]*</(?:\w+:)?f>)\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>')
TOO_LARGE = ("Tệp Excel quá lớn khi giải nén (nhiều hơn hẳn một ngân hàng 5.000 câu hỏi). "
             "Vui lòng chỉ giữ các dòng câu hỏi, hoặc chia thành nhiều tệp.")


class SheetTooLarge(ValueError):
    """A workbook that unpacks to far more than any question bank: refused before it is read."""


def read_sheet(content: bytes, text_columns: set[str], max_rows: int, max_columns: int,
               ) -> tuple[list[list[str]], dict[int, list[str]], dict[int, str]]:
    """The first sheet as rows of text (at most max_rows × max_columns, whatever the sheet declares or holds),
    per row (1-based) the conversions read from Excel's display, and per row a cell that cannot be read.

    Read as a stream (openpyxl's read-only mode) that stops at max_rows: a small zipped file can hold
    millions of rows, and loading them all first took gigabytes. Parts, cells and merged ranges far beyond
    a question bank are refused before any of it is read."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    _check_unpacked_size(archive)
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        xml = archive.read(sheet._worksheet_path)  # the read-only sheet keeps its part's name, with no public accessor
        if sum(1 for _ in _CELL.finditer(xml)) > MAX_CELLS:
            raise SheetTooLarge(TOO_LARGE)
        merged = _merged_ranges(xml, max_rows, max_columns)
        problems = _uncached_formulas(xml, max_rows, max_columns)
        rows = list(sheet.iter_rows(max_row=max_rows, max_col=max_columns))
        values = [[cell.value for cell in row] for row in rows]
        formats = [[cell.number_format for cell in row] for row in rows]
    finally:
        book.close()
    for top, left, bottom, right in merged:  # every cell of a merged range shows the top-left value
        if top >= len(values) or left >= len(values[top]):
            continue
        for r in range(top, min(bottom, len(values))):
            for c in range(left, min(right, len(values[r]))):
                values[r][c], formats[r][c] = values[top][left], formats[top][left]
    rows, notes = _as_text(values, formats, text_columns)
    return rows, notes, problems


def _uncached_formulas(xml: bytes, max_rows: int, max_columns: int) -> dict[int, str]:
    """Per row, the first formula cell without its result: read as empty, it would drop a choice unseen."""
    problems: dict[int, str] = {}
    for column, row in _UNCACHED.findall(xml):
        number, ref = int(row), f"{column.decode()}{row.decode()}"
        if number <= max_rows and column_index_from_string(column.decode()) <= max_columns:
            problems.setdefault(number, f"Ô {ref} có công thức nhưng tệp không lưu kết quả (tệp tạo bằng chương trình, "
                                        "chưa mở bằng Excel): hãy gõ giá trị vào ô, hoặc mở tệp bằng Excel, lưu lại "
                                        "rồi tải lên.")
    return problems


def _check_unpacked_size(archive: zipfile.ZipFile) -> None:
    parts = archive.infolist()
    if (any(p.file_size > PART_BYTES.get(p.filename, MAX_PART_BYTES) for p in parts)
            or sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES):
        raise SheetTooLarge(TOO_LARGE)


def _merged_ranges(xml: bytes, max_rows: int, max_columns: int) -> list[tuple[int, int, int, int]]:
    """(top, left, bottom, right) of the sheet's merged cells within the rows and columns read, 0-based start and
    exclusive end. The read-only mode does not read them: they are the part's `<mergeCell ref="A1:B2"/>`.

    Ranges of a real sheet never overlap, so together they cover at most the cells read; more is a file
    made to make the copying below take hours."""
    ranges, covered = [], 0
    for ref in _MERGED.findall(xml):
        left, top, right, bottom = range_boundaries(ref.decode())
        clipped = (top - 1, left - 1, min(bottom, max_rows), min(right, max_columns))
        covered += max(0, clipped[2] - clipped[0]) * max(0, clipped[3] - clipped[1])
        if covered > max_rows * max_columns:
            raise SheetTooLarge(TOO_LARGE)
        ranges.append(clipped)
    return ranges


def _as_text(values: list[list], formats: list[list[str]], text_columns: set[str]):
    header = [_raw_text(v) for v in values[0]] if values else []
    keys = [search_key(h).replace(" ", "_") for h in header]
    rows: list[list[str]] = [header]
    notes: dict[int, list[str]] = {}
    for number, (row, fmts) in enumerate(zip(values[1:], formats[1:]), start=2):
        cells = []
        for col, (value, fmt) in enumerate(zip(row, fmts)):
            if col < len(keys) and keys[col] in text_columns and _converted(value):
                shown = displayed(value, fmt)
                kind = ("giá trị đúng/sai" if isinstance(value, bool) else
                        "ngày giờ" if isinstance(value, (datetime, date, time)) else "số")
                notes.setdefault(number, []).append(
                    f"Ô {get_column_letter(col + 1)}{number}: Excel lưu là {kind}; đã đọc như hiển thị “{shown}”. "
                    "Hãy kiểm tra (muốn giữ nguyên chữ, định dạng ô là Văn bản/Text).")
                cells.append(shown)
            else:
                cells.append(_raw_text(value))
        rows.append(cells)
    return rows, notes


def _converted(value: object) -> bool:
    return isinstance(value, (int, float, datetime, date, time))  # a bool is an int too: Excel shows TRUE/FALSE


def _raw_text(value: object) -> str:
    """Numbers expected as numbers (difficulty, answer numbers): Excel stores 2 as 2.0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def displayed(value: object, number_format: str) -> str:
    """What Excel (Vietnamese locale) shows for a number, date or TRUE/FALSE cell with this number format."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    fmt = (number_format or "General").split(";")[0]
    if isinstance(value, (datetime, date, time)):
        return _date_text(value, fmt)
    number = float(value)  # type: ignore[arg-type]
    if "%" in fmt:
        return _decimal(number * 100, _decimals(fmt)) + "%"
    if "?/" in fmt:
        return _fraction(number, fmt)
    if fmt == "General" or not re.search(r"[0#]", fmt):
        text = repr(int(number)) if number.is_integer() else f"{number:.10g}"
        return text.replace(".", ",")
    return _decimal(number, _decimals(fmt), grouped="," in fmt)


def _decimals(fmt: str) -> int:
    match = re.search(r"\.([0#]+)", fmt)
    return len(match.group(1)) if match else 0


def _decimal(number: float, places: int, grouped: bool = False) -> str:
    text = f"{number:,.{places}f}" if grouped else f"{number:.{places}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _fraction(number: float, fmt: str) -> str:
    digits = fmt.split("/")[1].count("?") or 1
    whole = int(number) if "#" in fmt else 0
    part = Fraction(number - whole).limit_denominator(10 ** digits - 1)
    if part == 0:
        return str(whole)
    return (f"{whole} " if whole else "") + f"{part.numerator}/{part.denominator}"


def _date_text(moment: datetime | date | time, fmt: str) -> str:
    if fmt in ("General", "mm-dd-yy") or not re.search(r"[dmyhs]", fmt, re.I):
        if isinstance(moment, time):
            return moment.strftime("%H:%M:%S")
        shown = moment.strftime(SHORT_DATE)
        has_time = isinstance(moment, datetime) and (moment.hour, moment.minute, moment.second) != (0, 0, 0)
        return shown + (moment.strftime(" %H:%M") if has_time else "")
    return _format_tokens(moment, fmt)


def _format_tokens(moment, fmt: str) -> str:
    tokens = _DATE_TOKEN.findall(re.sub(r"\[[^\]]*\]", "", fmt))
    out, last_was_hour = [], False
    for index, token in enumerate(tokens):
        low = token.lower()
        minute = low in ("m", "mm") and (last_was_hour or any(t.lower().startswith("s") for t in tokens[index + 1:index + 3]))
        out.append(_token_value(moment, low, minute) if low[:1] in "ymdhs" and low.isalpha() else token.strip('"\\'))
        last_was_hour = low in ("h", "hh") or (last_was_hour and not low.isalpha())
    return "".join(out)


def _token_value(moment, token: str, minute: bool) -> str:
    get = lambda name: getattr(moment, name, 0)  # noqa: E731 - a time has no year, a date no hour
    if minute:
        return f"{get('minute'):0{len(token)}d}"
    table = {"yyyy": f"{get('year'):04d}", "yy": f"{get('year') % 100:02d}", "mmmm": f"Tháng {get('month')}",
             "mmm": MONTHS[get('month') - 1] if get('month') else "", "mm": f"{get('month'):02d}",
             "m": str(get('month')), "dd": f"{get('day'):02d}", "d": str(get('day')), "hh": f"{get('hour'):02d}",
             "h": str(get('hour')), "ss": f"{get('second'):02d}", "s": str(get('second'))}
    return table.get(token, token)
