"""Personal data: digit searches cannot recover masked phones, free-text reasons go with the person, one open
request of each kind, the ranking export is audited, small communes' averages stay private, names stay visible."""
import pytest
from sqlalchemy import select

from quiz import create_app
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db, limiter
from quiz.models import AuditEvent, Citizen, DataRequest
from quiz.privacy.anonymise import anonymise
from tests.admin_helpers import COMMUNE_A, build_scenario
from tests.conftest import csrf_token, staff_login
from tests.test_citizen_flow import register


def _search(client, q: str) -> str:
    token = csrf_token(client.get("/quan-tri/nguoi-du-thi"))
    return client.post("/quan-tri/nguoi-du-thi", data={"csrf_token": token, "q": q}).get_data(as_text=True)


def test_digit_searches_match_only_the_last_four_or_the_whole_number(app, client, contest):
    scenario = build_scenario(app, contest)  # phone_a 0912000111
    staff_login(client)
    found = lambda q: "Phạm Thị Ánh" in _search(client, q)  # noqa: E731
    assert found("0111") and found("0912 000 111") and found("0912000111")
    assert not found("111") and not found("00111") and not found("2000111") and not found("12000111")
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "search_phone_digits")).all()
        assert len(events) == 7 and events[0].target_ids == [scenario.citizen_a]
        assert all("0111" not in str(e.changes) and not e.reason for e in events)


def test_digit_searches_are_rate_limited_per_staff_account(app, redis, contest):
    build_scenario(app, contest)
    limited = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                     "RATELIMIT_ENABLED": True})
    client = limited.test_client()
    staff_login(client)
    token = csrf_token(client.get("/quan-tri/nguoi-du-thi"))
    codes = [client.post("/quan-tri/nguoi-du-thi", data={"csrf_token": token, "q": f"{n:04d}"}).status_code
             for n in range(31)]
    assert codes[:30] == [200] * 30 and codes[30] == 429
    assert client.post("/quan-tri/nguoi-du-thi", data={"csrf_token": token, "q": "Ánh"}).status_code == 200
    limiter.enabled = False  # one limiter object serves every app of the test session
    with limited.app_context():
        db.session.remove()
        db.engine.dispose()  # no pooled PostgreSQL connection left to the garbage collector


def test_the_reveal_form_asks_a_category_and_a_short_note(app, client, contest):
    scenario = build_scenario(app, contest)
    staff_login(client)
    html = _search(client, "")
    assert 'name="category"' in html and "không ghi tên hay số điện thoại" in html
    token = csrf_token(client.get("/quan-tri/nguoi-du-thi"))
    response = client.post(f"/quan-tri/nguoi-du-thi/{scenario.citizen_a}/so-dien-thoai",
                           data={"csrf_token": token, "reason": "gọi cho chị Ánh 0912000111"})
    assert response.status_code == 302  # free text alone is no longer a reason
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.id)) is None


def test_anonymising_redacts_free_text_reasons_about_the_person(app, client, contest):
    scenario = build_scenario(app, contest)
    staff_login(client)
    token = csrf_token(client.get("/quan-tri/nguoi-du-thi"))
    client.post(f"/quan-tri/nguoi-du-thi/{scenario.citizen_a}/so-dien-thoai",
                data={"csrf_token": token, "category": "trao_giai", "note": "chị Ánh ở tổ 5"})
    client.post("/quan-tri/bao-cao/nguoi-du-thi.xlsx", data={"csrf_token": token, "reason": "Gửi danh sách cho chị Ánh"})
    with app.app_context():
        anonymise(db.session.get(Citizen, scenario.citizen_a), utcnow())
        db.session.commit()
        reasons = db.session.scalars(select(AuditEvent.reason).where(AuditEvent.reason != "")).all()
        assert reasons and all("Ánh" not in reason for reason in reasons)


def test_one_open_request_of_each_kind(app, client, contest):
    register(client)
    token = csrf_token(client.get("/du-lieu-cua-toi"))
    for _ in range(3):
        response = client.post("/du-lieu-cua-toi/phan-doi", data={"csrf_token": token, "detail": "Tôi phản đối"},
                               follow_redirects=True)
    assert "đang chờ xử lý" in response.get_data(as_text=True)
    with app.app_context():
        assert len(db.session.scalars(select(DataRequest)).all()) == 1


def test_the_ranking_export_is_audited(app, client, contest):
    scenario = build_scenario(app, contest)
    staff_login(client)
    response = client.get(f"/quan-tri/dot-thi/{scenario.round_id}/xep-hang?xuat=xlsx")
    assert response.status_code == 200
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export_ranking"))
        assert event is not None and sorted(event.target_ids) == sorted([scenario.citizen_a, scenario.citizen_b])


def test_the_public_feed_hides_averages_of_communes_under_three_completers(app, client, contest):
    build_scenario(app, contest)
    feed = {row["ma_xa"]: row for row in client.get("/quan-tri/cong-khai/so-lieu.json").json["xa"]}
    assert feed[COMMUNE_A]["hoan_thanh"] == 1 and feed[COMMUNE_A]["diem_trung_binh"] is None


@pytest.mark.parametrize("name", ["Nguyễn\u200bVăn An", "Lê \u202eThị Hoa", "Trần\u2066 Bình", "Ánh\u0301\u0301\u0301",
                                  "Zalgo a\u0300\u0301\u0302\u0303"])
def test_names_refuse_invisible_and_stacked_characters(app, client, contest, name):
    html = register(client, full_name=name).get_data(as_text=True)
    assert "Vui lòng gõ lại họ tên" in html
    with app.app_context():
        assert db.session.scalar(select(Citizen.id)) is None


def test_vietnamese_names_with_two_marks_are_kept(app, client, contest):
    register(client, full_name="Nguyễn Thị Ngọc Diệp Hoàng Quốc Việt")
    with app.app_context():
        assert db.session.scalar(select(Citizen.full_name)) == "Nguyễn Thị Ngọc Diệp Hoàng Quốc Việt"
