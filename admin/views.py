"""Admin pages (placeholder until the admin issues land)."""
from admin import bp


@bp.get("/")
def index():  # type: ignore[no-untyped-def]
    return "Khu vực quản trị đang được xây dựng.", 200
