"""The citizen blueprint: register, log in, take the quiz, see results, "Dữ liệu của tôi"."""
from flask import Blueprint

bp = Blueprint("quiz", __name__)

from quiz.citizen import my_data_views, phone_views, views  # noqa: E402,F401  (the routes register themselves on bp)
