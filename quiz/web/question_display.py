"""How a question's text is shown on the quiz page."""
import re

# the page adds its own "(chọn tất cả đáp án đúng)" to multiple-answer questions; many bank texts end with it too
_CHOOSE_ALL = re.compile(r"\s*\((?:hãy\s+)?chọn\s+(?:tất\s+cả|các)\s+đáp\s+án\s+đúng\)\s*\.?\s*$", re.IGNORECASE)


def question_prompt(text: str) -> str:
    """The question without a trailing "(Chọn tất cả đáp án đúng)", which the page says once by itself."""
    return _CHOOSE_ALL.sub("", text or "")
