"""Personal data: proven consent, the citizen's rights, anonymisation, staff access audit, retention."""
import json
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import JSON, String, Text, select

from quiz import tallies
from quiz.audit import events
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import AuditEvent, Citizen, Consent, Round
from quiz.people.consents import publish_notice
from quiz.privacy.anonymise import apply_retention, set_retention_days
from quiz.privacy.data_requests import add_working_days, open_request, overdue_requests
from quiz.tallies.figures import figures_from_database
from tests.admin_helpers import COMMUNE_A, build_scenario, take
from tests.conftest import csrf_token, make_citizen, staff_login
from tests.test_citizen_flow import FORM, login, register


def test_stale_notice_version_asks_for_consent_again(client, app, contest):
    token = csrf_token(client.get("/dang-ky"))
    with app.app_context():
        publish_notice("Phiên bản 2 của thông báo. " * 10)
        db.session.commit()
    html = client.post("/dang-ky", data={**FORM, "csrf_token": token, "notice_version": "1"}).get_data(as_text=True)
    assert "vừa được cập nhật" in html and "phiên bản 2" in html
    assert register(client).status_code == 302  # the new page carries version 2
    with app.app_context():
        consent = db.session.scalar(select(Consent))
        assert consent.notice.version == 2 and consent.notice_sha256 == consent.notice.text_sha256


def test_my_data_page_download_and_no_store(client, app, contest):
    register(client, publish_consent="y")
    page = client.get("/du-lieu-cua-toi")
    assert page.headers["Cache-Control"] == "no-store"
    assert "0912345678" in page.get_data(as_text=True)
    data = json.loads(client.get("/du-lieu-cua-toi/tai-ve.json").data)
    assert (data["ho_ten"], data["so_dien_thoai"], data["ngay_sinh"], data["ma_xa"]) == \
        ("Lê Thị Hoa", "0912345678", "05/09/1958", "10792")
    assert {c["muc_dich"] for c in data["dong_y"]} == {"Xử lý dữ liệu để dự thi",
                                                       "Công bố họ tên và nơi sinh sống khi đoạt giải"}
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", data["dang_ky_luc"])  # Vietnam time, no UTC "Z"
    html = client.get("/du-lieu-cua-toi/tai-ve.html")
    assert "attachment" in html.headers["Content-Disposition"] and "Lê Thị Hoa" in html.get_data(as_text=True)


def test_correction_moves_tallies_and_logs_fields_only(client, app, contest, redis):
    with app.app_context():
        tallies.rebuild()
    register(client)
    token = csrf_token(client.get("/du-lieu-cua-toi"))
    with app.app_context():
        citizen = db.session.scalar(select(Citizen))
        take(db.session.get(Round, contest.id), citizen.id, 16)
    response = client.post("/du-lieu-cua-toi/sua", data={"csrf_token": token, "full_name": "Lê Thị Hoà",
                                                          "birth_date": "06/09/1958", "commune_code": COMMUNE_A})
    assert response.status_code == 302
    with app.app_context():
        citizen = db.session.scalar(select(Citizen))
        assert (citizen.commune_code, citizen.full_name) == (COMMUNE_A, "Lê Thị Hoà")
        assert tallies.verify([contest.id]) == []
        assert tallies.read_commune_figures(contest.id).by_commune[COMMUNE_A].completed == 1
        from quiz.models import CitizenChange
        change = db.session.scalar(select(CitizenChange))
        assert set(change.fields) == {"full_name", "birth_date", "commune_code"} and "Hoà" not in str(change.fields)


def _every_text_value() -> str:
    """All text and JSON values of every table, to search for leftovers of a person."""
    chunks = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, (String, Text, JSON))]
        if columns:
            for row in db.session.execute(select(*columns)):
                chunks.extend(str(v) for v in row if v is not None)
    return "\n".join(chunks)


def test_deletion_anonymises_and_keeps_every_figure(client, app, contest, redis):
    scenario = build_scenario(app, contest)
    with app.app_context():
        before = {c: f.as_tuple() for c, f in figures_from_database("31", scenario.round_id).items()}
    login(client, scenario.phone_a)
    token = csrf_token(client.get("/du-lieu-cua-toi"))
    assert client.post("/du-lieu-cua-toi/xoa", data={"csrf_token": token}).status_code == 400  # not confirmed: the form says so
    client.post("/du-lieu-cua-toi/xoa", data={"csrf_token": token, "confirm": "y"})
    with app.app_context():
        after = {c: f.as_tuple() for c, f in figures_from_database("31", scenario.round_id).items()}
        assert after == before and tallies.verify([scenario.round_id]) == []
        everything = _every_text_value()
        assert "Phạm Thị Ánh" not in everything and scenario.phone_a not in everything
        assert "pham thi anh" not in everything
        citizen = db.session.get(Citizen, scenario.citizen_a)
        assert citizen.anonymised_at and citizen.commune_code == COMMUNE_A and citizen.password_hash is None
    assert login(client, scenario.phone_a).status_code == 200  # cannot log in any more
    other = app.test_client()
    assert register(other, phone=scenario.phone_a).status_code == 302  # the number is free again


def test_reveal_phone_is_organizer_only_audited_and_queryable(app, client, contest):
    scenario = build_scenario(app, contest)
    staff_login(client, "bantochuc")
    token = csrf_token(client.get("/quan-tri/nguoi-du-thi"))
    html = client.post(f"/quan-tri/nguoi-du-thi/{scenario.citizen_b}/so-dien-thoai",
                       data={"csrf_token": token, "category": "trao_giai"}).get_data(as_text=True)
    assert scenario.phone_b in html
    with app.app_context():
        organizer_id = db.session.scalar(select(AuditEvent.actor_id))
        by_citizen = events(citizen_id=scenario.citizen_b)
        assert [e.action for e in by_citizen] == ["reveal_phone"] and by_citizen[0].reason == "Liên hệ trao giải"
        assert events(citizen_id=scenario.citizen_a) == []
        now = utcnow()
        assert len(events(actor_id=organizer_id, since=now - timedelta(minutes=5), until=now + timedelta(minutes=1))) == 1
        assert events(actor_id=organizer_id, since=now + timedelta(minutes=1)) == []
        assert scenario.phone_b not in str(by_citizen[0].changes) + by_citizen[0].reason
    page = client.get(f"/quan-tri/nhat-ky?citizen={scenario.citizen_b}").get_data(as_text=True)
    assert "reveal_phone" in page


def test_audit_rows_cannot_be_edited_or_deleted(app, contest):
    scenario = build_scenario(app, contest)
    with app.app_context():
        from quiz.audit import record
        record(None, "test", "citizen", [scenario.citizen_a])
        db.session.commit()
        event = db.session.scalar(select(AuditEvent))
        event.reason = "sửa"
        with pytest.raises(PermissionError):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.scalar(select(AuditEvent)))
        with pytest.raises(PermissionError):
            db.session.commit()
        db.session.rollback()


def test_request_deadlines_and_overdue(ctx, contest):
    citizen = make_citizen()
    friday = datetime(2026, 11, 27, 9, 0)
    request = open_request(citizen.id, "objection", "Không muốn nhận tin", friday)
    db.session.commit()
    assert request.acknowledge_by == add_working_days(friday, 2) == datetime(2026, 12, 1, 9, 0)  # Tuesday
    assert request.complete_by == datetime(2026, 12, 12, 9, 0)
    assert overdue_requests(datetime(2026, 11, 30)) == []
    assert overdue_requests(datetime(2026, 12, 2)) == [request]


def test_retention_command_is_idempotent(app, contest):
    scenario = build_scenario(app, contest)
    with app.app_context():
        set_retention_days(30)
        round_ = db.session.get(Round, scenario.round_id)
        assert apply_retention(round_.closes_at + timedelta(days=29)) == 0
        round_.closes_at = utcnow() - timedelta(days=31)
        db.session.commit()
    runner = app.test_cli_runner()
    assert "Đã ẩn danh 2 người" in runner.invoke(args=["privacy", "apply-retention"]).output
    assert "Đã ẩn danh 0 người" in runner.invoke(args=["privacy", "apply-retention"]).output
    with app.app_context():
        assert db.session.scalar(select(Citizen.phone).where(Citizen.phone.is_not(None))) is None
