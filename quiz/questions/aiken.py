"""Aiken read and written by Moodle's own rules (question/format/aiken/format.php).

Moodle reads line by line: a line `A) …` / `A. …` (the space is optional) is a choice, a line starting
`ANSWER:` closes the question, any other line starts a new question (so a question is one line).
"""
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from quiz.models import Question

Entry = tuple[int, dict | str]
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_CHOICE = re.compile(r"^[A-Z][).][ \t]?")  # Moodle's test, byte for byte
_ALMOST_ANSWER = re.compile(r"^answer\s*:", re.I)
# after the answer's letter: another letter standing alone ("A, C", "A C", "AC", "A và C") names a second answer
_MORE_LETTERS = re.compile(r"^(?:[,;/&+]|và|and)?\s*[A-Z](?:[\s,;/&+.)]|$)", re.I)


@dataclass
class _Open:
    line: int
    text: str
    choices: list[str] = field(default_factory=list)
    problem: tuple[int, str] | None = None


def parse_aiken(content: bytes) -> Iterator[Entry]:
    """Aiken questions with their line numbers, or a message for the line Moodle would stumble on."""
    question: _Open | None = None
    lines = content.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if len(line.encode()) < 2:  # Moodle skips lines shorter than two bytes
            continue
        if _CHOICE.match(line):
            if question is None:
                yield number, "Dòng phương án nằm ngoài câu hỏi (Moodle: câu hỏi chưa bắt đầu)."
            else:
                _add_choice(question, number, line)
        elif line.startswith("ANSWER:"):
            if question is None:
                yield number, "Dòng ANSWER nằm ngoài câu hỏi (Moodle: câu hỏi chưa bắt đầu)."
            else:
                yield _closed(question, number, line[7:].strip())
            question = None
        elif _ALMOST_ANSWER.match(line):
            yield number, "Moodle chỉ nhận dòng đáp án viết đúng “ANSWER:” (chữ hoa, liền dấu hai chấm)."
            question = None
        else:
            if question is not None:
                yield question.line, _unfinished(number)
            question = _Open(number, line)
    if question is not None:
        yield question.line, "Thiếu dòng “ANSWER: …” (đáp án đúng) ở cuối câu hỏi."


def _unfinished(next_line: int) -> str:
    return (f"Câu hỏi chưa có dòng “ANSWER: …” trước dòng {next_line}: với Aiken, nội dung câu hỏi chỉ nằm trên "
            "một dòng và mỗi dòng khác phương án, ANSWER là một câu hỏi mới.")


def _add_choice(question: _Open, number: int, line: str) -> None:
    expected = LETTERS[len(question.choices)] if len(question.choices) < len(LETTERS) else "?"
    if line[0] != expected and question.problem is None:
        question.problem = (number, f"Phương án “{line[:2]}” không đúng thứ tự: cần “{expected}{line[1]}” "
                                    "(Moodle chấm theo vị trí, không theo chữ cái ghi trên dòng).")
    question.choices.append(line[2:].strip())


def _closed(question: _Open, number: int, answer: str) -> Entry:
    if question.problem:
        return question.problem
    count = len(question.choices)
    if count < 2:
        return number, "Câu hỏi cần ít nhất 2 phương án (A, B, …) trước dòng ANSWER."
    letter, rest = answer[:1], answer[1:].strip()
    if not letter or letter not in LETTERS[:count]:
        return number, f"Dòng ANSWER phải ghi chữ cái của một phương án đã liệt kê (A đến {LETTERS[count - 1]})."
    if _MORE_LETTERS.match(rest):
        return number, "Aiken chỉ có một đáp án đúng: dòng ANSWER chỉ ghi một chữ cái (Moodle bỏ qua phần còn lại)."
    entry = {"text": question.text, "choices": question.choices, "correct": [LETTERS.index(letter)], "multiple": False}
    if rest:  # "A.", "A)", "A - its text": Moodle reads the first character only
        entry["warnings"] = [f"Moodle chỉ đọc chữ cái đầu “{letter}” của dòng ANSWER (dòng {number}), "
                             f"phần “{rest[:40]}” được bỏ qua."]
    return question.line, entry


def aiken_problem(question: Question) -> str | None:
    """Why Moodle would not read this question back as it is (None: it can be written)."""
    version = question.current_version
    if version.is_multiple:
        return "câu chọn nhiều đáp án (Aiken chỉ có một đáp án đúng)"
    text = version.text
    if _CHOICE.match(text) or text.startswith("ANSWER:") or _ALMOST_ANSWER.match(text):
        return "nội dung bắt đầu như một dòng phương án hoặc ANSWER (Moodle sẽ đọc sai)"
    if len(text.encode()) < 2 or "\n" in text or any("\n" in c for c in version.choices):
        return "nội dung quá ngắn hoặc nhiều dòng"
    return None


def export_aiken(questions: list[Question]) -> tuple[str, list[tuple[Question, str]]]:
    """Aiken text of the questions Moodle reads back identically, and the others with the reason."""
    blocks, skipped = [], []
    for question in questions:
        problem = aiken_problem(question)
        if problem:
            skipped.append((question, problem))
            continue
        version = question.current_version
        options = [f"{LETTERS[i]}) {choice}" for i, choice in enumerate(version.choices)]
        blocks.append("\n".join([version.text, *options, f"ANSWER: {LETTERS[version.correct[0]]}"]))
    return ("\n\n".join(blocks) + "\n" if blocks else ""), skipped
