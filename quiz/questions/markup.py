"""Moodle's text formats inside imported questions: `[html]`, `[moodle]`, `[markdown]`, `[plain]` to plain text.

The contest shows every text as plain, escaped text. HTML made only of paragraphs, line breaks and
inline emphasis reads the same as its words, so it is converted; anything whose meaning would be
lost (images, links, tables, media, formulas) is refused with a message, never shown as tags.
"""
import re
from html.parser import HTMLParser

FORMATS = ("moodle", "html", "plain", "markdown")
DEFAULT_FORMAT = "moodle"
_MARKER = re.compile(r"^\[(moodle|html|plain|markdown)\]")  # case-sensitive, as format_name_to_const
# tags whose words alone carry the meaning (a line break or paragraph becomes a space); superscript,
# subscript, underline, strike-through and highlight are refused: "2<sup>10</sup>" is not "210", and
# "which word is underlined?" has no answer once the underline is gone
_TEXT_TAGS = {"p", "br", "div", "span", "b", "strong", "i", "em", "small", "font"}
_MARKDOWN_SYNTAX = re.compile(r"(\*\*|(?<!_)__[^_\s]|`|!\[|\]\(|^#{1,6}\s|^\s*[-*+]\s|^\s*\d+\.\s|<[a-z/])", re.M | re.I)


class MarkupError(ValueError):
    """Text whose Moodle format cannot be shown as plain text without changing what it says."""


def split_format(text: str, default: str = DEFAULT_FORMAT) -> tuple[str, str]:
    """Moodle's parse_text_with_format: a leading `[name]` of a known format sets it and is removed."""
    match = _MARKER.match(text)
    if not match:
        return default, text
    return match.group(1).lower(), text[match.end():]


def to_plain(text: str, fmt: str) -> str:
    """The words a Moodle user sees for `text` in format `fmt`, or MarkupError."""
    if fmt == "plain":
        return text  # Moodle shows plain text literally, tags included: so does the contest
    if fmt == "markdown":
        if _MARKDOWN_SYNTAX.search(text):
            raise MarkupError("Văn bản dạng [markdown] có định dạng (in đậm, danh sách, liên kết…) không hiển thị "
                              "được: hãy viết thành văn bản thường.")
        return text
    return _html_to_text(text)  # moodle (auto-format, HTML allowed) and html


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.refused: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in _TEXT_TAGS:
            self.refused.append(tag)
        elif tag in ("p", "br", "div"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag not in _TEXT_TAGS:
            self.refused.append(tag)
        elif tag in ("p", "div"):
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _html_to_text(text: str) -> str:
    if "<" not in text and "&" not in text:
        return text
    parser = _TextOnly()
    parser.feed(text)
    parser.close()
    if parser.refused:
        tags = ", ".join(sorted({f"<{tag}>" for tag in parser.refused}))
        raise MarkupError(f"Nội dung HTML có thẻ {tags} (hình ảnh, liên kết, bảng, chỉ số trên/dưới, gạch chân…) "
                          "không hiển thị được cho người dự thi: hãy viết lại thành văn bản thường.")
    return "".join(parser.parts)  # convert_charrefs has decoded the entities once, as a browser does
