"""The request edge: what no view ever has to check again.

- body size: imports up to IMPORT_MAX_BYTES, every other request SMALL_BODY_MAX_BYTES (413 above);
- control characters (NUL and the other C0/C1 codes, except tab and line breaks in form text) in a
  query string, a form field or an uploaded file's name: 400 (PostgreSQL refuses NUL in text; CR/LF
  in a query value is how headers get split);
- JSON: `NaN`/`Infinity`, numbers beyond a float and nesting deeper than a handful of levels are not
  JSON anyone sends us, so they are a parse error (400), not a crash later.
"""
import json
import re
from typing import Any

from flask import Flask, abort, current_app, render_template, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest

from quiz.infra.converters import BoundedIntConverter

LARGE_BODY_ENDPOINTS = frozenset({"admin.question_import"})
JSON_MAX_DEPTH = 8
_QUERY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_FORM_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def init_app(app: Flask) -> None:
    """Bounded integers in every `<int:…>` route, strict JSON, and the checks above on every request."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.json = StrictJSONProvider(app)
    app.config.setdefault("MAX_CONTENT_LENGTH", app.config["IMPORT_MAX_BYTES"] + 64 * 1024)
    app.before_request(check_request_edge)
    app.register_error_handler(ControlCharacters, _render_control_characters)


class ControlCharacters(BadRequest):
    """A 400 whose page says what was wrong (the browser's back button keeps what was typed)."""

    description = ("Nội dung gửi lên có ký tự điều khiển không hợp lệ (thường do dán từ nơi khác). "
                   "Vui lòng quay lại, xóa và gõ lại phần vừa dán rồi gửi lại.")


def _render_control_characters(error: ControlCharacters):
    if request.is_json or request.accept_mimetypes.best == "application/json":
        return {"error": error.description}, 400
    return render_template("errors/error.html", code=400, message=error.description), 400


def check_request_edge() -> None:
    """Refuse an over-large body or control characters before any view or form parses the request."""
    large = request.endpoint in LARGE_BODY_ENDPOINTS
    limit = current_app.config["IMPORT_MAX_BYTES"] + 64 * 1024 if large else current_app.config["SMALL_BODY_MAX_BYTES"]
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        abort(413)
    if None in request.form or None in request.files:  # a multipart part without a name: no browser sends one
        abort(400)
    if _has_control(request.args, _QUERY_CONTROL) or _has_control(request.form, _FORM_CONTROL):
        raise ControlCharacters()
    if any(_QUERY_CONTROL.search(f.filename or "") for f in request.files.values()):
        raise ControlCharacters()


def _has_control(values, pattern: re.Pattern) -> bool:
    return any(_QUERY_CONTROL.search(key) or pattern.search(value) for key, value in values.items(multi=True))


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing what json.loads accepts but no client of ours sends."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = json.loads(s, parse_constant=_refuse_constant, parse_float=_finite_float, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None
        if _depth(value) > JSON_MAX_DEPTH:
            raise ValueError("JSON nested too deeply")
        if _has_nul(value):
            raise ValueError("NUL in JSON text")
        return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number we accept")


def _finite_float(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise ValueError("number too large")
    return number


def _depth(value: Any, level: int = 0) -> int:
    if level > JSON_MAX_DEPTH:
        return level
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return max((_depth(child, level + 1) for child in children), default=level)


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False
