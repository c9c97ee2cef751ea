"""The rules page (thể lệ) says every setting of the period in Vietnamese."""
from datetime import datetime

from quiz.contest.prizes import TierDraft, set_tiers
from quiz.contest.rules_text import rule_lines
from quiz.infra.extensions import db
from quiz.models import Round


def test_every_setting_is_said(ctx, contest):
    round_ = db.session.get(Round, contest.id)
    round_.opens_at, round_.closes_at = datetime(2026, 11, 30, 1), datetime(2026, 12, 6, 16, 59)
    round_.allowance_period, round_.counting, round_.attempts_allowed = "day", "first", 2
    round_.tiebreak_chain = ["score", "prediction", "attempts_used"]
    round_.prediction_question, round_.prediction_kind = "Bao nhiêu người trả lời đúng tất cả?", "all_correct"
    round_.prize_percent_cap, round_.prize_tie_rule, round_.appeal_days = 10, "draw", 5
    round_.contest.max_prizes_per_citizen = 1
    round_.contest.commune_score = {"participation_rate": 1, "completions": 0.5, "prize_points": {"1": 10}}
    db.session.commit()
    set_tiers(round_.id, [TierDraft("Giải nhất", 1, "2.000.000 đồng"), TierDraft("Giải khuyến khích", 10)], None)
    text = " ".join(line.text for line in rule_lines(round_, 30))
    for expected in ("từ 08:00 ngày 30/11/2026 đến 23:59 ngày 06/12/2026", "20 câu hỏi", "20 phút",
                     "tối đa 2 lượt mỗi ngày (tính theo giờ Việt Nam", "Chỉ bài làm đầu tiên được tính",
                     "từ 80% số câu", "sau khi đợt thi kết thúc", "Bao nhiêu người trả lời đúng tất cả?",
                     "tính tự động", "1) điểm cao hơn xếp trên; 2) dự đoán gần đáp án đúng hơn",
                     "3) dùng ít lượt thi hơn xếp trên", "đồng hạng", "1 giải nhất (2.000.000 đồng), 10 giải khuyến khích",
                     "có bài thi đạt", "không vượt quá 10%", "tối đa 1 giải trong cả cuộc thi", "bốc thăm",
                     "khiếu nại trong 5 ngày", "Thi thử", "cùng số câu và thời gian",
                     "Điểm đơn vị = 1 × tỷ lệ tham gia (%) + 0,5 × số lượt hoàn thành + điểm giải cá nhân (giải 1: 10)"):
        assert expected in text, expected


def test_the_one_rules_page_shows_every_setting(client, contest):
    html = client.get("/the-le").get_data(as_text=True)
    assert '<dl class="facts rules">' in html and "lượt trong cả đợt thi" in html and "Xếp hạng lần lượt theo" in html
    assert client.get(f"/the-le/{contest.id}").status_code == 200
    assert client.get("/the-le/999999").status_code == 404


def test_a_period_is_named_once_and_its_contest_only_when_it_has_another_name(ctx, contest):
    """Walk-through: 'Đợt “Đợt 1” thuộc cuộc thi “Đợt 1”'."""
    round_ = db.session.get(Round, contest.id)
    round_.name = round_.contest.name = "Đợt 1"
    text = " ".join(line.text for line in rule_lines(round_, 30) if "(giờ Việt Nam)" in line.text)
    assert "Đợt “Đợt 1”" not in text and "cuộc thi “Đợt 1”" not in text and "Đợt 1, từ" in text
    round_.contest.name = "Công dân số 2026"
    assert "Đợt 1 thuộc cuộc thi “Công dân số 2026”" in " ".join(line.text for line in rule_lines(round_, 30))


def test_the_quick_start_round_belongs_to_a_contest_named_after_the_contest(app):
    from sqlalchemy import select
    runner = app.test_cli_runner()
    assert runner.invoke(args=["rounds", "ensure-open"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(Round)).contest.name == app.config["CONTEST_TITLE"]


def test_short_durations_and_the_menu_in_vietnamese(client, contest):
    from tests.test_citizen_flow import register, start
    register(client)
    page = client.get("/thi").get_data(as_text=True)
    assert "<summary>Danh mục</summary>" in page and ">Menu<" not in page
    attempt_id = start(client)
    from tests.conftest import csrf_token
    client.post(f"/thi/{attempt_id}/nop", data={"csrf_token": csrf_token(client.get(f"/thi/{attempt_id}"))})
    result = client.get(f"/ket-qua/{attempt_id}").get_data(as_text=True)
    assert "0 phút" not in result and "giây" in result
