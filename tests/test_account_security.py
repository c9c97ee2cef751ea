"""Accounts and sessions: throttled log-ins, equal-time answers, the password policy, temporary passwords,
the citizen's password change, and session tokens that end copied cookies."""
import statistics
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from quiz import create_app
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import Citizen, StaffUser
from quiz.privacy.my_data import delete_my_data
from tests.admin_helpers import build_scenario
from tests.conftest import csrf_token, make_citizen, make_staff, staff_login
from tests.test_citizen_flow import login, register, save, start


@pytest.fixture
def throttled(app, redis):
    """An app with the log-in throttle on (the suite's app has it off), on the test Redis."""
    throttled = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                       "LOGIN_THROTTLE_ENABLED": True})
    yield throttled
    with throttled.app_context():
        db.session.remove()
        db.engine.dispose()  # no pooled PostgreSQL connection left to the garbage collector


def test_staff_login_locks_after_wrong_passwords_even_for_the_right_one(app, throttled, contest):
    with app.app_context():
        make_staff()
    client = throttled.test_client()
    for _ in range(60):
        staff_login(client, password="sai-mat-khau-roi")
    response = staff_login(client)
    assert response.status_code == 429 and "thử lại sau" in response.get_data(as_text=True)
    assert client.get("/quan-tri/tong-quan").status_code == 302  # not logged in
    with app.app_context():
        assert db.session.scalar(select(StaffUser.failed_logins)) >= 5


def test_the_delay_grows_and_a_success_clears_it(app, throttled, redis, contest):
    from quiz.infra.login_throttle import delay_after
    assert [delay_after(n, "account") for n in (4, 5, 6, 7, 30)] == [0, 2, 4, 8, 900]
    with app.app_context():
        make_staff()
    client = throttled.test_client()
    for _ in range(4):
        staff_login(client, password="sai-mat-khau-roi")
    assert staff_login(client).status_code == 302  # four failures are free; the right one clears the count
    with throttled.test_client() as other:
        for _ in range(5):
            staff_login(other, password="sai-mat-khau-roi")
        assert staff_login(other).status_code == 429


def test_many_wrong_passwords_from_one_address_are_throttled(app, throttled, contest):
    client = throttled.test_client()
    token = csrf_token(client.get("/dang-nhap"))
    for n in range(101):
        client.post("/dang-nhap", data={"phone": f"09{n:08d}", "password": "matkhau123", "csrf_token": token})
    response = client.post("/dang-nhap", data={"phone": "0999999999", "password": "x", "csrf_token": token})
    assert response.status_code == 429


def test_citizen_login_takes_as_long_for_an_unknown_phone(app, contest):
    slow = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                  "ARGON2_MEMORY_KIB": 19 * 1024, "ARGON2_TIME_COST": 2})  # the real cost
    with slow.app_context():
        make_citizen(phone="0912345678")
    client = slow.test_client()
    token = csrf_token(client.get("/dang-nhap"))

    def timed(phone: str) -> float:
        started = time.perf_counter()
        client.post("/dang-nhap", data={"phone": phone, "password": "sai-mat-khau", "csrf_token": token})
        return time.perf_counter() - started
    known = statistics.median(timed("0912345678") for _ in range(3))
    unknown = statistics.median(timed("0987654321") for _ in range(3))
    assert unknown > 0.5 * known  # it was 5 ms against 101 ms: the unknown phone hashed nothing
    with slow.app_context():
        db.session.remove()
        db.engine.dispose()  # no pooled PostgreSQL connection left to the garbage collector


def test_the_current_password_check_on_change_is_throttled(app, throttled, contest):
    with app.app_context():
        make_citizen(phone="0912345678")
    client = throttled.test_client()
    login(client)
    for _ in range(6):
        token = csrf_token(client.get("/doi-mat-khau"))
        client.post("/doi-mat-khau", data={"current": "sai-roi-nhe", "new": "hoa-sen-no-muon", "confirm": "hoa-sen-no-muon",
                                          "csrf_token": token})
    token = csrf_token(client.get("/doi-mat-khau"))
    response = client.post("/doi-mat-khau", data={"current": "matkhau123", "new": "hoa-sen-no-muon",
                                                 "confirm": "hoa-sen-no-muon", "csrf_token": token})
    assert "thử lại sau" in response.get_data(as_text=True)


@pytest.mark.parametrize("new, refused", [("ngan-qua-11", "ít nhất 12"), ("password1234", "phổ biến"),
                                          ("123456789012", "phổ biến"), ("matkhau-quan-tri", "khác mật khẩu hiện tại"),
                                          ("sen-hong-nở-giữa-đầm", None)])
def test_staff_password_policy(app, client, contest, new, refused):
    with app.app_context():
        make_staff(must_change=True)
    staff_login(client)
    token = csrf_token(client.get("/quan-tri/doi-mat-khau"))
    response = client.post("/quan-tri/doi-mat-khau", data={"current": "matkhau-quan-tri", "new": new, "confirm": new,
                                                          "csrf_token": token})
    if refused:
        assert response.status_code == 200 and refused in response.get_data(as_text=True)
    else:
        assert response.status_code == 302


@pytest.mark.parametrize("password, refused", [("1234567", "ít nhất 8"), ("12345678", "phổ biến"),
                                               ("iloveyou", "phổ biến"), ("0912345678", "phổ biến"), ("hoa-lan-2024", None)])
def test_citizen_password_policy_at_registration(client, contest, password, refused):
    html = register(client, password=password).get_data(as_text=True)
    assert (refused in html) if refused else ("Số điện thoại hoặc" not in html and "phổ biến" not in html)


def _reset(app, citizen_id: int) -> str:
    client = app.test_client()
    staff_login(client)
    token = csrf_token(client.get("/quan-tri/nguoi-du-thi"))
    html = client.post(f"/quan-tri/nguoi-du-thi/{citizen_id}/dat-lai-mat-khau", data={"csrf_token": token}).get_data(as_text=True)
    import re
    return re.search(r'class="secret">([a-z0-9]+)<', html).group(1)


def test_a_temporary_password_works_once_and_forces_a_change(app, contest):
    scenario = build_scenario(app, contest)
    temporary = _reset(app, scenario.citizen_a)
    first = app.test_client()
    response = login(first, scenario.phone_a, temporary)
    assert response.headers["Location"].endswith("/doi-mat-khau")
    assert first.get("/thi").headers["Location"].endswith("/doi-mat-khau")  # forced before anything else
    again = login(app.test_client(), scenario.phone_a, temporary)
    assert again.status_code == 200 and "72 giờ" in again.get_data(as_text=True)
    token = csrf_token(first.get("/doi-mat-khau"))
    response = first.post("/doi-mat-khau", data={"current": temporary, "new": "hoa-sen-no-muon",
                                                "confirm": "hoa-sen-no-muon", "csrf_token": token})
    assert response.status_code == 302 and first.get("/thi").status_code == 200
    assert login(app.test_client(), scenario.phone_a, "hoa-sen-no-muon").status_code == 302


def test_a_temporary_password_must_be_changed_before_answering_too(app, contest):
    """The answer save and the submit skip the person's load (their own query checks the session), and with
    it the forced change of a staff-set password (outside review)."""
    scenario = build_scenario(app, contest)
    before = app.test_client()
    login(before, scenario.phone_a)
    attempt_id = start(before)
    temporary = _reset(app, scenario.citizen_a)
    client = app.test_client()
    login(client, scenario.phone_a, temporary)
    token = csrf_token(client.get("/doi-mat-khau"))
    saved = client.post(f"/thi/{attempt_id}/tra-loi", json={"position": 0, "choices": [0]}, headers={"X-CSRFToken": token})
    submitted = client.post(f"/thi/{attempt_id}/nop", data={"csrf_token": token, "q0": "0"})
    assert saved.headers["Location"].endswith("/doi-mat-khau") and submitted.headers["Location"].endswith("/doi-mat-khau")
    response = client.post("/doi-mat-khau", data={"current": temporary, "new": "hoa-sen-no-muon",
                                                 "confirm": "hoa-sen-no-muon", "csrf_token": token})
    assert response.status_code == 302
    saved = client.post(f"/thi/{attempt_id}/tra-loi", json={"position": 0, "choices": [0]}, headers={"X-CSRFToken": token})
    assert saved.status_code == 200  # once changed, the quick path again


def test_a_temporary_password_expires_after_72_hours(app, contest):
    scenario = build_scenario(app, contest)
    temporary = _reset(app, scenario.citizen_a)
    with app.app_context():
        citizen = db.session.get(Citizen, scenario.citizen_a)
        assert citizen.temporary_password_until - utcnow() <= timedelta(hours=72)
        citizen.temporary_password_until = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert "72 giờ" in login(app.test_client(), scenario.phone_a, temporary).get_data(as_text=True)


def test_citizens_change_their_password_from_their_menu(app, client, contest):
    with app.app_context():
        make_citizen(phone="0912345678")
    login(client)
    assert 'href="/doi-mat-khau"' in client.get("/thi").get_data(as_text=True)
    token = csrf_token(client.get("/doi-mat-khau"))
    wrong = client.post("/doi-mat-khau", data={"current": "khong-dung", "new": "hoa-sen-no-muon",
                                              "confirm": "hoa-sen-no-muon", "csrf_token": token})
    assert "Mật khẩu hiện tại chưa đúng" in wrong.get_data(as_text=True)
    done = client.post("/doi-mat-khau", data={"current": "matkhau123", "new": "hoa-sen-no-muon",
                                             "confirm": "hoa-sen-no-muon", "csrf_token": token})
    assert done.status_code == 302 and client.get("/thi").status_code == 200  # this session goes on
    assert login(app.test_client(), "0912345678", "matkhau123").status_code == 200
    assert login(app.test_client(), "0912345678", "hoa-sen-no-muon").status_code == 302


def _copy(app, client, cookie: str):  # type: ignore[no-untyped-def]
    copy = app.test_client()
    copy.set_cookie(cookie, client.get_cookie(cookie).value)
    return copy


@pytest.mark.parametrize("cookie", ["session", "remember_token"])
def test_a_copied_cookie_ends_at_logout(app, client, contest, cookie):
    with app.app_context():
        make_citizen(phone="0912345678")
    login(client)
    copy = _copy(app, client, cookie)
    assert copy.get("/thi").status_code == 200
    client.post("/dang-xuat", data={"csrf_token": csrf_token(client.get("/thi"))})
    assert copy.get("/thi").status_code == 302


@pytest.mark.parametrize("cookie", ["session", "remember_token"])
def test_a_copied_cookie_ends_at_reset_password_change_and_anonymisation(app, contest, cookie):
    scenario = build_scenario(app, contest)
    citizen = app.test_client()
    login(citizen, scenario.phone_a)
    copies = [_copy(app, citizen, cookie) for _ in range(3)]
    _reset(app, scenario.citizen_a)
    assert copies[0].get("/thi").status_code == 302
    login(citizen, scenario.phone_b)
    copy = _copy(app, citizen, cookie)
    token = csrf_token(citizen.get("/doi-mat-khau"))
    citizen.post("/doi-mat-khau", data={"current": "matkhau123", "new": "hoa-sen-no-muon",
                                       "confirm": "hoa-sen-no-muon", "csrf_token": token})
    assert copy.get("/thi").status_code == 302 and citizen.get("/thi").status_code == 200
    copy = _copy(app, citizen, cookie)
    with app.app_context():
        delete_my_data(scenario.citizen_b, utcnow())
        assert db.session.get(Citizen, scenario.citizen_b).session_token
    assert copy.get("/thi").status_code == 302


def test_a_copied_session_saves_no_answer_after_logout(app, client, contest):
    with app.app_context():
        make_citizen(phone="0912345678")
    login(client)
    attempt_id = start(client)
    token = csrf_token(client.get(f"/thi/{attempt_id}"))
    copy = _copy(app, client, "session")
    assert save(copy, attempt_id, 0, [0], token).status_code == 200
    client.post("/dang-xuat", data={"csrf_token": token})
    assert save(copy, attempt_id, 0, [1], token).status_code == 401  # the session ended: nothing saved
    response = copy.post(f"/thi/{attempt_id}/nop", data={"csrf_token": token})
    assert response.status_code in (302, 404) and "/ket-qua" not in response.headers.get("Location", "")


def test_a_copied_staff_session_ends_at_logout(app, client, contest):
    with app.app_context():
        make_staff()
    staff_login(client)
    copy = _copy(app, client, "session")
    assert copy.get("/quan-tri/tong-quan").status_code == 200
    client.post("/quan-tri/dang-xuat", data={"csrf_token": csrf_token(client.get("/quan-tri/tong-quan"))})
    assert copy.get("/quan-tri/tong-quan").status_code == 302
