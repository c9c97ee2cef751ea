"""Phone ownership: a one-time code by SMS (through a real local fake gateway over HTTP), or in person."""
import json
import re
import subprocess
import sys
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from quiz.contest.ranking import round_ranking
from quiz.errors import DomainError
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.infra.sms import HttpSmsGateway
from quiz.models import AuditEvent, PhoneCode, Round
from quiz.people import phone_codes
from tests.admin_helpers import COMMUNE_A, COMMUNE_B, add_staff, take
from tests.conftest import csrf_token, make_citizen, staff_login
from tests.fair_helpers import logged_in

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "fake_sms_gateway.py"
TOKEN = "kiem-thu"


@pytest.fixture
def gateway():
    """The fake SMS gateway as its own process on a free loopback port."""
    process = subprocess.Popen([sys.executable, str(SCRIPT), "--port", "0", "--token", TOKEN],
                               stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    url = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)
    yield url
    process.terminate()
    process.wait(timeout=5)
    process.stdout.close()


def messages(url: str) -> list[dict]:
    with urllib.request.urlopen(f"{url}/messages", timeout=5) as response:
        return json.loads(response.read())


def sent_code(url: str) -> str:
    return re.search(r"\b(\d{6})\b", messages(url)[-1]["text"]).group(1)


def sender(url: str) -> HttpSmsGateway:
    return HttpSmsGateway(f"{url}/send", TOKEN, timeout=5, sender_id="CONGDANSO")


def test_a_code_sent_through_the_gateway_verifies_the_phone(app, client, contest, gateway, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", f"{gateway}/send")
    monkeypatch.setitem(app.config, "SMS_GATEWAY_TOKEN", TOKEN)
    citizen_id, phone = logged_in(app, client)
    token = csrf_token(client.get("/xac-minh-so-dien-thoai"))
    assert client.post("/xac-minh-so-dien-thoai/gui-ma", data={"csrf_token": token}).status_code == 302
    assert messages(gateway)[-1]["to"] == "+84" + phone[1:]
    code = sent_code(gateway)
    with app.app_context():
        assert code not in str([row.code_hash for row in db.session.scalars(select(PhoneCode))])
    wrong = client.post("/xac-minh-so-dien-thoai", data={"csrf_token": token, "code": "000000" if code != "000000" else "111111"})
    assert "chưa đúng" in wrong.get_data(as_text=True)
    response = client.post("/xac-minh-so-dien-thoai", data={"csrf_token": token, "code": code})
    assert response.status_code == 302
    with app.app_context():
        assert phone_codes.is_verified(citizen_id)


def test_codes_expire_after_five_minutes_and_allow_five_tries(ctx, contest, gateway):
    phone, now = "0912345678", utcnow()
    phone_codes.send_code(phone, "verify_phone", sender(gateway), now, "10.0.0.1")
    code = sent_code(gateway)
    with pytest.raises(DomainError, match="hết hạn"):
        phone_codes.check_code(phone, "verify_phone", code, now + timedelta(minutes=5, seconds=1))
    phone_codes.send_code(phone, "verify_phone", sender(gateway), now + timedelta(minutes=6), "10.0.0.1")
    code = sent_code(gateway)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(DomainError):
            phone_codes.check_code(phone, "verify_phone", wrong, now + timedelta(minutes=7))
    with pytest.raises(DomainError, match="quá 5 lần"):
        phone_codes.check_code(phone, "verify_phone", code, now + timedelta(minutes=7))


def test_a_code_is_for_one_purpose_and_used_once(ctx, contest, gateway):
    phone, now = "0912345678", utcnow()
    phone_codes.send_code(phone, "reset_password", sender(gateway), now, "10.0.0.1")
    code = sent_code(gateway)
    with pytest.raises(DomainError):
        phone_codes.check_code(phone, "verify_phone", code, now)
    phone_codes.check_code(phone, "reset_password", code, now)
    with pytest.raises(DomainError):
        phone_codes.check_code(phone, "reset_password", code, now)


def test_sending_is_rate_limited_per_phone_and_per_ip(ctx, contest, gateway):
    now = utcnow()
    for minute in range(phone_codes.PER_PHONE[0]):
        phone_codes.send_code("0912345678", "verify_phone", sender(gateway), now + timedelta(minutes=2 * minute), "10.0.0.1")
    with pytest.raises(DomainError, match="quá nhiều"):
        phone_codes.send_code("0912345678", "verify_phone", sender(gateway), now + timedelta(minutes=9), "10.0.0.2")
    for index in range(phone_codes.PER_IP[0] - phone_codes.PER_PHONE[0]):
        phone_codes.send_code(f"0913{index:06d}", "verify_phone", sender(gateway), now, "10.0.0.1")
    with pytest.raises(DomainError, match="quá nhiều"):
        phone_codes.send_code("0987654321", "verify_phone", sender(gateway), now, "10.0.0.1")


def test_a_gateway_that_is_down_gives_a_vietnamese_message(ctx, contest):
    with pytest.raises(DomainError, match="Chưa gửi được"):
        phone_codes.send_code("0912345678", "verify_phone", HttpSmsGateway("http://127.0.0.1:9/send", "", 1, "X"),
                              utcnow(), "10.0.0.1")


def test_a_commune_admin_verifies_in_person_own_commune_only_and_audited(app, client, contest):
    with app.app_context():
        own, other = make_citizen(commune_code=COMMUNE_A).id, make_citizen(commune_code=COMMUNE_B).id
        add_staff("xa-a", "commune_admin", COMMUNE_A)
        db.session.commit()
    staff_login(client, "xa-a")
    token = csrf_token(client.get("/quan-tri/dang-ky-ho"))
    assert client.post(f"/quan-tri/nguoi-du-thi/{other}/xac-minh-sdt", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/quan-tri/nguoi-du-thi/{own}/xac-minh-sdt", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert phone_codes.is_verified(own) and not phone_codes.is_verified(other)
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "verify_phone_in_person"))
        assert event.target_ids == [own]


def test_a_round_can_require_a_verified_phone_for_prizes(ctx, contest):
    round_ = db.session.get(Round, contest.id)
    round_.verified_phone_for_prizes = True
    db.session.commit()
    verified, unverified = make_citizen(), make_citizen()
    take(round_, verified.id, right=10)
    take(round_, unverified.id, right=15)
    phone_codes.verify_in_person(verified.id, staff_id=None, now=utcnow())
    rows = {row.result.citizen_id: row for row in round_ranking(round_, 10)}
    assert rows[verified.id].prize_eligible and not rows[unverified.id].prize_eligible
    assert len(rows) == 2  # taking part needs no verification
