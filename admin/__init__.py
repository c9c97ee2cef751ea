"""The admin blueprint: commune admins and organizers (dashboards, question bank, reports)."""
from flask import Blueprint

bp = Blueprint("admin", __name__)

from admin import views  # noqa: E402,F401  (routes register themselves on bp)
