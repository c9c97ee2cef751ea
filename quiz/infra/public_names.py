"""How a person's name may appear in public: masked ("Nguyễn Văn A•••"), one form on every public page (two forms
together, the masked name and the given name, would spell the full name)."""
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
