"""The citizen blueprint: register, log in, take the quiz, see results, "Dữ liệu của tôi"."""
from flask import Blueprint

bp = Blueprint("quiz", __name__)

from quiz.citizen import (  # noqa: E402,F401  (the routes register themselves on bp)
    account_help_views,
    certificate_views,
    info_views,
    my_data_views,
    password_views,
    phone_views,
    registration_views,
    views,
)
