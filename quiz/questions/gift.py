"""GIFT read and written by Moodle's own rules (question/format/gift/format.php), for multiple choice.

Each question either imports with the meaning Moodle gives it, or is refused with a message for its
line: never imported with another meaning. docs/question-formats.md lists every rule.
"""
import re
from collections.abc import Iterator

from quiz.models import Question
from quiz.questions.markup import MarkupError, split_format, to_plain

Entry = tuple[int, dict | str]
BLANK = "_____"  # Moodle's missing-word blank
TRUE_FALSE_CHOICES = ("Đúng", "Sai")
# Moodle's escapedchar_pre: "\\" first, then the escaped control characters become placeholders
_ESCAPES = {":": "\ue03a", "#": "\ue023", "=": "\ue03d", "{": "\ue07b", "}": "\ue07d", "~": "\ue07e", "n": "\ue00a"}
_RESTORE = {v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()}
_BACKSLASH = "\ue05c"
_WEIGHT = re.compile(r"^%-*([0-9]{1,2})\.?([0-9]*)%")
_DIFFICULTY_TAG = re.compile(r"\[tag:do-kho-([123])\]")
WEIGHT_TOLERANCE = 1e-4  # 3 × 33.33333 % is full marks


def parse_gift(content: bytes) -> Iterator[Entry]:
    """GIFT questions (blocks separated by blank lines, as in Moodle), with category and difficulty."""
    category, difficulty = "", None
    for block in _blocks(content.decode("utf-8-sig").splitlines()):
        for line in (text for _, text in block if text.startswith("//")):
            tag = _DIFFICULTY_TAG.search(line)  # our "// [tag:do-kho-N]" comment carries the difficulty
            difficulty = int(tag.group(1)) if tag else difficulty
        lines = [(number, text) for number, text in block if not text.startswith("//")]
        if not lines:
            continue
        if lines[0][1].startswith("$CATEGORY:"):
            category = _category_name(_pre(lines[0][1])[10:])
            if len(lines) > 1:
                yield lines[1][0], ("Moodle đọc dòng này là một phần tên chủ đề ở dòng "
                                    f"{lines[0][0]}: cần một dòng trống sau dòng $CATEGORY.")
            continue
        stray = next((number for number, text in lines[1:] if text.startswith("$CATEGORY:")), None)
        if stray:
            yield stray, "Cần một dòng trống trước dòng $CATEGORY (Moodle đọc nó là một phần của câu hỏi phía trên)."
            continue
        entry = read_question("\n".join(text for _, text in lines))
        if isinstance(entry, dict):
            entry.update({"topic": category} if category else {})
            entry.update({"difficulty": difficulty} if difficulty else {})
        yield lines[0][0], entry
        difficulty = None


def _blocks(lines: list[str]) -> Iterator[list[tuple[int, str]]]:
    """Moodle's readquestions: a question ends at a blank line."""
    block: list[tuple[int, str]] = []
    for number, raw in enumerate(lines + [""], start=1):
        if raw.strip():
            block.append((number, raw.strip()))
        elif block:
            yield block
            block = []


def _pre(text: str) -> str:
    text = text.replace("\\\\", _BACKSLASH)
    for char, placeholder in _ESCAPES.items():
        text = text.replace("\\" + char, placeholder)
    return text.replace(_BACKSLASH, "\\")


def _post(text: str) -> str:
    return "".join(_RESTORE.get(ch, ch) for ch in text).strip()


def _category_name(path: str) -> str:
    """The last level of a category path ("$course$/top/Topic"); "//" is a slash inside a name."""
    levels = re.split(r"(?<!/)/(?!/)", _post(path).rstrip("/"))
    return levels[-1].replace("//", "/").strip()


def _plain(text: str, default_format: str) -> tuple[str, str]:
    """(format, words) of a text field: Moodle's format marker, then the words a Moodle user sees."""
    fmt, body = split_format(text.strip(), default_format)
    return fmt, to_plain(_post(body), fmt)


def read_question(raw: str) -> dict | str:
    """One question block as a question entry, or the reason it is refused."""
    text = _pre(raw.strip())
    if text.startswith("::"):
        text = text[2:]
        end = text.find("::")
        text = text[end + 2:].strip() if end >= 0 else text
    start, finish = text.find("{"), text.find("}")
    if start < 0 and finish < 0:
        return "Không có phần đáp án trong dấu { }: Moodle nhập đoạn này thành mô tả, không phải câu hỏi."
    if start < 0 or finish < start:
        return "Dấu { } không khớp (dấu { } trong nội dung cần viết \\{ \\})."
    after = text[finish + 1:]
    if "{" in after or "}" in after:
        return ("Sau phần đáp án { } còn một phần { } khác: mỗi câu hỏi phải cách câu sau một dòng trống "
                "(dấu { } trong nội dung cần viết \\{ \\}).")
    question_text = text[:start] + ("" if text.endswith("}") else BLANK) + after
    answers = text[start + 1:finish].strip()
    feedback = ""
    if "####" in answers:
        cut = answers.rfind("####")
        answers, feedback = answers[:cut].strip(), answers[cut + 4:]
    try:
        fmt, words = _plain(question_text, "moodle")
        explanation = _plain(feedback, fmt)[1] if feedback.strip() else ""
        entry = _answers(answers, fmt)
    except MarkupError as error:
        return str(error)
    if isinstance(entry, dict):
        entry.update(text=words, explanation=explanation)
    return entry


def _answers(answers: str, fmt: str) -> dict | str:
    """Moodle's choice of question type from the answer part, then that type's meaning."""
    if answers == "":
        return "Câu tự luận (phần đáp án { } trống) không được hỗ trợ: chỉ nhận câu nhiều lựa chọn."
    if answers.startswith("#"):
        return "Câu trả lời bằng số ({#…}) không được hỗ trợ: chỉ nhận câu nhiều lựa chọn."
    if "~" in answers:
        return _multichoice(answers, fmt)
    if "=" in answers and "->" in answers:
        return "Câu ghép cặp ({=… -> …}) không được hỗ trợ: chỉ nhận câu nhiều lựa chọn."
    head = answers.split("#", 1)[0].strip() if answers.find("#") > 0 else answers
    if head in ("T", "TRUE", "F", "FALSE"):
        return _true_false(head, answers)
    return ("Moodle đọc đây là câu trả lời ngắn (không có phương án sai “~…”), không được hỗ trợ: "
            "hãy thêm các phương án sai “~…”.")


def _true_false(head: str, answers: str) -> dict:
    warnings = ["Phản hồi riêng của câu đúng/sai không được lưu (chỉ lưu lời giải thích ####)."] \
        if "#" in answers else []
    return {"choices": list(TRUE_FALSE_CHOICES), "correct": [0 if head in ("T", "TRUE") else 1],
            "multiple": False, "warnings": warnings}


def _multichoice(answers: str, fmt: str) -> dict | str:
    single = "=" in answers
    parts = answers.replace("=", "~=").split("~")
    parts[0] = parts[0].strip()
    if not parts[0]:
        parts.pop(0)
    if len(parts) < 2:
        return "Câu nhiều lựa chọn cần ít nhất 2 phương án."
    choices, weights, warnings = [], [], []
    for part in parts:
        parsed = _choice(part.strip(), fmt)
        if isinstance(parsed, str):
            return parsed
        choice, weight, has_feedback = parsed
        choices.append(choice)
        weights.append(weight)
        if has_feedback:
            warnings.append(f"Phản hồi riêng của phương án “{choice[:40]}” không được lưu (chỉ lưu lời giải thích ####).")
    meaning = _single_meaning(weights) if single else _multiple_meaning(weights)
    if isinstance(meaning, str):
        return meaning
    correct, multiple, notes = meaning
    return {"choices": choices, "correct": correct, "multiple": multiple, "warnings": warnings + notes}


def _choice(part: str, fmt: str) -> tuple[str, float, bool] | str:
    """(text, Moodle's fraction, has its own feedback) of one answer."""
    if part.startswith("="):
        part, weight = part[1:], 1.0
        if _WEIGHT.match(part.strip()):
            return (f"“={part.strip()[:20]}”: Moodle đọc dấu “=” là đáp án đúng và giữ “%…%” trong chữ của phương án; "
                    "trọng số phải viết sau dấu ngã: “~%50%…”.")
    elif _WEIGHT.match(part):
        end = part.index("%", 1)
        try:
            weight = float(part[1:end]) / 100
        except ValueError:
            return f"Trọng số “{part[:end + 1]}” không phải là một số."
        part = part[end + 1:]
    else:
        weight = 0.0
    text, _, feedback = part.partition("#")
    return _plain(text, fmt)[1], weight, bool(feedback.strip())


def _single_meaning(weights: list[float]) -> tuple[list[int], bool, list[str]] | str:
    """A "=" question: one choice picked, it scores its own fraction."""
    full = [i for i, w in enumerate(weights) if abs(w - 1) < WEIGHT_TOLERANCE]
    if len(full) > 1:
        return ("Có nhiều đáp án “=”: Moodle cho đủ điểm khi chọn MỘT trong số đó, cuộc thi không có loại câu này. "
                "Hãy giữ một dấu “=”, hoặc dùng trọng số “~%50%…” nếu phải chọn tất cả.")
    if any(0 < w < 1 - WEIGHT_TOLERANCE or w > 1 + WEIGHT_TOLERANCE for w in weights):
        return ("Không hỗ trợ điểm từng phần (%…%) cùng với đáp án “=”: dùng “=” cho một đáp án đúng, "
                "hoặc chỉ dùng trọng số.")
    notes = ["Moodle trừ điểm khi chọn phương án có trọng số âm; cuộc thi tính 0 điểm, không trừ."] \
        if any(w < 0 for w in weights) else []
    return full, False, notes


def _multiple_meaning(weights: list[float]) -> tuple[list[int], bool, list[str]] | str:
    """No "=": several choices may be ticked; Moodle adds the fractions of the ticked ones (0 to 100 %)."""
    correct = [i for i, w in enumerate(weights) if w > 0]
    if not correct:
        return "Không có phương án nào được điểm (cần “=” hoặc trọng số dương “~%100%…”)."
    if abs(sum(weights[i] for i in correct) - 1) > WEIGHT_TOLERANCE:
        return ("Tổng trọng số dương phải là 100 % (ví dụ ~%50%… ~%50%…, hoặc ~%33.33333% cho ba đáp án): "
                "nếu không, Moodle không bao giờ cho đủ điểm hoặc cho quá điểm.")
    if any(w == 0 for w in weights):
        return ("Phương án sai “~…” không có trọng số âm: với Moodle, người chọn tất cả vẫn được đủ điểm. "
                "Hãy ghi “~%-100%…” cho mỗi phương án sai.")
    notes = ["Moodle cho điểm từng phần khi chọn đúng một số đáp án; cuộc thi chỉ tính điểm khi chọn đủ "
             "và chỉ các đáp án đúng."] if len(correct) > 1 else []
    return correct, True, notes


# --- export -----------------------------------------------------------------------------------

def _escape(text: str) -> str:
    """Moodle's repchar: backslash and the control characters escaped, new lines as \\n."""
    return re.sub(r"([\\~=#{}:])", r"\\\1", text).replace("\n", "\\n").replace("\r", "")


def _field(text: str, default_plain: bool = False) -> str:
    """A text field; "[plain]" when Moodle's default format would read markup in it."""
    needs_plain = text.startswith("[") or (not default_plain and ("<" in text or "&" in text))
    return ("[plain]" if needs_plain else "") + _escape(text)


def _is_plain(text: str) -> bool:
    return "<" in text or "&" in text or text.startswith("[")


def export_gift(questions: list[Question]) -> str:
    """GIFT text: one category line per topic; "choose all that apply" questions use weights."""
    out, category = [], None
    for question in sorted(questions, key=lambda q: (q.topic.name, q.id)):
        if question.topic.name != category:
            category = question.topic.name
            out.append(f"$CATEGORY: {category.replace('/', '//')}\n")  # Moodle reads this line unescaped
        out.append(gift_text(question))
    return "\n".join(out)


def _share(count: int) -> str:
    return f"{100 / count:.7g}"  # Moodle's own fractions: 33.33333, 16.66667


def gift_text(question: Question) -> str:
    """One question as Moodle writes multiple choice: `=right`, `~wrong`, or `~%w%` weights."""
    version = question.current_version
    plain = _is_plain(version.text)
    answers = []
    for index, choice in enumerate(version.choices):
        if not version.is_multiple:
            mark = "=" if index in version.correct else "~"
        else:
            mark = f"~%{_share(len(version.correct))}%" if index in version.correct else "~%-100%"
        answers.append(mark + _field(choice, plain))
    feedback = f"\n####{_field(version.explanation, plain)}" if version.explanation else ""
    return (f"// [tag:do-kho-{question.difficulty}]\n::Q{question.id}:: {_field(version.text)} {{\n  "
            + "\n  ".join(answers) + f"{feedback}\n}}\n")
