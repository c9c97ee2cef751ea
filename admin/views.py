"""The admin home page."""
from flask import render_template

from admin import bp


@bp.get("/")
def index():  # type: ignore[no-untyped-def]
    return render_template("admin/index.html")
