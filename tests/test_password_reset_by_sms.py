""""Quên mật khẩu" by a one-time SMS code, against the real fake gateway process (no mocks)."""
from datetime import timedelta

import pytest

from quiz.errors import DomainError
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import Citizen
from quiz.models.people import password_cost
from quiz.people import password_reset
from quiz.privacy.anonymise import anonymise
from tests.conftest import csrf_token, make_citizen, next_phone
from tests.fair_helpers import PASSWORD, logged_in
from tests.test_phone_verification import TOKEN, gateway, messages, sender, sent_code  # noqa: F401

NEW = "ba con meo nho"
SENT = "Nếu số điện thoại này đã đăng ký"


@pytest.fixture
def sms(app, gateway, monkeypatch):  # noqa: F811
    monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", f"{gateway}/send")
    monkeypatch.setitem(app.config, "SMS_GATEWAY_TOKEN", TOKEN)
    return gateway


def ask_code(client, phone: str):
    token = csrf_token(client.get("/quen-mat-khau"))
    return client.post("/quen-mat-khau/gui-ma", data={"csrf_token": token, "phone": phone}, follow_redirects=True)


def reset(client, phone: str, code: str, new: str = NEW, confirm: str | None = None):
    token = csrf_token(client.get("/quen-mat-khau/dat-lai"))
    return client.post("/quen-mat-khau/dat-lai", data={"csrf_token": token, "phone": phone, "code": code,
                                                       "new": new, "confirm": confirm or new})


def can_log_in(app, phone: str, password: str) -> bool:
    other = app.test_client()
    token = csrf_token(other.get("/dang-nhap"))
    return other.post("/dang-nhap", data={"phone": phone, "password": password, "csrf_token": token}).status_code == 302


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_a_full_reset_sets_the_password_and_ends_every_session(app, client, contest, sms):
    citizen_id, phone = logged_in(app, client)  # an old session, on another phone
    with app.app_context():
        db.session.get(Citizen, citizen_id).must_change_password = True
        db.session.commit()
    helper = app.test_client()
    page = ask_code(helper, phone.replace("09", "+849", 1)).get_data(as_text=True)
    assert SENT in page and 'name="code"' in page
    assert messages(sms)[-1]["to"] == "+84" + phone[1:]
    assert f'value="{phone}"' in page  # step 2 keeps the phone typed at step 1
    short = reset(helper, phone, sent_code(sms), new="ngan").get_data(as_text=True)
    assert "ít nhất 8 ký tự" in short and "không được giữ lại" in short and sent_code(sms) in short
    done = reset(helper, phone, sent_code(sms))
    assert done.status_code == 302 and done.headers["Location"].endswith("/dang-nhap")
    assert f'value="{phone}"' in helper.get("/dang-nhap").get_data(as_text=True)  # filled in once
    assert client.get("/thi").status_code == 302  # the old session ended
    assert not can_log_in(app, phone, PASSWORD)
    assert can_log_in(app, phone, NEW)
    with app.app_context():
        assert db.session.get(Citizen, citizen_id).must_change_password is False
    assert "Không có mã" in reset(helper, phone, sent_code(sms), new="bon con ga con").get_data(as_text=True)


def test_an_unknown_or_anonymised_phone_gets_the_same_page_and_no_sms(app, client, contest, sms):
    with app.app_context():
        gone = make_citizen()
        gone_phone = gone.phone
        anonymise(gone, utcnow())
        db.session.commit()
    known_phone = next_phone()
    with app.app_context():
        make_citizen(phone=known_phone)
    known = ask_code(app.test_client(), known_phone)
    assert len(messages(sms)) == 1
    for phone in (next_phone(), gone_phone):
        unknown = ask_code(app.test_client(), phone)
        assert unknown.status_code == known.status_code == 200
        assert unknown.get_data(as_text=True).replace(phone, "") == known.get_data(as_text=True).replace(
            known_phone, "").replace(csrf_token(known), csrf_token(unknown))
        assert len(messages(sms)) == 1
        assert "chưa đúng" in reset(app.test_client(), phone, "123456").get_data(as_text=True)


def test_five_wrong_codes_lock_the_code(app, client, contest, sms):
    _, phone = logged_in(app, client)
    ask_code(client, phone)
    code = sent_code(sms)
    for _ in range(5):
        assert "chưa đúng" in reset(client, phone, wrong(code)).get_data(as_text=True)
    assert "quá 5 lần" in reset(client, phone, code).get_data(as_text=True)
    assert can_log_in(app, phone, PASSWORD)


def test_an_expired_code_is_refused(ctx, contest, gateway):  # noqa: F811
    phone, now = make_citizen().phone, utcnow()
    password_reset.request_reset(phone, sender(gateway), now, "10.0.0.2")
    with pytest.raises(DomainError, match="hết hạn"):
        password_reset.reset_with_code(phone, sent_code(gateway), NEW, password_cost(),
                                       now + timedelta(minutes=5, seconds=1))


def test_a_mistyped_phone_is_shown_beside_the_field_and_kept(app, client, contest, sms):
    response = ask_code(client, "09123")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Số điện thoại chưa đúng" in page and 'value="09123"' in page
    assert messages(sms) == []


def test_without_a_gateway_the_sms_option_is_hidden_and_its_routes_are_404(app, client, contest, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", "")
    page = client.get("/quen-mat-khau").get_data(as_text=True)
    assert "Gửi mã qua tin nhắn" not in page and "Xã, phường, đặc khu nơi bạn đăng ký" in page
    token = csrf_token(client.get("/dang-nhap"))
    assert client.post("/quen-mat-khau/gui-ma", data={"csrf_token": token, "phone": "0912345678"}).status_code == 404
    assert client.get("/quen-mat-khau/dat-lai").status_code == 404


def test_odd_input_on_the_reset_routes_never_gives_a_5xx(app, client, contest, sms):
    token = csrf_token(client.get("/quen-mat-khau"))
    for path in ("/quen-mat-khau/gui-ma", "/quen-mat-khau/dat-lai"):
        for data in ({"phone": "x" * 5000}, {"phone": "0912345678", "code": "１２３４５６", "new": "\x00" * 9,
                                                  "confirm": "\x00" * 9}, {}):
            assert client.post(path, data={"csrf_token": token, **data}).status_code < 500
        for body in ([1, 2], {"phone": ["0912345678"], "code": 5}, "chuoi"):
            assert client.post(path, json=body, headers={"X-CSRFToken": token}).status_code < 500
