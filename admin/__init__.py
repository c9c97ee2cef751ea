"""The admin blueprint: commune admins and organizers. Every view needs a staff login."""
from flask import Blueprint, redirect, request, url_for
from flask_login import current_user

bp = Blueprint("admin", __name__)

PUBLIC_ENDPOINTS = {"admin.login", "admin.public_feed_json", "admin.public_feed_csv_view"}
PASSWORD_CHANGE_ENDPOINTS = {"admin.change_password", "admin.logout"}


@bp.before_request
def require_staff():  # type: ignore[no-untyped-def]
    """Staff only; a first login must change its password before anything else."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated or not current_user.is_staff:
        return redirect(url_for("admin.login", next=request.full_path))
    if current_user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        return redirect(url_for("admin.change_password"))
    return None


from admin import (  # noqa: E402,F401
    auth_views,
    certificate_views,
    contact_views,
    contest_views,
    dashboard_views,
    participant_views,
    privacy_views,
    prize_views,
    question_views,
    report_page_views,
    report_views,
    review_views,
    round_views,
)
