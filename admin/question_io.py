"""Question import and export: Excel/CSV template, Moodle's Aiken and GIFT (multiple-choice subset).

Every import is parsed into drafts first (a dry run with line numbers and Vietnamese errors);
applying it is all or nothing.
"""
import csv
import io
import re
from dataclasses import dataclass, field

import openpyxl
import xlsxwriter
from sqlalchemy import select

from quiz.audit import record
from quiz.database import write_transaction
from quiz.extensions import db
from quiz.models import Question, Topic
from quiz.question_bank import add_question
from quiz.questions import QuestionDraft, QuestionError, validate
from quiz.spreadsheet import safe_cell
from quiz.text import search_key

COLUMNS = ["chu_de", "do_kho", "cau_hoi", "dap_an_1", "dap_an_2", "dap_an_3", "dap_an_4", "dap_an_5", "dap_an_6",
           "dap_an_dung", "giai_thich"]
FORMATS = ("xlsx", "csv", "aiken", "gift")


@dataclass
class ImportPreview:
    """The dry run: what would be added, what already exists, and every error with its line."""

    drafts: list[tuple[int, QuestionDraft]] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def new_count(self) -> int:
        return len(self.drafts)


def detect_format(filename: str) -> str:
    """The format from the file name: .xlsx, .csv, .gift; any other text file is read as Aiken."""
    name = filename.lower()
    for fmt, ending in (("xlsx", ".xlsx"), ("csv", ".csv"), ("gift", ".gift")):
        if name.endswith(ending):
            return fmt
    return "aiken"


def preview_import(content: bytes, fmt: str, default_topic_id: int | None = None) -> ImportPreview:
    """Parse and validate a file without changing anything."""
    topics = {search_key(t.name): t for t in db.session.scalars(select(Topic).where(Topic.retired_at.is_(None)))}
    topics.update({search_key(t.slug): t for t in topics.values()})
    parse = {"xlsx": _rows_xlsx, "csv": _rows_csv, "aiken": _parse_aiken, "gift": _parse_gift}[fmt]
    preview = ImportPreview()
    known = set(db.session.scalars(select(Question.text_key)))
    seen: set[str] = set()
    try:
        entries = parse(content)
    except (ValueError, KeyError, UnicodeDecodeError, OSError, Exception) as exc:  # noqa: BLE001 - unreadable file
        preview.errors.append((0, f"Không đọc được tệp ({exc.__class__.__name__}). Vui lòng kiểm tra định dạng."))
        return preview
    for line, entry in entries:
        if isinstance(entry, str):
            preview.errors.append((line, entry))
            continue
        topic = topics.get(search_key(entry.pop("topic", "") or "")) if entry.get("topic") else None
        topic_id = topic.id if topic else default_topic_id
        if topic_id is None:
            preview.errors.append((line, "Chủ đề không có trong ngân hàng (hãy tạo chủ đề trước hoặc chọn chủ đề mặc định)."))
            continue
        entry.pop("topic", None)
        try:
            draft = validate(QuestionDraft(topic_id=topic_id, **entry))
        except QuestionError as error:
            preview.errors.append((line, error.message))
            continue
        key = search_key(draft.text)
        if key in known or key in seen:
            preview.duplicates.append(line)
            continue
        seen.add(key)
        preview.drafts.append((line, draft))
    return preview


def apply_import(preview: ImportPreview, staff_id: int | None, source: str) -> int:
    """Add every new question in one transaction; refuse the whole file if it has any error."""
    if preview.errors:
        raise QuestionError("Tệp còn lỗi nên không nhập câu hỏi nào. Hãy sửa các dòng báo lỗi rồi thử lại.")
    with write_transaction():
        ids = []
        for _, draft in preview.drafts:
            question = add_question(db.session.get(Topic, draft.topic_id), draft.text, draft.choices, draft.correct,
                                    draft.explanation, draft.difficulty, staff_id)
            question.active = draft.active
            ids.append(question.id)
        record(staff_id, "import_questions", "question", ids, {"source": source[:200], "count": len(ids)})
    return len(ids)


# --- table formats ------------------------------------------------------------------------

def _rows_xlsx(content: bytes):  # type: ignore[no-untyped-def]
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    rows = [[("" if v is None else str(v)) for v in row] for row in book.active.iter_rows(values_only=True)]
    book.close()
    return _table_entries(rows)


def _rows_csv(content: bytes):  # type: ignore[no-untyped-def]
    return _table_entries(list(csv.reader(io.StringIO(content.decode("utf-8-sig")))))


def _table_entries(rows: list[list[str]]):  # type: ignore[no-untyped-def]
    header = [search_key(h).replace(" ", "_") for h in rows[0]] if rows else []
    missing = [c for c in ("cau_hoi", "dap_an_1", "dap_an_2", "dap_an_dung") if c not in header]
    if missing:
        yield 1, f"Thiếu cột bắt buộc: {', '.join(missing)} (xem tệp mẫu)."
        return
    for number, row in enumerate(rows[1:], start=2):
        cells = dict(zip(header, [str(c).strip() for c in row]))
        if not any(cells.values()):
            continue
        yield number, _entry_from_cells(cells)


def _entry_from_cells(cells: dict[str, str]) -> dict | str:
    choices = [cells.get(f"dap_an_{i}", "") for i in range(1, 7)]
    while choices and not choices[-1]:
        choices.pop()
    try:
        correct = [int(x) - 1 for x in re.split(r"[,;\s]+", cells.get("dap_an_dung", "")) if x]
        difficulty = int(float(cells.get("do_kho") or 1))
    except ValueError:
        return "Cột đáp án đúng phải là số thứ tự phương án (ví dụ 2 hoặc 1,3); độ khó là 1, 2 hoặc 3."
    return {"topic": cells.get("chu_de", ""), "text": cells.get("cau_hoi", ""), "choices": choices,
            "correct": correct, "explanation": cells.get("giai_thich", ""), "difficulty": difficulty,
            "multiple": len(correct) > 1}


def template_xlsx() -> bytes:
    """The downloadable import template with one example row."""
    return export_xlsx([], example=True)


def export_xlsx(questions: list[Question], example: bool = False) -> bytes:
    """The bank (or a filter of it) in the import template's columns."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Cau hoi")
    bold = book.add_format({"bold": True})
    for col, name in enumerate(COLUMNS):
        sheet.write_string(0, col, name, bold)
    rows = [_cells(q) for q in questions]
    if example:
        rows = [["Nhận diện lừa đảo trực tuyến", "1", "Ai được phép biết mã OTP của bạn?", "Chỉ mình bạn",
                 "Nhân viên ngân hàng gọi đến", "Người giao hàng", "", "", "", "1", "OTP là bí mật của riêng bạn."]]
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
            ",".join(str(i + 1) for i in version.correct), version.explanation]


# --- Aiken --------------------------------------------------------------------------------

_AIKEN_OPTION = re.compile(r"^([A-F])[.)]\s+(.+)$")
_AIKEN_ANSWER = re.compile(r"^ANSWER:\s*([A-F])\s*$", re.I)


def _parse_aiken(content: bytes):  # type: ignore[no-untyped-def]
    """Aiken: a question line, options 'A. …', then 'ANSWER: B'; blocks separated by blank lines."""
    lines = content.decode("utf-8-sig").splitlines()
    block: list[tuple[int, str]] = []
    for number, raw in enumerate(lines + [""], start=1):
        if raw.strip():
            block.append((number, raw.strip()))
            continue
        if block:
            yield block[0][0], _aiken_block(block)
            block = []


def _aiken_block(block: list[tuple[int, str]]) -> dict | str:
    text_lines, choices, answer = [], [], None
    for _, line in block:
        option, found = _AIKEN_OPTION.match(line), _AIKEN_ANSWER.match(line)
        if found:
            answer = "ABCDEF".index(found.group(1).upper())
        elif option and len(choices) == "ABCDEF".index(option.group(1)):
            choices.append(option.group(2))
        elif not choices:
            text_lines.append(line)
        else:
            return f"Dòng không đúng định dạng Aiken: “{line[:60]}”."
    if answer is None:
        return "Thiếu dòng ANSWER: (đáp án đúng) ở cuối câu hỏi."
    return {"text": " ".join(text_lines), "choices": choices, "correct": [answer], "multiple": False}


# --- GIFT -----------------------------------------------------------------------------------

def _gift_unescape(text: str) -> str:
    return re.sub(r"\\([~=#{}:])", r"\1", text).strip()


def _parse_gift(content: bytes):  # type: ignore[no-untyped-def]
    """GIFT multiple choice: `::title:: text {=right ~wrong}` or weighted `{~%50%a ~%50%b ~%-100%c}`."""
    text = content.decode("utf-8-sig")
    category = ""
    block: list[str] = []
    start = 1
    for number, raw in enumerate(text.splitlines() + [""], start=1):
        line = raw.strip()
        if line.startswith("//"):
            continue
        if line.startswith("$CATEGORY:"):
            category = line.split(":", 1)[1].strip().split("/")[-1]
            continue
        if line:
            if not block:
                start = number
            block.append(line)
            continue
        if block:
            entry = _gift_question(" ".join(block))
            if isinstance(entry, dict) and category:
                entry["topic"] = category
            yield start, entry
            block = []


_GIFT_ANSWER = re.compile(r"(?<!\\)([=~])((?:%-?\d+(?:\.\d+)?%)?)((?:\\.|[^=~\\])*)")


def _gift_question(raw: str) -> dict | str:
    match = re.match(r"^(?:::(?P<title>.*?)::)?(?P<text>(?:\\.|[^{\\])*)\{(?P<answers>(?:\\.|[^}\\])*)\}(?P<rest>.*)$", raw)
    if not match:
        return "Câu hỏi GIFT phải có phần đáp án trong dấu { }."
    body = match.group("answers")
    explanation = ""
    if "####" in body:
        body, explanation = body.split("####", 1)
    choices, correct, weighted = [], [], False
    for index, (mark, weight, answer) in enumerate(_GIFT_ANSWER.findall(body)):
        answer = _gift_unescape(re.split(r"(?<!\\)#", answer)[0])
        choices.append(answer)
        if weight:
            weighted = True
            if float(weight.strip("%")) > 0:
                correct.append(index)
        elif mark == "=":
            correct.append(index)
    if len(choices) < 2:
        return "Chỉ hỗ trợ câu hỏi nhiều lựa chọn của GIFT (cần ít nhất 2 phương án)."
    return {"text": _gift_unescape(match.group("text")), "choices": choices, "correct": correct,
            "explanation": _gift_unescape(explanation), "multiple": weighted and len(correct) > 1}


def _gift_escape(text: str) -> str:
    return re.sub(r"([~=#{}:])", r"\\\1", text)


def export_gift(questions: list[Question]) -> str:
    """GIFT text: one category line per topic; several correct answers use weights."""
    out, category = [], None
    for question in sorted(questions, key=lambda q: (q.topic.name, q.id)):
        if question.topic.name != category:
            category = question.topic.name
            out.append(f"$CATEGORY: {category}\n")
        version = question.current_version
        share = 100 / len(version.correct)
        answers = []
        for index, choice in enumerate(version.choices):
            if len(version.correct) == 1:
                answers.append(("=" if index in version.correct else "~") + _gift_escape(choice))
            else:
                weight = f"{share:g}" if index in version.correct else "-100"
                answers.append(f"~%{weight}%" + _gift_escape(choice))
        feedback = f" ####{_gift_escape(version.explanation)}" if version.explanation else ""
        out.append(f"::Q{question.id}:: {_gift_escape(version.text)} {{\n  " + "\n  ".join(answers) + f"{feedback}\n}}\n")
    return "\n".join(out)


def selected_questions(ids: list[int] | None = None) -> list[Question]:
    stmt = select(Question)
    if ids is not None:
        stmt = stmt.where(Question.id.in_(ids))
    return list(db.session.scalars(stmt.order_by(Question.id)))
