"""Bad and hostile input: forged ids, over-long and control characters, NFD names, SQL metacharacters."""
import unicodedata

import pytest
from sqlalchemy import func, select

from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import Attempt, AttemptItem, Citizen
from quiz.privacy.anonymise import anonymise
from tests.admin_helpers import build_scenario
from tests.conftest import csrf_token, make_staff, staff_login
from tests.test_citizen_flow import login, register, save, start


def test_forged_position_and_choice_are_refused_in_vietnamese(client, contest):
    register(client)
    attempt_id = start(client)
    token = csrf_token(client.get(f"/thi/{attempt_id}"))
    assert save(client, attempt_id, 20, [0], token).json["error"] == "Câu hỏi này không có trong bài thi của bạn."
    assert save(client, attempt_id, 0, [9], token).json["error"] == "Lựa chọn này không có trong câu hỏi."
    bad = client.post(f"/thi/{attempt_id}/tra-loi", json={"position": "x; DROP TABLE attempts"},
                      headers={"X-CSRFToken": token})
    assert bad.status_code == 400 and "không hợp lệ" in bad.json["error"]
    forged = client.post(f"/thi/{attempt_id}/nop", data={"csrf_token": token, "q99": "1", "q0": "7"})
    assert forged.status_code == 302  # the graded result ignores nothing valid and counts nothing forged
    assert client.get(f"/ket-qua/{attempt_id}").status_code == 200


def test_state_changes_need_the_csrf_token(client, contest):
    register(client)
    attempt_id = start(client)
    assert client.post(f"/thi/{attempt_id}/tra-loi", json={"position": 0, "choices": [0]}).status_code == 400
    assert client.post(f"/thi/{attempt_id}/nop").status_code == 400


def test_a_session_outliving_its_deleted_citizen_saves_and_submits_nothing(client, app, contest):
    register(client)
    attempt_id = start(client)
    token = csrf_token(client.get(f"/thi/{attempt_id}"))
    with app.app_context():  # the person asked for deletion in another tab
        anonymise(db.session.scalar(select(Citizen)), utcnow())
        db.session.commit()
    assert save(client, attempt_id, 0, [0], token).status_code == 401  # "the session ended" (tests/test_session_ended)
    assert client.post(f"/thi/{attempt_id}/nop", data={"csrf_token": token, "q0": "0"}).status_code == 302
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).submitted_at is None
        assert db.session.scalar(select(func.count(AttemptItem.id)).where(AttemptItem.selected.is_not(None))) == 0


def test_a_staff_session_cannot_answer_or_submit(client, app, contest):
    register(client)
    attempt_id = start(client)
    staff = app.test_client()
    with app.app_context():
        make_staff()
    staff_login(staff)
    token = csrf_token(staff.get("/quan-tri/dang-nhap"))
    assert save(staff, attempt_id, 0, [0], token).status_code == 403
    assert staff.post(f"/thi/{attempt_id}/nop", data={"csrf_token": token}).status_code == 403


def test_a_remembered_login_without_the_session_id_still_submits(client, app, contest):
    register(app.test_client(), phone="0912345678")
    assert login(client).status_code == 302
    assert client.get_cookie("remember_token") is not None
    attempt_id = start(client)
    token = csrf_token(client.get(f"/thi/{attempt_id}"))
    with client.session_transaction() as session:  # the session lost the id; the remember cookie stays
        session.pop("_user_id")
    assert client.post(f"/thi/{attempt_id}/nop", data={"csrf_token": token, "q0": "0"}).status_code == 302
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).submitted_at is not None


def test_replayed_submission_records_one_attempt(client, app, contest):
    register(client)
    attempt_id = start(client)
    token = csrf_token(client.get(f"/thi/{attempt_id}"))
    for _ in range(3):
        client.post(f"/thi/{attempt_id}/nop", data={"csrf_token": token, "q0": "0"})
    with app.app_context():
        assert db.session.scalar(select(func.count(Attempt.id))) == 1


@pytest.mark.parametrize("name, message", [
    ("A" * 5000, "Họ tên quá dài."),
    ("\x00\x01\x02", "ký tự điều khiển"),  # refused at the edge (quiz.web.edge), with what to do
])
def test_over_long_and_control_character_names_are_refused(client, app, contest, name, message):
    html = register(client, full_name=name).get_data(as_text=True)
    assert message in html
    with app.app_context():
        assert db.session.scalar(select(func.count(Citizen.id))) == 0


def test_control_characters_are_refused_and_nfd_equals_nfc(client, app, contest):
    assert register(client, full_name="Nguyễn\u0007 Thị Hằng").status_code == 400  # refused at the edge (quiz.web.edge)
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị   Hằng")
    assert register(client, full_name=nfd).status_code == 302
    with app.app_context():
        citizen = db.session.scalar(select(Citizen))
        assert citizen.full_name == "Nguyễn Thị Hằng" == unicodedata.normalize("NFC", citizen.full_name)


@pytest.mark.parametrize("query", ["%", "_", "' OR 1=1 --", "\\", "Bình'); DROP TABLE citizens; --", "%Bình%"])
def test_sql_metacharacters_in_the_participant_search_are_harmless(app, client, contest, query):
    build_scenario(app, contest)
    staff_login(client, "bantochuc")
    token = csrf_token(client.get("/quan-tri/nguoi-du-thi"))
    html = client.post("/quan-tri/nguoi-du-thi", data={"q": query, "csrf_token": token}).get_data(as_text=True)
    assert "0 người" in html
    assert "2 người" in client.get("/quan-tri/nguoi-du-thi").get_data(as_text=True)
