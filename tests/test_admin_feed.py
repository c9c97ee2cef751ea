"""The public feed for the digital map: conditional GETs stay valid until a figure changes."""
import time

from tests.admin_helpers import COMMUNE_A, build_scenario
from tests.conftest import make_citizen


def test_feed_etag_survives_the_clock_and_changes_with_the_figures(app, client, contest):
    build_scenario(app, contest)
    for url in ("/quan-tri/cong-khai/so-lieu.json", "/quan-tri/cong-khai/so-lieu.csv"):
        first = client.get(url)
        time.sleep(1.1)  # the updated-at stamp moves; the figures do not
        assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    etags = {client.get(url).headers["ETag"] for url in ("/quan-tri/cong-khai/so-lieu.json",
                                                         "/quan-tri/cong-khai/so-lieu.csv")}
    assert len(etags) == 2  # JSON and CSV are different representations
    before = client.get("/quan-tri/cong-khai/so-lieu.json")
    with app.app_context():
        make_citizen(COMMUNE_A)
    after = client.get("/quan-tri/cong-khai/so-lieu.json", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert next(e for e in after.json["xa"] if e["ma_xa"] == COMMUNE_A)["dang_ky"] == 2


def test_one_cut_off_aggregate_at_a_time_for_the_anonymous_feed(client, contest):
    """Review: 20 a minute per address still let a few addresses keep every worker and the database busy."""
    from admin import report_views
    assert report_views._PUBLIC_CUT_OFFS.acquire(blocking=False)  # another request's aggregate under way
    try:
        busy = client.get("/quan-tri/cong-khai/so-lieu.json?den=2026-11-30T10:00")
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "5" and "thử lại" in busy.json["error"]
        assert client.get("/quan-tri/cong-khai/so-lieu.json").status_code == 200  # the live feed is not held up
    finally:
        report_views._PUBLIC_CUT_OFFS.release()
    assert client.get("/quan-tri/cong-khai/so-lieu.json?den=2026-11-30T10:00").status_code == 200
