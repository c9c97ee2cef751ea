"""The base of every form: a JSON body is read like a posted form, strings only."""
from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import SUBMIT_METHODS, _Auto
from werkzeug.datastructures import ImmutableMultiDict


class Form(FlaskForm):
    """FlaskForm, except that a JSON body that is not an object of strings gives an empty form.

    Flask-WTF hands `request.get_json()` to WTForms as is, and WTForms calls string methods on every
    value: a list, a number or an object as the body (or as a field) was a 500 on log-in and registration.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if formdata is _Auto and request.is_json and not request.form and not request.files:
                return ImmutableMultiDict(_string_items(request.get_json(silent=True))) if self._submitted() else None
            return super().wrap_formdata(form, formdata)

        @staticmethod
        def _submitted() -> bool:
            return bool(request) and request.method in SUBMIT_METHODS


def _string_items(body: object) -> list[tuple[str, str]]:
    if not isinstance(body, dict):
        return []
    items: list[tuple[str, str]] = []
    for key, value in body.items():
        values = value if isinstance(value, list) else [value]
        items.extend((key, item) for item in values if isinstance(item, str))
    return items
