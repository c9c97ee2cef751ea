"""Normalising people's text: NFC names and accent-free search keys."""
import re
import unicodedata

_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# C1 controls but NEL, and the invisible characters that change what a reader sees: zero-width space, word
# joiner, byte-order mark, direction marks, embeddings, overrides and isolates (U+202E reverses what follows).
# The zero-width (non-)joiners stay: emoji sequences need them. Names refuse these (the person retypes);
# text an organizer imports loses them.
_INVISIBLE = re.compile("[\x80-\x84\x86-\x9f\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


def clean_text(value: str | None) -> str:
    """NFC, control characters removed, runs of spaces folded, trimmed."""
    if not value:
        return ""
    value = _CONTROL.sub("", unicodedata.normalize("NFC", value))
    return _SPACES.sub(" ", value).strip()


def clean_shown_text(value: str | None) -> str:
    """clean_text, and the invisible characters above removed: for question text, choices, explanations."""
    return clean_text(_INVISIBLE.sub("", value or ""))


def search_key(value: str | None) -> str:
    """Accent-free, case-folded key: 'Thuỷ', 'Thủy' and 'thuy' all give 'thuy'."""
    decomposed = unicodedata.normalize("NFD", clean_text(value))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("đ", "d").replace("Đ", "D").casefold()


MAX_COMBINING_RUN = 2  # Vietnamese needs at most two marks on a letter (ế = e + circumflex + acute)


def name_problem(value: str) -> str | None:
    """Why a person's name is refused: invisible or direction-control characters (Unicode Cf), or more
    stacked combining marks than Vietnamese writes (a "Zalgo" name). None when it is acceptable."""
    if any(unicodedata.category(ch) == "Cf" for ch in value):
        return "Họ tên có ký tự ẩn hoặc ký tự điều khiển hướng chữ. Vui lòng gõ lại họ tên."
    run = 0
    for ch in unicodedata.normalize("NFD", value):
        run = run + 1 if unicodedata.combining(ch) else 0
        if run > MAX_COMBINING_RUN:
            return "Họ tên có quá nhiều dấu chồng lên một chữ. Vui lòng gõ lại họ tên."
    return None
