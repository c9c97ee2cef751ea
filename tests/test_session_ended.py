"""A session that ended mid-quiz (the password changed on another phone, a log-out elsewhere, an expired
cookie) is told as such: saves answer 401 with a log-in link back to the quiz, a submit goes to the log-in
page with a message; before, saves got 404 (or a redirect the page took for "saved") and the submit a 404 page."""
import pytest
from sqlalchemy import select

from quiz.infra.extensions import db
from quiz.models import Citizen
from quiz.people.password_change import end_sessions
from tests.conftest import csrf_token
from tests.test_citizen_flow import register, save, start

ENDED = "Phiên đăng nhập đã hết"


def _quiz_then_session_ended(app, client) -> tuple[int, str]:
    register(client)
    attempt_id = start(client)
    token = csrf_token(client.get(f"/thi/{attempt_id}"))
    assert save(client, attempt_id, 0, [0], token).status_code == 200
    with app.app_context():
        end_sessions(db.session.scalar(select(Citizen)))  # as a password change or a log-out elsewhere does
    return attempt_id, token


def test_a_save_after_the_session_ended_is_a_401_with_a_way_back(app, client, contest):
    attempt_id, token = _quiz_then_session_ended(app, client)
    response = save(client, attempt_id, 1, [0], token)
    assert response.status_code == 401 and ENDED in response.json["error"]
    assert response.json["login"].endswith(f"/dang-nhap?next=/thi/{attempt_id}")


def test_a_save_with_no_session_at_all_is_a_401_not_a_redirect(app, client, contest):
    attempt_id, token = _quiz_then_session_ended(app, client)
    client.delete_cookie("session")
    client.delete_cookie("remember_token")
    response = save(client, attempt_id, 1, [0], token)
    assert response.status_code in (400, 401), response.status_code  # 400: the CSRF token went with the session
    assert response.status_code != 302


def test_a_submit_after_the_session_ended_asks_to_log_in_and_comes_back_to_the_quiz(app, client, contest):
    attempt_id, token = _quiz_then_session_ended(app, client)
    response = client.post(f"/thi/{attempt_id}/nop", data={"csrf_token": token, "q0": "0"})
    assert response.status_code == 302 and f"next=/thi/{attempt_id}" in response.headers["Location"]
    login_page = client.get(response.headers["Location"])
    assert ENDED in login_page.get_data(as_text=True)
    landed = client.post(response.headers["Location"], data={"phone": "0912345678", "password": "matkhau123",
                                                             "csrf_token": csrf_token(login_page)})
    assert landed.headers["Location"].endswith(f"/thi/{attempt_id}")  # back to the attempt, still open


def test_the_log_in_page_follows_only_a_path_of_this_site(app, client, contest):
    register(client)
    client.post("/dang-xuat", data={"csrf_token": csrf_token(client.get("/thi"))})
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil", "/quan-tri/tong-quan"):
        token = csrf_token(client.get(f"/dang-nhap?next={target}"))
        response = client.post(f"/dang-nhap?next={target}",
                               data={"phone": "0912345678", "password": "matkhau123", "csrf_token": token})
        assert response.headers["Location"].endswith("/thi"), (target, response.headers["Location"])
        client.post("/dang-xuat", data={"csrf_token": csrf_token(client.get("/thi"))})


def test_a_save_refused_by_an_expired_csrf_token_says_to_reload_not_that_it_failed_for_good(app, client, contest):
    register(client)
    attempt_id = start(client)
    response = save(client, attempt_id, 0, [0], "not-the-token")
    assert response.status_code == 400 and response.json.get("reload") is True


def test_the_submit_after_the_session_ended_says_it_will_be_sent_after_log_in(app, client, contest):
    attempt_id, token = _quiz_then_session_ended(app, client)
    response = client.post(f"/thi/{attempt_id}/nop", data={"csrf_token": token, "q0": "0"})
    assert "bài sẽ được nộp ngay sau khi bạn đăng nhập lại" in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("target", ["/\t/evil.example", "/%09/evil.example", "/\n/x", "/thi\r\nSet-Cookie: a=b",
                                    "/ /evil.example", "/thi/1//evil", "/\\/evil.example", "//evil.example",
                                    "https://evil.example/", "/quan-tri/tong-quan", "javascript:alert(1)"])
def test_the_log_in_never_sends_anywhere_but_a_plain_path_of_the_site(app, client, contest, target):
    """Review: next=/%09/evil.com passed the first check and Werkzeug wrote 'Location: //evil.com'."""
    from quiz.web.hooks import safe_next
    assert safe_next(target) is None
    assert safe_next("/thi/12") == "/thi/12" and safe_next("/ket-qua/3?x=1") == "/ket-qua/3?x=1"
