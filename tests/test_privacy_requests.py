"""Personal data, second part: optional consent, sessions after deletion, requests handled by organizers,
retention in batches, the audit log page."""
import json
from datetime import timedelta

from sqlalchemy import func, select

from quiz.audit import events
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import AuditEvent, AuditSubject, Citizen, Consent, DataRequest, Round
from quiz.privacy import anonymise as anonymise_module
from quiz.privacy.anonymise import apply_retention, set_retention_days
from quiz.privacy.data_requests import open_request
from quiz.tallies.figures import figures_from_database
from tests.admin_helpers import build_scenario, take
from tests.conftest import csrf_token, make_citizen, staff_login
from tests.test_citizen_flow import login, register


def test_optional_consent_is_independent_and_withdrawable(client, app, contest):
    register(client)  # publish_consent left unticked
    token = csrf_token(client.get("/du-lieu-cua-toi"))
    with app.app_context():
        assert db.session.scalars(select(Consent.purpose)).all() == [Consent.PROCESSING]
    other = app.test_client()
    register(other, phone="0912345679", publish_consent="y")
    other_token = csrf_token(other.get("/du-lieu-cua-toi"))
    other.post("/du-lieu-cua-toi/rut-dong-y", data={"csrf_token": other_token})
    client.post("/du-lieu-cua-toi/rut-dong-y", data={"csrf_token": token})
    with app.app_context():
        rows = {(c.purpose, c.withdrawn_at is not None) for c in db.session.scalars(select(Consent))}
        assert rows == {(Consent.PROCESSING, False), (Consent.PUBLISH_WINNER, True)}
        assert db.session.scalar(select(func.count(Consent.id))) == 3


def test_download_lists_every_attempt(client, app, contest):
    register(client)
    with app.app_context():
        citizen_id = db.session.scalar(select(Citizen.id))
        take(db.session.get(Round, contest.id), citizen_id, 16)
    data = json.loads(client.get("/du-lieu-cua-toi/tai-ve.json").data)
    assert [(a["luot"], a["diem"] is not None) for a in data["bai_thi"]] == [(1, True)]
    assert client.get("/du-lieu-cua-toi/tai-ve.json").headers["Cache-Control"] == "no-store"


def test_deletion_ends_every_other_session(client, app, contest):
    register(client)
    second = app.test_client()
    login(second)
    assert second.get("/du-lieu-cua-toi").status_code == 200
    token = csrf_token(client.get("/du-lieu-cua-toi"))
    client.post("/du-lieu-cua-toi/xoa", data={"csrf_token": token, "confirm": "y"})
    assert second.get("/du-lieu-cua-toi").status_code == 302  # back to the login page


def test_organizer_records_and_completes_a_deletion_request(app, client, contest):
    scenario = build_scenario(app, contest)
    with app.app_context():
        before = {c: f.as_tuple() for c, f in figures_from_database("31", scenario.round_id).items()}
    staff_login(client, "bantochuc")
    token = csrf_token(client.get("/quan-tri/yeu-cau-du-lieu"))
    url = "/quan-tri/yeu-cau-du-lieu"
    client.post(url, data={"csrf_token": token, "action": "receive", "citizen_id": scenario.citizen_a,
                           "kind": "deletion", "detail": "Gọi điện ngày 1/12"})
    assert "Không tìm thấy" in client.post(url, data={"csrf_token": token, "action": "complete", "request_id": 9999},
                                           follow_redirects=True).get_data(as_text=True)
    with app.app_context():
        request_id = db.session.scalar(select(DataRequest.id))
    client.post(url, data={"csrf_token": token, "action": "acknowledge", "request_id": request_id})
    client.post(url, data={"csrf_token": token, "action": "complete", "request_id": request_id})
    with app.app_context():
        citizen = db.session.get(Citizen, scenario.citizen_a)
        assert citizen.anonymised_at and citizen.phone is None and citizen.full_name is None
        assert db.session.get(DataRequest, request_id).detail == "(đã ẩn danh)"
        assert [e.action for e in events(citizen_id=scenario.citizen_a)] == [
            "data_request_completed", "data_request_acknowledged", "data_request_received"]
        after = {c: f.as_tuple() for c, f in figures_from_database("31", scenario.round_id).items()}
        assert after == before
    staff_login(client, "xa-a")
    assert client.get(url).status_code == 403


def test_commune_admin_cannot_reveal_a_phone(app, client, contest):
    scenario = build_scenario(app, contest)
    staff_login(client, "xa-a")
    token = csrf_token(client.get("/quan-tri/nguoi-du-thi"))
    response = client.post(f"/quan-tri/nguoi-du-thi/{scenario.citizen_a}/so-dien-thoai",
                           data={"csrf_token": token, "category": "trao_giai"})
    assert response.status_code == 403 and scenario.phone_a not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id))) == 0


def test_retention_runs_in_batches_clears_request_text_and_is_audited(app, contest, monkeypatch):
    with app.app_context():
        ids = [make_citizen(full_name=f"Người Thứ {n}").id for n in range(5)]
        open_request(ids[0], "objection", "Tôi là Người Thứ 0", utcnow())
        set_retention_days(10, None)
        db.session.get(Round, contest.id).closes_at = utcnow() - timedelta(days=11)
        db.session.commit()
        monkeypatch.setattr(anonymise_module, "RETENTION_BATCH", 2)
        assert apply_retention(utcnow()) == 5
        assert apply_retention(utcnow()) == 0
        assert db.session.scalar(select(func.count(Citizen.id)).where(Citizen.full_name.is_not(None))) == 0
        assert db.session.scalar(select(DataRequest.detail)) == "(đã ẩn danh)"
        actions = [(e.action, e.changes) for e in events()]
        assert ("apply_retention", {"citizens": 5}) in actions
        assert ("set_retention_days", {"old": "", "new": "10"}) in actions


def test_audit_log_page_filters_by_staff_action_time_and_citizen(app, client, contest):
    scenario = build_scenario(app, contest)
    staff_login(client, "bantochuc")
    token = csrf_token(client.get("/quan-tri/nguoi-du-thi"))
    for citizen_id in (scenario.citizen_a, scenario.citizen_b):
        client.post(f"/quan-tri/nguoi-du-thi/{citizen_id}/so-dien-thoai",
                    data={"csrf_token": token, "category": "trao_giai", "note": f"đợt {citizen_id}"})
    with app.app_context():
        organizer = db.session.scalar(select(AuditEvent.actor_id))
        assert db.session.scalar(select(func.count()).select_from(AuditSubject)) == 2
    page = client.get(f"/quan-tri/nhat-ky?staff={organizer}&action=reveal_phone&citizen={scenario.citizen_b}")
    html = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert f"Liên hệ trao giải: đợt {scenario.citizen_b}" in html and f"đợt {scenario.citizen_a}" not in html
    assert scenario.phone_b not in html and "Hoàng Văn Bình" not in html
    assert "Không có bản ghi" in client.get("/quan-tri/nhat-ky?from=2000-01-01T00:00&to=2000-01-02T00:00").get_data(as_text=True)
    assert client.get("/quan-tri/nhat-ky?from=khong-phai-ngay").status_code == 400
    staff_login(client, "xa-b")
    assert client.get("/quan-tri/nhat-ky").status_code == 403


def test_rate_limit_keys_and_logs_never_hold_the_phone(app, redis, contest, caplog):
    from quiz import create_app
    from quiz.infra.extensions import limiter
    from tests.test_citizen_flow import login as citizen_login
    limited = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                     "RATELIMIT_ENABLED": True})
    try:
        client = limited.test_client()
        with caplog.at_level("DEBUG"):
            statuses = [citizen_login(client, phone="0912 777 888", password="sai-mat-khau").status_code
                        for _ in range(12)]
        assert 429 in statuses
        keys = " ".join(k.decode() if isinstance(k, bytes) else k for k in redis.keys("*"))
        assert "limits" in keys and "912777888" not in keys
        assert "912777888" not in caplog.text
    finally:
        limiter.enabled = False
        with limited.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_my_data_page_offers_the_publication_consent_that_applies(client, app, contest):
    """Walk-through: 'Rút lại đồng ý công bố tên' was shown to someone who never gave it, with no way to give it."""
    register(client)  # publish_consent left unticked
    page = client.get("/du-lieu-cua-toi").get_data(as_text=True)
    assert "Rút lại đồng ý công bố tên" not in page and "Đồng ý công bố tên" in page
    client.post("/du-lieu-cua-toi/dong-y-cong-bo", data={"csrf_token": csrf_token(client.get("/du-lieu-cua-toi"))})
    with app.app_context():
        consent = db.session.scalar(select(Consent).where(Consent.purpose == Consent.PUBLISH_WINNER))
        assert consent is not None and consent.withdrawn_at is None and consent.notice_sha256 and consent.method == "self"
    page = client.get("/du-lieu-cua-toi").get_data(as_text=True)
    assert "Rút lại đồng ý công bố tên" in page
    client.post("/du-lieu-cua-toi/dong-y-cong-bo", data={"csrf_token": csrf_token(client.get("/du-lieu-cua-toi"))})
    with app.app_context():  # given twice: still one standing consent
        assert db.session.scalar(select(func.count(Consent.id)).where(
            Consent.purpose == Consent.PUBLISH_WINNER, Consent.withdrawn_at.is_(None))) == 1


def test_the_my_data_forms_leave_validation_to_the_vietnamese_messages(client, contest):
    register(client)
    page = client.get("/du-lieu-cua-toi").get_data(as_text=True)
    import re
    forms = re.findall(r"<form [^>]*>", page)
    assert forms and all("novalidate" in tag for tag in forms if "/du-lieu-cua-toi" in tag), forms
    assert "Tải về (JSON)" not in page


def test_the_correction_form_chooses_the_commune_as_registration_does(client, contest):
    """Walk-through: no filter, and another order (Đặc khu first) than at registration."""
    register(client)
    page = client.get("/du-lieu-cua-toi").get_data(as_text=True)
    assert 'id="commune-filter"' in page and '<optgroup label="Phường">' in page and "js/register.js" in page
    assert page.index('<optgroup label="Phường">') < page.index('<optgroup label="Đặc khu">')
    assert "selected" in page.split('value="10792"', 1)[1][:60]  # the registered commune (FORM)


def test_my_data_errors_are_shown_where_the_form_is(client, contest):
    register(client)
    token = csrf_token(client.get("/du-lieu-cua-toi"))
    page = client.post("/du-lieu-cua-toi/xoa", data={"csrf_token": token})
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and 'id="error-summary"' in html and 'href="#confirm"' in html
    html = client.post("/du-lieu-cua-toi/sua", data={"csrf_token": token, "full_name": "", "birth_date": "05/09/1958",
                                                    "commune_code": ""}).get_data(as_text=True)
    assert 'id="error-summary"' in html and "#sua-thong-tin" in html


def test_a_minor_cannot_give_the_publication_consent_alone(client, app, contest):
    """Review: at registration an under-16's consent is the guardian's; on "Dữ liệu của tôi" it was recorded as theirs."""
    register(client, birth_date="01/01/2015", guardian_name="Nguyễn Văn Bố", guardian_phone="0987 000 111",
             guardian_consent="y")
    page = client.post("/du-lieu-cua-toi/dong-y-cong-bo", data={"csrf_token": csrf_token(client.get("/du-lieu-cua-toi"))},
                       follow_redirects=True).get_data(as_text=True)
    assert "người giám hộ" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Consent.id)).where(Consent.purpose == Consent.PUBLISH_WINNER)) == 0
        assert db.session.scalar(select(Citizen.guardian_name)) == "Nguyễn Văn Bố"  # registered, as a minor
