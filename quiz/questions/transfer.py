"""Question import and export: the Excel/CSV template, plus Moodle's Aiken and GIFT (quiz/questions/moodle.py).

Every import is parsed into validated drafts first (a dry run with line numbers and Vietnamese
errors); applying it is all or nothing: a file with any error adds no question.
"""
import csv
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import xlsxwriter
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quiz.audit import record
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.infra.spreadsheet import FORMULA_STARTS, safe_cell
from quiz.infra.text import search_key
from quiz.models import Question, QuestionVersion, Topic
from quiz.questions.bank import add_question
from quiz.questions.editing import QuestionDraft, QuestionError, drafted_topic, validate
from quiz.questions.moodle import (  # noqa: F401
    Entry,
    export_aiken,
    export_gift,
    parse_aiken,
    parse_gift,
)
from quiz.questions.sheet import SheetTooLarge, read_sheet

COLUMNS = ["chu_de", "do_kho", "cau_hoi", "dap_an_1", "dap_an_2", "dap_an_3", "dap_an_4", "dap_an_5", "dap_an_6",
           "dap_an_dung", "giai_thich", "loai"]
REQUIRED_COLUMNS = ("cau_hoi", "dap_an_1", "dap_an_2", "dap_an_dung")
FORMATS = ("xlsx", "csv", "aiken", "gift")
ANSWER_LETTERS = "ABCDEF"
MAX_IMPORT_ROWS = 5000  # questions per file
MAX_IMPORT_COLUMNS = 30  # the template has 12


@dataclass
class ImportPreview:
    """The dry run: what would be added, what already exists, and every error with its line."""

    drafts: list[tuple[int, QuestionDraft]] = field(default_factory=list)
    duplicates: list[tuple[int, int | None]] = field(default_factory=list)  # (line, its first line; None: the bank's)
    errors: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)

    @property
    def new_count(self) -> int:
        return len(self.drafts)

    def duplicates_text(self) -> str:
        """"dòng 4 (trùng dòng 3), dòng 9 (đã có trong ngân hàng)" for the dry run's pages."""
        return ", ".join(f"dòng {line} ({f'trùng dòng {first}' if first else 'đã có trong ngân hàng'})"
                         for line, first in self.duplicates)


def detect_format(filename: str, content: bytes = b"") -> str:
    """The format from the file name (.xlsx, .csv, .gift); any other text file by what it holds: Moodle
    names its GIFT exports .txt, so GIFT's marks without an Aiken `ANSWER:` line make it GIFT, else Aiken."""
    name = filename.lower()
    for fmt, ending in (("xlsx", ".xlsx"), ("xlsx", ".xls"), ("csv", ".csv"), ("gift", ".gift")):  # .xls: told to save as .xlsx
        if name.endswith(ending):
            return fmt
    text = content[:200_000].decode("utf-8-sig", errors="replace")
    return "gift" if _GIFT_MARKS.search(text) and not _AIKEN_ANSWER.search(text) else "aiken"


_GIFT_MARKS = re.compile(r"^\s*(?:\$CATEGORY:|::)|\{[^{}]*[=~][^{}]*\}|\{\s*(?:T|F|TRUE|FALSE)\s*\}", re.M)
_AIKEN_ANSWER = re.compile(r"^\s*ANSWER:", re.M)
_XML_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<(?:\?xml|quiz[\s>])")
MOODLE_XML = ("Đây là tệp Moodle XML, chưa nhập được. Trong Moodle, hãy xuất ngân hàng câu hỏi theo định dạng "
              "GIFT (hoặc Aiken) rồi nhập tệp đó; GIFT giữ chủ đề, câu nhiều đáp án và giải thích.")
UNREADABLE = {"xlsx": "Không đọc được tệp như một tệp Excel (.xlsx): tệp có thể bị hỏng hoặc là định dạng khác "
                      "(.xls cũ: hãy mở bằng Excel rồi lưu lại dạng .xlsx).",
              "text": "Không đọc được tệp như văn bản {fmt}: hãy lưu tệp với bảng mã UTF-8 "
                      "(Excel: “CSV UTF-8”; Notepad: Encoding UTF-8) rồi tải lên lại."}


def _topic_lookup() -> dict[str, Topic]:
    topics = list(db.session.scalars(select(Topic).where(Topic.retired_at.is_(None))))
    return {**{search_key(t.slug): t for t in topics}, **{search_key(t.name): t for t in topics}}


def preview_import(content: bytes, fmt: str, default_topic_id: int | None = None) -> ImportPreview:
    """Parse and validate a file without changing anything."""
    parse = {"xlsx": _rows_xlsx, "csv": _rows_csv, "aiken": parse_aiken, "gift": parse_gift}[fmt]
    preview = ImportPreview()
    if fmt in ("aiken", "gift", "csv") and _XML_START.match(content):
        preview.errors.append((0, MOODLE_XML))
        return preview
    try:
        entries = list(parse(content))
    except SheetTooLarge as exc:
        preview.errors.append((0, str(exc)))
        return preview
    except Exception:  # noqa: BLE001 - any unreadable file is reported, never a 500
        preview.errors.append((0, UNREADABLE["xlsx"] if fmt == "xlsx" else UNREADABLE["text"].format(fmt=fmt.upper())))
        return preview
    if not entries:
        preview.errors.append((0, "Không tìm thấy câu hỏi nào trong tệp."))
    topics, bank = _topic_lookup(), _BankKeys()
    for line, entry in entries:
        draft = _checked_draft(entry, topics, default_topic_id)
        if isinstance(draft, str):
            preview.errors.append((line, draft))
            continue
        verdict = bank.place(line, draft)
        if verdict.problem:
            preview.errors.append((line, verdict.problem))
            continue
        if verdict.duplicate_of is not False:
            preview.duplicates.append((line, verdict.duplicate_of))
            continue
        notes = entry.get("warnings", []) if isinstance(entry, dict) else []
        preview.warnings.extend((line, note) for note in [*notes, *verdict.notes])
        preview.drafts.append((line, draft))
    return preview


@dataclass
class _Verdict:
    duplicate_of: int | None | bool = False  # False: new; None: already in the bank; a number: that line of the file
    problem: str = ""
    notes: list[str] = field(default_factory=list)


class _BankKeys:
    """Which question is the same as another: its text and its choices (in any order, case or accents);
    the same text with other choices is another question ("Phát biểu nào sau đây đúng?")."""

    def __init__(self) -> None:
        rows = db.session.execute(select(QuestionVersion.text, QuestionVersion.choices, QuestionVersion.correct)
                                  .join(Question, Question.current_version_id == QuestionVersion.id))
        self.known: dict[tuple, tuple[int | None, frozenset]] = {}
        self.texts: dict[str, int | None] = {}
        for text, choices, correct in rows:
            self._remember(None, text, choices, correct)

    def _remember(self, line: int | None, text: str, choices: list[str], correct: list[int]) -> None:
        key = (search_key(text), frozenset(search_key(c) for c in choices))
        self.known.setdefault(key, (line, frozenset(search_key(choices[i]) for i in correct if i < len(choices))))
        self.texts.setdefault(key[0], line)

    def place(self, line: int, draft: QuestionDraft) -> _Verdict:
        key = (search_key(draft.text), frozenset(search_key(c) for c in draft.choices))
        right = frozenset(search_key(draft.choices[i]) for i in draft.correct)
        where = lambda first: f"dòng {first} của tệp" if first is not None else "một câu trong ngân hàng"  # noqa: E731
        if key in self.known:
            first, first_right = self.known[key]
            if first_right != right:
                return _Verdict(problem=f"Trùng câu hỏi và phương án với {where(first)} nhưng đáp án đúng khác: "
                                        "hãy kiểm tra lại đáp án của hai câu.")
            return _Verdict(duplicate_of=first)
        notes = []
        if key[0] in self.texts:
            notes.append(f"Cùng nội dung câu hỏi với {where(self.texts[key[0]])} nhưng khác phương án: "
                         "được nhập như một câu khác.")
        self._remember(line, draft.text, draft.choices, draft.correct)
        return _Verdict(notes=notes)


def describe_draft(line: int, draft: QuestionDraft) -> str:
    """A question as it will be stored, for the command line's dry run: text, choices, [x] marks the right ones."""
    kind = "chọn tất cả đáp án đúng" if draft.multiple else "một đáp án"
    choices = "".join(f"\n    [{'x' if i in draft.correct else ' '}] {c}" for i, c in enumerate(draft.choices))
    return f"dòng {line}: {draft.text} ({kind}, độ khó {draft.difficulty}){choices}"


def _checked_draft(entry: dict | str, topics: dict[str, Topic], default_topic_id: int | None) -> QuestionDraft | str:
    """A validated draft, or the Vietnamese message of the first problem found."""
    if isinstance(entry, str):
        return entry
    entry = dict(entry)
    entry.pop("warnings", None)
    topic_name = entry.pop("topic", "") or ""
    topic = topics.get(search_key(topic_name)) if topic_name else None
    if topic_name and topic is None:
        return f"Chủ đề “{topic_name[:60]}” không có trong ngân hàng (hãy tạo chủ đề trước)."
    topic_id = topic.id if topic else default_topic_id
    if topic_id is None:
        return "Chủ đề không có trong ngân hàng (hãy ghi chủ đề hoặc chọn chủ đề mặc định)."
    try:
        return validate(QuestionDraft(topic_id=topic_id, **entry))
    except QuestionError as error:
        return error.message


def apply_import(preview: ImportPreview, staff_id: int | None, source: str) -> int:
    """Add every new question in one transaction; refuse the whole file if it has any error."""
    if preview.errors:
        raise QuestionError("Tệp còn lỗi nên không nhập câu hỏi nào. Hãy sửa các dòng báo lỗi rồi thử lại.")
    with write_transaction():
        ids = []
        for _, draft in preview.drafts:
            question = add_question(drafted_topic(draft), draft.text, draft.choices, draft.correct,
                                    draft.explanation, draft.difficulty, staff_id, draft.multiple)
            question.active = draft.active
            ids.append(question.id)
        record(staff_id, "import_questions", "question", ids,
               {"source": source[:200], "count": len(ids), "duplicates": len(preview.duplicates)})
    return len(ids)


# --- table formats (xlsx, CSV) ----------------------------------------------------------------

def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 2 as 2.0
    text = str(value).strip()
    if text.startswith("'") and text[1:2] and text[1:].startswith(FORMULA_STARTS):
        return text[1:]  # undo the export's formula guard (quiz.spreadsheet.safe_cell)
    return text


TEXT_COLUMNS = {"chu_de", "cau_hoi", "giai_thich", *(f"dap_an_{i}" for i in range(1, 7))}


def _rows_xlsx(content: bytes) -> Iterator[Entry]:
    rows, notes, problems = read_sheet(content, TEXT_COLUMNS, MAX_IMPORT_ROWS + 2, MAX_IMPORT_COLUMNS)
    return _table_entries([[_cell_text(v) for v in row] for row in rows], notes, problems)


def _rows_csv(content: bytes) -> Iterator[Entry]:
    text = content.decode("utf-8-sig")
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)  # Excel in Vietnamese saves CSV with ";"
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    return _table_entries([[_cell_text(c) for c in row[:MAX_IMPORT_COLUMNS]]
                           for row in itertools.islice(reader, MAX_IMPORT_ROWS + 2)])


def _table_entries(rows: list[list[str]], notes: dict[int, list[str]] | None = None,
                   problems: dict[int, str] | None = None) -> Iterator[Entry]:
    header = [search_key(h).replace(" ", "_") for h in rows[0]] if rows else []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        yield 1, f"Thiếu cột bắt buộc: {', '.join(missing)} (xem tệp mẫu)."
        return
    if len(rows) > MAX_IMPORT_ROWS + 1:
        yield MAX_IMPORT_ROWS + 2, f"Tệp có hơn {MAX_IMPORT_ROWS:,} dòng câu hỏi; hãy chia thành nhiều tệp.".replace(",", ".")
        return
    for number, row in enumerate(rows[1:], start=2):
        cells = dict(zip(header, row))
        if problems and number in problems:
            yield number, problems[number]
        elif any(cells.values()):
            entry = _entry_from_cells(cells)
            if isinstance(entry, dict) and notes and number in notes:
                entry["warnings"] = notes[number]
            yield number, entry


def _answer_numbers(value: str) -> list[int] | None:
    """'2', '1,3', '1;3', '1 3', 'A,C' (or '1.3', what Excel makes of 1,3) as 0-based indices."""
    indices = []
    for token in re.split(r"[,;.\s/]+", value.strip()):
        if token.isascii() and token.isdigit() and len(token) <= 3:
            indices.append(int(token) - 1)
        elif len(token) == 1 and token.upper() in ANSWER_LETTERS:
            indices.append(ANSWER_LETTERS.index(token.upper()))
        elif token:
            return None
    return indices


def _entry_from_cells(cells: dict[str, str]) -> dict | str:
    choices = [cells.get(f"dap_an_{i}", "") for i in range(1, 7)]
    while choices and not choices[-1]:
        choices.pop()
    correct = _answer_numbers(cells.get("dap_an_dung", ""))
    if correct is None:
        return "Cột dap_an_dung phải là số thứ tự phương án (ví dụ 2 hoặc 1,3) hoặc chữ cái (A hoặc A,C)."
    difficulty = cells.get("do_kho") or "1"
    if difficulty not in ("1", "2", "3"):
        return "Cột do_kho (độ khó) phải là 1, 2 hoặc 3."
    kind = search_key(cells.get("loai", ""))
    if kind and not kind.startswith(("mot", "nhieu")):
        return "Cột loai phải để trống, “một” (một đáp án) hoặc “nhiều” (chọn tất cả đáp án đúng)."
    multiple = kind.startswith("nhieu") if kind else len(set(correct)) > 1
    return {"topic": cells.get("chu_de", ""), "text": cells.get("cau_hoi", ""), "choices": choices,
            "correct": correct, "explanation": cells.get("giai_thich", ""), "difficulty": int(difficulty),
            "multiple": multiple}


EXAMPLE_ROWS = [
    ["Nhận diện lừa đảo trực tuyến", "1", "Ai được phép biết mã OTP của bạn?", "Chỉ mình bạn",
     "Nhân viên ngân hàng gọi đến", "Người giao hàng", "", "", "", "1", "OTP là bí mật của riêng bạn.", "một"],
    ["Nhận diện lừa đảo trực tuyến", "2", "Những dấu hiệu nào cho thấy cuộc gọi có thể là lừa đảo?",
     "Giục chuyển tiền gấp", "Yêu cầu giữ bí mật", "Hẹn làm việc tại trụ sở", "", "", "", "1,2",
     "Kẻ gian tạo áp lực và cô lập nạn nhân.", "nhiều"],
]


def template_xlsx() -> bytes:
    """The downloadable import template with two example rows (one single-, one multiple-answer)."""
    return export_xlsx([], example=True)


def template_csv() -> bytes:
    """The same template as CSV, UTF-8 with a BOM (Excel then shows the Vietnamese letters)."""
    out = io.StringIO()
    csv.writer(out).writerows([COLUMNS, *([safe_cell(v) for v in row] for row in EXAMPLE_ROWS)])
    return out.getvalue().encode("utf-8-sig")


def export_xlsx(questions: list[Question], example: bool = False) -> bytes:
    """The bank (or a filter of it) in the import template's columns: it imports back as it is."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("Cau hoi")
    bold = book.add_format({"bold": True})
    for col, name in enumerate(COLUMNS):
        sheet.write_string(0, col, name, bold)
    rows = EXAMPLE_ROWS if example else (_cells(q) for q in questions)
    for r, cells in enumerate(rows, start=1):
        for col, value in enumerate(cells):
            sheet.write_string(r, col, safe_cell(value))
    sheet.freeze_panes(1, 0)
    sheet.set_column(2, 2, 60)
    book.close()
    return buffer.getvalue()


def _cells(question: Question) -> list[str]:
    version = question.current_version
    choices = version.choices + [""] * (6 - len(version.choices))
    return [question.topic.name, str(question.difficulty), version.text, *choices,
            ",".join(str(i + 1) for i in version.correct), version.explanation,
            "nhiều" if version.is_multiple else "một"]


def selected_questions(ids: list[int] | None = None) -> list[Question]:
    """Questions by id (all when None), oldest first, for export."""
    stmt = select(Question).options(selectinload(Question.current_version), selectinload(Question.topic))
    if ids is not None:
        stmt = stmt.where(Question.id.in_(ids))
    return list(db.session.scalars(stmt.order_by(Question.id)))
