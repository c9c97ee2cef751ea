"""Normalising people's text: NFC names and accent-free search keys."""
import re
import unicodedata

_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str | None) -> str:
    """NFC, control characters removed, runs of spaces folded, trimmed."""
    if not value:
        return ""
    value = _CONTROL.sub("", unicodedata.normalize("NFC", value))
    return _SPACES.sub(" ", value).strip()


def search_key(value: str | None) -> str:
    """Accent-free, case-folded key: 'Thuỷ', 'Thủy' and 'thuy' all give 'thuy'."""
    decomposed = unicodedata.normalize("NFD", clean_text(value))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("đ", "d").replace("Đ", "D").casefold()
