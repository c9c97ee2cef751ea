"""The pages every contest has, the home page's dates and figures, the result page's contents and the
quiz page's wording, through the Flask test client."""
import json
import re

from quiz import tallies
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.models import Round
from tests.conftest import csrf_token
from tests.test_citizen_flow import register, save, start


def set_round(app, round_id, **values):  # type: ignore[no-untyped-def]
    with app.app_context(), write_transaction():
        round_ = db.session.get(Round, round_id)
        for name, value in values.items():
            setattr(round_, name, value)


def test_rules_are_generated_from_the_rounds_settings_and_the_organizers_text(app, client, contest):
    set_round(app, contest.id, question_count=25, time_limit_seconds=30 * 60, attempts_allowed=2, pass_percent=60,
              reveal_answers=Round.REVEAL_AFTER_SUBMIT, prediction_question="Bao nhiêu người dự thi đạt?",
              description="Giải nhất: 5 triệu đồng.\n\nGiải nhì: 3 triệu đồng.")
    html = client.get("/the-le").get_data(as_text=True)
    for text in ("25 câu hỏi", "30 phút cho mỗi lượt", "tối đa 2 lượt", "từ 60% số câu", "(15/25 câu)",
                 "ngay sau khi nộp bài", "Bao nhiêu người dự thi đạt?", "Giải nhất: 5 triệu đồng.", "30 giây"):
        assert text in html, text


def test_the_guide_faq_and_footer(client, contest):
    for path in ("/huong-dan-du-thi", "/cau-hoi-thuong-gap"):
        html = client.get(path).get_data(as_text=True)
        assert 'href="tel:02253000000"' in html and "Ban Tổ chức cuộc thi Công dân số" in html


def test_home_shows_dates_countdown_and_participants(app, client, contest, redis):
    with app.app_context():
        tallies.rebuild()
    register(client)
    html = client.get("/").get_data(as_text=True)
    assert re.search(r"Từ \d\d:\d\d \d\d/\d\d/\d{4} đến \d\d:\d\d \d\d/\d\d/\d{4}", html)
    assert re.search(r'id="round-countdown" data-seconds-left="\d+">6 ngày 23 giờ', html)
    assert re.search(r"<strong data-figure=\"dang_ky\">1</strong> người dự thi đã đăng ký", html)


def test_manifest_service_worker_and_icons(client, contest):
    manifest = json.loads(client.get("/manifest.webmanifest").data)
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    worker = client.get("/sw.js")
    assert worker.mimetype == "text/javascript" and worker.headers["Cache-Control"] == "no-cache"
    worker.close()
    html = client.get("/").get_data(as_text=True)
    assert 'rel="manifest"' in html and 'rel="icon"' in html
    assert html.count('rel="preload"') == 2 and "be-vietnam-pro-700.woff2" in html  # every weight used


def test_quiz_page_says_choose_all_once_and_the_late_limit(client, contest):
    register(client)
    attempt_id = start(client)
    html = client.get(f"/thi/{attempt_id}").get_data(as_text=True)
    for legend in re.findall(r"<legend>(.*?)</legend>", html, re.S):
        assert legend.lower().count("chọn tất cả đáp án đúng") <= 1
    assert re.search(r'data-late-after="\d\d:\d\d:\d\d"', html) and 'id="confirm-submit"' in html


def test_result_shows_counts_and_no_per_question_verdict_before_the_reveal(app, client, contest):
    register(client)
    attempt_id = start(client)
    token = csrf_token(client.get(f"/thi/{attempt_id}"))
    save(client, attempt_id, 0, [0], token)
    client.post(f"/thi/{attempt_id}/nop", data={"csrf_token": token})
    html = client.get(f"/ket-qua/{attempt_id}").get_data(as_text=True)
    assert re.search(r"\d+/20 câu đúng", html) and "(16/20 câu) để đạt" in html and "Thi lại (còn 2 lượt)" in html
    assert "<strong>19</strong>chưa trả lời" in html
    assert "✔ Đúng" not in html and "✘ Sai" not in html and 'class="review"' not in html
    set_round(app, contest.id, reveal_answers=Round.REVEAL_AFTER_SUBMIT)
    html = client.get(f"/ket-qua/{attempt_id}").get_data(as_text=True)
    assert html.count("– Chưa trả lời") == 19


def test_an_attempt_graded_after_its_deadline_explains_the_time_out(app, client, contest):
    from datetime import timedelta

    from quiz.infra.clock import utcnow
    from quiz.models import Attempt
    register(client)
    attempt_id = start(client)
    with app.app_context(), write_transaction():
        attempt = db.session.get(Attempt, attempt_id)
        attempt.started_at -= timedelta(hours=1)
        attempt.deadline_at = utcnow() - timedelta(minutes=5)
    html = client.get(f"/thi/{attempt_id}", follow_redirects=True).get_data(as_text=True)
    assert 'id="timeout-explained"' in html and "chỉ các câu trả lời đã lưu lên máy chủ trước giờ hết hạn" in html


def test_static_css_and_js_are_compressed_by_the_app_and_fonts_are_not(client, contest):
    for path, compressed in (("/static/css/app.css", True), ("/static/js/quiz.js", True),
                             ("/static/vendor/fonts/be-vietnam-pro-700.woff2", False)):
        response = client.get(path, headers={"Accept-Encoding": "br, gzip"})
        assert response.status_code == 200
        assert (response.headers.get("Content-Encoding") in ("br", "gzip")) is compressed, path
        response.close()


def test_the_home_pages_live_figures_come_from_the_tallies(app, client, contest, redis):
    with app.app_context():
        tallies.rebuild()
    register(client)
    response = client.get("/so-nguoi-du-thi.json")
    assert response.json == {"dang_ky": 1, "hoan_thanh": 0}
    assert response.headers["Cache-Control"] == "public, max-age=30"


def test_the_contest_page_says_how_long_the_open_attempt_has_left(client, contest):
    from tests.test_citizen_flow import register, start
    register(client)
    start(client)
    page = client.get("/thi").get_data(as_text=True)
    assert "Tiếp tục bài đang làm (còn khoảng 20 phút)" in page  # the default 20-minute limit, just started
    assert "js/forms.js" in page  # "Đang gửi…" on the start button, one attempt per tap
