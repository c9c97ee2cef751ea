"""The citizen's path through the Flask test client: register, log in, take, resume, submit."""
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from markupsafe import escape
from sqlalchemy import event, func, select

from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import Attempt, AttemptItem, Round
from tests.conftest import csrf_token, make_citizen

FORM = {"full_name": "Lê Thị Hoa", "birth_date": "05/09/1958", "phone": "0912 345 678",
        "commune_code": "10792", "password": "matkhau123", "consent": "y"}


def register(client, **changes):
    token = csrf_token(client.get("/dang-ky"))
    return client.post("/dang-ky", data={**FORM, **changes, "csrf_token": token})


def login(client, phone="0912345678", password="matkhau123"):
    token = csrf_token(client.get("/dang-nhap"))
    return client.post("/dang-nhap", data={"phone": phone, "password": password, "csrf_token": token})


def start(client):
    token = csrf_token(client.get("/thi"))
    response = client.post("/thi/bat-dau", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def save(client, attempt_id, position, choices, token):
    return client.post(f"/thi/{attempt_id}/tra-loi", json={"position": position, "choices": choices},
                       headers={"X-CSRFToken": token})


def correct_markers(app_ctx_items) -> list[str]:
    return [item.version.explanation for item in app_ctx_items if item.version.explanation]


def test_register_page_lists_communes_grouped_and_unticked_consent(client, contest):
    html = client.get("/dang-ky").get_data(as_text=True)
    assert html.count('data-key="') == 114
    assert '<optgroup label="Đặc khu">' in html and "Đặc khu Bạch Long Vĩ" in html
    assert re.search(r'<input[^>]*id="consent"[^>]*>', html) and "checked" not in re.search(r'<input[^>]*id="consent"[^>]*>', html).group(0)


def test_registration_error_keeps_what_was_typed(client, contest):
    response = register(client, phone="12345")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Số điện thoại di động không hợp lệ" in html
    assert 'value="Lê Thị Hoa"' in html and 'value="05/09/1958"' in html
    assert '<option value="10792" data-key="xa an thanh" selected>' in html


def test_duplicate_phone_points_to_login(client, app, contest):
    with app.app_context():
        make_citizen(phone="0912345678")
    html = register(client, phone="+84 912.345.678").get_data(as_text=True)
    assert "đã được đăng ký" in html and "đăng nhập" in html


def test_full_flow_register_start_answer_resume_submit(client, app, contest):
    assert register(client).status_code == 302
    attempt_id = start(client)
    page = client.get(f"/thi/{attempt_id}")
    token = csrf_token(page)
    with app.app_context():
        items = db.session.scalars(select(AttemptItem).where(AttemptItem.attempt_id == attempt_id)
                                   .order_by(AttemptItem.position)).all()
        right = {item.position: item.shown_correct for item in items}
    for position in range(10):
        assert save(client, attempt_id, position, right[position], token).json == {"saved": True}
    # Reopen in a new session (another tab / after a dropped connection): the same attempt, answers kept.
    client.post("/dang-xuat", data={"csrf_token": token})
    login(client)
    assert start(client) == attempt_id
    html = client.get(f"/thi/{attempt_id}").get_data(as_text=True)
    assert html.count(" checked>") == sum(len(v) for p, v in right.items() if p < 10)
    token = csrf_token(client.get(f"/thi/{attempt_id}"))
    extra = {f"q{p}": [str(c) for c in right[p]] for p in range(10, 15)}
    response = client.post(f"/thi/{attempt_id}/nop", data={"csrf_token": token, **extra})
    assert response.headers["Location"].endswith(f"/ket-qua/{attempt_id}")
    html = client.get(f"/ket-qua/{attempt_id}").get_data(as_text=True)
    assert "15/20" in html and "Chưa đạt" in html
    # A double tap / retry: same result, one attempt.
    client.post(f"/thi/{attempt_id}/nop", data={"csrf_token": token, "q19": "0"})
    with app.app_context():
        assert db.session.scalar(select(func.count(Attempt.id))) == 1
        assert db.session.get(Attempt, attempt_id).score == 15
    assert "15/20" in client.get("/ket-qua").get_data(as_text=True)


def test_no_correct_answer_marker_reaches_the_browser_before_submission(client, app, contest):
    register(client)
    attempt_id = start(client)
    page = client.get(f"/thi/{attempt_id}").get_data(as_text=True)
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        explanations = [item.version.explanation for item in attempt.items]
        assert all(e not in page for e in explanations)
    for marker in ("correct", "(đáp án đúng)", "data-answer", "is_correct", "data-right"):
        assert marker not in page
    token = csrf_token(client.get(f"/thi/{attempt_id}"))
    saved = save(client, attempt_id, 0, [0], token)
    assert set(saved.json) == {"saved"}
    result_before_close = client.get(f"/ket-qua/{attempt_id}")
    assert result_before_close.status_code == 302  # not submitted: back to the quiz


def test_result_reveals_answers_only_per_round_setting(client, app, contest):
    register(client)
    attempt_id = start(client)
    token = csrf_token(client.get(f"/thi/{attempt_id}"))
    client.post(f"/thi/{attempt_id}/nop", data={"csrf_token": token})
    html = client.get(f"/ket-qua/{attempt_id}").get_data(as_text=True)
    assert "(đáp án đúng)" not in html and "sẽ được công bố" in html
    with app.app_context():
        db.session.get(type(contest), contest.id).reveal_answers = "after_submit"
        db.session.commit()
        explanation = db.session.get(Attempt, attempt_id).items[0].version.explanation
    html = client.get(f"/ket-qua/{attempt_id}").get_data(as_text=True)
    assert "(đáp án đúng)" in html and str(escape(explanation)) in html  # some explanations hold quotes


def test_over_allowance_start_is_refused_with_a_message(client, contest):
    register(client)
    for _ in range(3):
        attempt_id = start(client)
        token = csrf_token(client.get(f"/thi/{attempt_id}"))
        client.post(f"/thi/{attempt_id}/nop", data={"csrf_token": token})
    token = csrf_token(client.get("/thi"))
    response = client.post("/thi/bat-dau", data={"csrf_token": token}, follow_redirects=True)
    assert "hết 3 lượt" in response.get_data(as_text=True)


@contextmanager
def statements(app) -> Iterator[list[str]]:
    """The SQL statements sent meanwhile (BEGIN aside)."""
    with app.app_context():
        engine = db.engine
    sent: list[str] = []

    def note(_connection, _cursor, statement, *_args) -> None:
        if not statement.startswith("BEGIN"):
            sent.append(statement)
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_the_start_button_costs_a_dozen_statements_and_a_resume_three(client, app, contest):
    """Everyone presses it at a round's opening (it was 20 statements, 21 on SQLite): the person, the round,
    the open attempt, the phone's counts, its locked allowance, the open attempt again under that lock (a
    parallel tap's), the allowance's update, the draw, the attempt, its choice counts, its items, the client
    signal; SQLite reads the round again once its read snapshot ends."""
    register(client)
    token = csrf_token(client.get("/thi"))
    with statements(app) as new_start:
        assert client.post("/thi/bat-dau", data={"csrf_token": token}).status_code == 302
    with statements(app) as resume:
        assert client.post("/thi/bat-dau", data={"csrf_token": token}).status_code == 302
    assert len(new_start) <= 13, new_start
    assert len(resume) == 3, resume  # the person, the round, the open attempt


def test_an_answer_save_is_one_statement_once_the_attempt_is_known(client, app, contest):
    """The commonest request (20 a citizen): the first save of an attempt in a worker reads its keys, every
    later one is the update alone, which checks the attempt under its lock (it was a locked read and an
    update in a transaction: BEGIN, two statements, COMMIT). A refused save says why, as before."""
    register(client)
    attempt_id = start(client)
    token = csrf_token(client.get(f"/thi/{attempt_id}"))
    with statements(app) as first:
        assert save(client, attempt_id, 0, [0], token).status_code == 200
    with statements(app) as later:
        assert save(client, attempt_id, 1, [1], token).status_code == 200
        assert save(client, attempt_id, 0, [1], token).status_code == 200
    assert len(first) == 2 and len(later) == 2, (first, later)
    assert [s.split()[0] for s in later] == ["UPDATE", "UPDATE"]
    with app.app_context():
        saved = {item.position: item.shown_selected for item in db.session.get(Attempt, attempt_id).items}
    assert saved[0] == [1] and saved[1] == [1]
    assert save(client, attempt_id, 99, [0], token).get_json()["error"] == "Câu hỏi này không có trong bài thi của bạn."
    assert save(client, attempt_id, 0, [9], token).get_json()["error"] == "Lựa chọn này không có trong câu hỏi."


def test_a_start_shortly_before_the_close_says_how_long_the_attempt_has(client, app, contest):
    with app.app_context():
        db.session.get(Round, contest.id).closes_at = utcnow() + timedelta(minutes=10, seconds=30)
        db.session.commit()
    register(client)
    token = csrf_token(client.get("/thi"))
    html = client.post("/thi/bat-dau", data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    assert "chỉ có 10 phút (thay vì 20 phút)" in html
    assert "chỉ có" not in client.post("/thi/bat-dau", data={"csrf_token": token},
                                       follow_redirects=True).get_data(as_text=True)  # not when resuming


def test_late_submit_through_the_client(client, app, contest):
    register(client)
    attempt_id = start(client)
    token = csrf_token(client.get(f"/thi/{attempt_id}"))
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        right = {item.position: item.shown_correct for item in attempt.items}
        attempt.started_at -= timedelta(minutes=30)
        attempt.deadline_at -= timedelta(minutes=30)
        db.session.commit()
    assert save(client, attempt_id, 0, right[0], token).status_code == 409
    client.post(f"/thi/{attempt_id}/nop", data={"csrf_token": token, **{f"q{p}": [str(c) for c in v] for p, v in right.items()}})
    with app.app_context():
        assert db.session.get(Attempt, attempt_id).score == 0


def test_another_citizens_attempt_is_not_found(client, app, contest):
    register(client)
    attempt_id = start(client)
    other = app.test_client()
    register(other, phone="0987000111")
    token = csrf_token(other.get("/thi"))
    assert other.get(f"/thi/{attempt_id}").status_code == 404
    assert save(other, attempt_id, 0, [0], token).status_code == 404
    assert other.post(f"/thi/{attempt_id}/nop", data={"csrf_token": token}).status_code == 404
    assert other.get(f"/ket-qua/{attempt_id}").status_code == 404


def test_login_with_wrong_password_says_so_in_vietnamese(client, app, contest):
    with app.app_context():
        make_citizen(phone="0912345678")
    html = login(client, password="sai-mat-khau").get_data(as_text=True)
    assert "mật khẩu chưa đúng" in html
    assert login(client).status_code == 302


def test_quiz_works_without_javascript_as_a_plain_form(client, contest):
    register(client)
    attempt_id = start(client)
    html = client.get(f"/thi/{attempt_id}").get_data(as_text=True)
    assert f'action="/thi/{attempt_id}/nop"' in html and 'method="post"' in html
    assert 'type="radio" name="q0"' in html or 'type="checkbox" name="q0"' in html
