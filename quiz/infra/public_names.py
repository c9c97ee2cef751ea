"""How a person's name may appear in public: masked ("Nguyễn Văn A•••") or the given name only."""
from quiz.infra.text import clean_text

ANONYMISED_NAME = "(đã ẩn danh)"
MASK = "•••"


def masked_name(full_name: str | None) -> str:
    """Family and middle names, then the given name's first letter: 'Nguyễn Văn An' → 'Nguyễn Văn A•••'."""
    words = clean_text(full_name).split(" ") if full_name else []
    if not words or not words[0]:
        return ANONYMISED_NAME
    *family, given = words
    return " ".join(family + [given[0] + MASK])


def given_name(full_name: str | None) -> str:
    """The given name (tên), the last word of a Vietnamese name: all a share image shows."""
    words = clean_text(full_name).split(" ") if full_name else []
    return words[-1] if words and words[-1] else ANONYMISED_NAME
