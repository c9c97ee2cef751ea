"""Moodle's text exchange formats for questions: Aiken and GIFT (their multiple-choice subset).

Parsers yield (line number, entry): an entry is a dict of question fields, or a Vietnamese error message.
"""
import re
from collections.abc import Iterator

from quiz.models import Question

Entry = tuple[int, dict | str]
LETTERS = "ABCDEF"

# --- Aiken --------------------------------------------------------------------------------

_AIKEN_OPTION = re.compile(r"^([A-Z])[.)]\s+(.+)$")
_AIKEN_ANSWER = re.compile(r"^ANSWER\s*:\s*(.*)$", re.I)


def parse_aiken(content: bytes) -> Iterator[Entry]:
    """Aiken: question line(s), options 'A. …' or 'A) …', then 'ANSWER: B'; blocks separated by blank lines."""
    lines = content.decode("utf-8-sig").splitlines()
    block: list[tuple[int, str]] = []
    for number, raw in enumerate(lines + [""], start=1):
        if raw.strip():
            block.append((number, raw.strip()))
            continue
        if block:
            yield _aiken_block(block)
            block = []


def _aiken_block(block: list[tuple[int, str]]) -> Entry:
    text_lines: list[str] = []
    choices: list[str] = []
    for number, line in block:
        option, answer = _AIKEN_OPTION.match(line), _AIKEN_ANSWER.match(line)
        if answer:
            letter = answer.group(1).strip().upper()
            if len(letter) != 1 or letter not in LETTERS[:len(choices)]:
                return number, f"Dòng ANSWER phải là một chữ cái trong các phương án đã liệt kê (A–{LETTERS[max(len(choices), 1) - 1]})."
            if number != block[-1][0]:
                return block[-1][0], "Dòng ANSWER phải là dòng cuối của câu hỏi."
            return block[0][0], {"text": " ".join(text_lines), "choices": choices,
                                 "correct": [LETTERS.index(letter)], "multiple": False}
        if option and option.group(1) == LETTERS[len(choices):len(choices) + 1]:
            choices.append(option.group(2))
        elif not choices:
            text_lines.append(line)
        else:
            return number, f"Dòng không đúng định dạng Aiken (cần “{LETTERS[min(len(choices), 5)]}. …” hoặc “ANSWER: …”): “{line[:60]}”."
    return block[-1][0], "Thiếu dòng ANSWER: (đáp án đúng) ở cuối câu hỏi."


def export_aiken(questions: list[Question]) -> str:
    """Aiken text (single-answer questions only: Aiken cannot say "several correct")."""
    blocks = []
    for question in questions:
        version = question.current_version
        if version.is_multiple:
            continue
        options = [f"{LETTERS[i]}. {choice}" for i, choice in enumerate(version.choices)]
        blocks.append("\n".join([version.text, *options, f"ANSWER: {LETTERS[version.correct[0]]}"]))
    return "\n\n".join(blocks) + "\n"


# --- GIFT -----------------------------------------------------------------------------------

_GIFT_QUESTION = re.compile(
    r"^(?:::(?P<title>(?:\\.|[^:\\]|:(?!:))*)::)?(?P<text>(?:\\.|[^{\\])*)\{(?P<answers>(?:\\.|[^}\\])*)\}(?P<rest>.*)$",
    re.S)
_GIFT_ANSWER = re.compile(r"(?<!\\)([=~])((?:%-?\d+(?:\.\d+)?%)?)((?:\\.|[^=~\\])*)")
_DIFFICULTY_TAG = re.compile(r"\[tag:do-kho-([123])\]")
_GIFT_FORMAT = re.compile(r"^\s*\[(?:html|moodle|plain|markdown)\]", re.I)


def parse_gift(content: bytes) -> Iterator[Entry]:
    """GIFT multiple choice: `::title:: text {=right ~wrong}` or weighted `{~%50%a ~%50%b ~%-100%c}`."""
    category, difficulty = "", None
    block: list[str] = []
    start = 1
    for number, raw in enumerate(content.decode("utf-8-sig").splitlines() + [""], start=1):
        line = raw.strip()
        if line.startswith("//"):
            tag = _DIFFICULTY_TAG.search(line)  # Moodle's "// [tag:…]" comment carries our difficulty
            difficulty = int(tag.group(1)) if tag else difficulty
            continue
        if line.startswith("$CATEGORY:") and not block:
            category = _category_name(line.split(":", 1)[1])
            continue
        if line:
            start = start if block else number
            block.append(line)
            continue
        if block:
            entry = _gift_question("\n".join(block))
            if isinstance(entry, dict):
                entry.update({"topic": category} if category else {})
                entry.update({"difficulty": difficulty} if difficulty else {})
            yield start, entry
            block, difficulty = [], None


def _category_name(path: str) -> str:
    """The last level of a category path ("$course$/top/Topic"); "//" is a slash inside a name."""
    levels = re.split(r"(?<!/)/(?!/)", path.strip().rstrip("/"))
    return levels[-1].replace("//", "/").strip()


def _unescape(text: str) -> str:
    return re.sub(r"\\([~=#{}:\\n])", lambda m: "\n" if m.group(1) == "n" else m.group(1), text).strip()


def _gift_question(raw: str) -> dict | str:
    match = _GIFT_QUESTION.match(raw)
    if not match:
        return "Câu hỏi GIFT phải có phần đáp án trong dấu { } (dấu { } trong nội dung cần viết \\{ \\})."
    body = match.group("answers").strip()
    explanation = ""
    if "####" in body:
        body, explanation = body.split("####", 1)
    unsupported = _unsupported_type(body)
    if unsupported:
        return unsupported
    answers = _GIFT_ANSWER.findall(body)
    choices = [_unescape(re.split(r"(?<!\\)#", answer)[0]) for _, _, answer in answers]
    weights = [float(weight.strip("%")) if weight else (100.0 if mark == "=" else 0.0) for mark, weight, _ in answers]
    if any(weight for _, weight, _ in answers) and any(mark == "=" for mark, _, _ in answers):
        return "Không hỗ trợ điểm từng phần (%…%) cùng với đáp án “=”: dùng “=” cho một đáp án đúng, hoặc chỉ dùng trọng số."
    correct = [index for index, weight in enumerate(weights) if weight > 0]
    multiple = len(correct) > 1 or any(weight < 0 for weight in weights)
    text = _GIFT_FORMAT.sub("", match.group("text"))
    return {"text": _unescape(text), "choices": choices, "correct": correct,
            "explanation": _unescape(explanation), "multiple": multiple}


def _unsupported_type(body: str) -> str | None:
    """A Vietnamese message for GIFT question types other than multiple choice."""
    plain = re.sub(r"\\.", "", body).strip()
    if plain.upper() in ("T", "F", "TRUE", "FALSE"):
        return "Câu đúng/sai của GIFT chưa được hỗ trợ: hãy viết thành hai phương án {=Đúng ~Sai}."
    if not plain:
        return "Câu tự luận của GIFT không được hỗ trợ (chỉ nhận câu nhiều lựa chọn)."
    if plain.startswith("#"):
        return "Câu trả lời bằng số của GIFT không được hỗ trợ (chỉ nhận câu nhiều lựa chọn)."
    if "->" in plain:
        return "Câu ghép cặp của GIFT không được hỗ trợ (chỉ nhận câu nhiều lựa chọn)."
    if "~" not in plain and plain.count("=") >= 1 and "%" not in plain:
        return "Câu trả lời ngắn của GIFT không được hỗ trợ: cần ít nhất một phương án sai “~…”."
    return None


def _escape(text: str) -> str:
    return re.sub(r"([~=#{}:\\])", r"\\\1", text).replace("\n", "\\n")


def export_gift(questions: list[Question]) -> str:
    """GIFT text: one category line per topic; "choose all that apply" questions use weights."""
    out, category = [], None
    for question in sorted(questions, key=lambda q: (q.topic.name, q.id)):
        if question.topic.name != category:
            category = question.topic.name
            out.append(f"$CATEGORY: {category.replace('/', '//')}\n")
        out.append(_gift_text(question))
    return "\n".join(out)


def _gift_text(question: Question) -> str:
    version = question.current_version
    share = 100 / len(version.correct)
    answers = []
    for index, choice in enumerate(version.choices):
        if not version.is_multiple:
            answers.append(("=" if index in version.correct else "~") + _escape(choice))
        else:
            weight = f"{share:.5g}" if index in version.correct else "-100"
            answers.append(f"~%{weight}%" + _escape(choice))
    feedback = f"\n####{_escape(version.explanation)}" if version.explanation else ""
    return f"// [tag:do-kho-{question.difficulty}]\n::Q{question.id}:: {_escape(version.text)} {{\n  " + "\n  ".join(answers) + f"{feedback}\n}}\n"
