"""Rounds: validation, what a round with attempts may still change, the round page, question statistics."""
import re
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from quiz.contest.question_stats import (
    commune_stats,
    question_stats,
    refresh_stats,
    refreshed_at,
    topic_stats,
)
from quiz.contest.rounds import RoundDraft, RoundError, create_round, update_round
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import Attempt, AuditEvent, Question, Round, Topic
from quiz.questions.editing import retire_question
from tests.admin_helpers import COMMUNE_A, COMMUNE_B, take
from tests.conftest import csrf_token, make_citizen, make_staff, staff_login


@pytest.fixture
def staff(ctx, contest):
    return make_staff()


def draft(**changes) -> RoundDraft:
    now = utcnow().replace(microsecond=0)
    values = dict(name="Đợt 2", opens_at=now, closes_at=now + timedelta(days=10))
    values.update(changes)
    return RoundDraft(**values)


def same_as(round_: Round, **changes) -> RoundDraft:
    values = {name: getattr(round_, name) for name in RoundDraft.__dataclass_fields__}
    return RoundDraft(**{**values, **changes})


@pytest.mark.parametrize("changes, field", [
    ({"name": " "}, "name"),
    ({"closes_at": utcnow() - timedelta(days=1)}, "closes_at"),
    ({"closes_at": None}, "closes_at"),  # equal to opens_at: filled in below
    ({"question_count": 0}, "question_count"),
    ({"question_count": 101}, "question_count"),  # more than a round may have
    ({"question_count": "bank + 1"}, "question_count"),  # more than the bank's active questions
    ({"time_limit_seconds": 30}, "time_limit_seconds"),
    ({"attempts_allowed": 0}, "attempts_allowed"),
    ({"pass_percent": 101}, "pass_percent"),
    ({"reveal_answers": "never"}, "reveal_answers"),
    ({"prediction_answer": 10**10}, "prediction_answer"),
    ({"description": "x" * 2001}, "description"),
])
def test_round_validation(staff, changes, field):
    if changes.get("question_count") == "bank + 1":
        changes = {"question_count": db.session.query(Question).filter(Question.active.is_(True)).count() + 1}
    round_draft = draft(**changes)
    round_draft.closes_at = round_draft.closes_at or round_draft.opens_at
    with pytest.raises(RoundError) as error:
        create_round(round_draft, staff.id)
    assert error.value.field == field and error.value.message


def test_topic_quotas_must_be_met_by_active_questions_and_add_up(staff):
    topics = db.session.scalars(select(Topic).order_by(Topic.id)).all()
    first_count = db.session.query(Question).filter(Question.topic_id == topics[0].id).count()
    with pytest.raises(RoundError, match="Tổng số câu"):
        create_round(draft(question_count=5, topic_quotas={str(topics[0].id): 3}), staff.id)
    with pytest.raises(RoundError, match=f"“{topics[0].name}” chỉ có {first_count} câu đang dùng, "
                                         f"không đủ {first_count + 1} câu"):
        create_round(draft(question_count=first_count + 1, topic_quotas={str(topics[0].id): first_count + 1}), staff.id)
    for question in db.session.scalars(select(Question).where(Question.topic_id == topics[1].id)).all()[1:]:
        retire_question(question.id, staff.id)
    with pytest.raises(RoundError, match="chỉ có 1 câu đang dùng"):
        create_round(draft(question_count=5, topic_quotas={str(topics[0].id): 3, str(topics[1].id): 2}), staff.id)
    round_ = create_round(draft(question_count=5, topic_quotas={str(topics[0].id): 4, str(topics[1].id): 1,
                                                                 str(topics[2].id): 0}), staff.id)
    assert round_.topic_quotas == {str(topics[0].id): 4, str(topics[1].id): 1}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "create_round"))
    assert event.target_ids == [round_.id] and event.changes["question_count"] == "5"


def test_a_round_without_attempts_can_change_everything(staff, contest):
    round_ = db.session.get(Round, contest.id)
    update_round(round_.id, same_as(round_, pass_percent=50, question_count=10, reveal_answers="after_submit"),
                 staff.id)
    assert db.session.get(Round, round_.id).pass_percent == 50


@pytest.mark.parametrize("changes", [
    {"pass_percent": 50}, {"question_count": 10}, {"time_limit_seconds": 600}, {"attempts_allowed": 5},
    {"reveal_answers": "after_submit"}, {"opens_at": "later"}, {"topic_quotas": "one topic"},
])
def test_a_round_with_attempts_keeps_its_draw_and_grading_rules(staff, contest, changes):
    round_ = db.session.get(Round, contest.id)
    take(round_, make_citizen().id, 10)
    if changes.get("opens_at") == "later":
        changes = {"opens_at": round_.opens_at + timedelta(minutes=5)}
    if changes.get("topic_quotas"):
        changes = {"topic_quotas": {str(db.session.scalar(select(Topic.id))): 10}, "question_count": 10}
    with pytest.raises(RoundError, match="đã có bài làm"):
        update_round(round_.id, same_as(round_, **changes), staff.id, confirmed=True)
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "update_round")) is None


def test_a_round_with_attempts_may_change_closing_time_and_texts_when_confirmed(staff, contest):
    round_ = db.session.get(Round, contest.id)
    take(round_, make_citizen().id, 10)
    for question in db.session.scalars(select(Question)).all()[:-10]:
        retire_question(question.id, staff.id)  # the bank could no longer fill a new draw: not re-checked
    later = round_.closes_at + timedelta(days=3)
    with pytest.raises(RoundError, match="xác nhận"):
        update_round(round_.id, same_as(round_, closes_at=later), staff.id)
    update_round(round_.id, same_as(round_, closes_at=later, name="Đợt 1 (gia hạn)", description="Gia hạn.",
                                    prediction_question="Bao nhiêu người đạt tuyệt đối?", prediction_answer=42),
                 staff.id, confirmed=True)
    round_ = db.session.get(Round, round_.id)
    assert (round_.name, round_.closes_at, round_.prediction_answer) == ("Đợt 1 (gia hạn)", later, 42)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "update_round"))
    assert set(event.changes) == {"closes_at", "name", "description", "prediction_question", "prediction_answer"}


def test_round_page_takes_vietnam_time_and_asks_for_confirmation(app, client, contest):
    with app.app_context():
        make_staff()
        round_ = db.session.get(Round, contest.id)
        take(round_, make_citizen().id, 10)
    staff_login(client)
    page = client.get(f"/quan-tri/dot-thi/{contest.id}").get_data(as_text=True)
    assert "Đợt thi đã có bài làm" in page and 'name="confirm"' in page
    form = dict(re.findall(r'<input id="(\w+)" name="\1"[^>]*value="([^"]*)"', page))
    form.update({"csrf_token": csrf_token(client.get("/quan-tri/dot-thi")), "closes_at": "2031-01-01T08:30",
                 "reveal_answers": "after_close", "description": ""})
    html = client.post(f"/quan-tri/dot-thi/{contest.id}", data=form).get_data(as_text=True)
    assert "Hãy đánh dấu xác nhận" in html
    assert client.post(f"/quan-tri/dot-thi/{contest.id}", data={**form, "confirm": "1"}).status_code == 302
    with app.app_context():
        assert db.session.get(Round, contest.id).closes_at == datetime(2031, 1, 1, 1, 30)  # 08:30 in Hà Nội is 01:30 UTC
    new = {**form, "name": "Đợt mới", "opens_at": "2031-02-01T00:00", "closes_at": "2031-01-31T23:00"}
    assert "Thời điểm đóng phải sau thời điểm mở" in client.post("/quan-tri/dot-thi/moi", data=new).get_data(as_text=True)


def _expected_stats(round_id: int) -> dict[int, tuple]:
    """The same figures computed the slow way, in Python, from every attempt item."""
    graded = db.session.scalars(select(Attempt).where(Attempt.round_id == round_id, Attempt.is_submitted)
                                .order_by(Attempt.score.desc(), Attempt.id)).all()
    edge = max(1, int(len(graded) * 0.27 + 0.5))
    groups = {"top": graded[:edge], "bottom": graded[-edge:]}
    figures: dict[int, dict] = {}
    for attempt in graded:
        for item in attempt.items:
            entry = figures.setdefault(item.version.question_id, {"served": 0, "right": 0, "top": [], "bottom": [],
                                                                   "wrong": Counter()})
            entry["served"] += 1
            entry["right"] += bool(item.is_correct)
            for name, members in groups.items():
                if attempt in members:
                    entry[name].append(bool(item.is_correct))
            if not item.is_correct and item.selected:
                entry["wrong"]["; ".join(item.version.choices[i] for i in item.selected)] += 1
    return {qid: (e["served"], e["right"] / e["served"],
                  sum(e["top"]) / len(e["top"]) - sum(e["bottom"]) / len(e["bottom"]) if e["top"] and e["bottom"] else None,
                  max(e["wrong"].values()) if e["wrong"] else 0, e["wrong"]) for qid, e in figures.items()}


def test_question_statistics(staff, contest):
    round_ = db.session.get(Round, contest.id)
    for commune, right in ((COMMUNE_A, 20), (COMMUNE_A, 18), (COMMUNE_A, 15), (COMMUNE_A, 15), (COMMUNE_B, 10),
                           (COMMUNE_B, 5), (COMMUNE_B, 3), (COMMUNE_B, 0)):
        take(round_, make_citizen(commune).id, right)
    assert question_stats(round_.id) == [] and refreshed_at(round_.id) is None  # nothing until refreshed
    rows = refresh_stats(round_.id, utcnow())
    assert rows == len(question_stats(round_.id)) + len(question_stats(round_.id, COMMUNE_A)) + \
        len(question_stats(round_.id, COMMUNE_B))
    stats = question_stats(round_.id)
    expected = _expected_stats(round_.id)
    assert {s.question_id for s in stats} == set(expected) and sum(s.served for s in stats) == 160
    for stat in stats:
        served, share, discrimination, most_wrong, wrong = expected[stat.question_id]
        assert (stat.served, stat.correct_share) == (served, pytest.approx(share))
        assert stat.discrimination == (pytest.approx(discrimination) if discrimination is not None else None)
        assert (wrong[stat.top_wrong] if stat.top_wrong else 0) == most_wrong
    assert any(s.discrimination and s.discrimination > 0 for s in stats)
    assert sum(n for _, n, _ in topic_stats(round_.id)) == 160
    assert sum(s.served for s in question_stats(round_.id, COMMUNE_B)) == 80
    assert sum(n * share for _, n, share in topic_stats(round_.id, COMMUNE_A)) == pytest.approx(68)
    assert [(code, n, share) for code, _, n, share in commune_stats(round_.id)] == \
        [(COMMUNE_B, 80, pytest.approx(18 / 80)), (COMMUNE_A, 80, pytest.approx(68 / 80))]
    assert question_stats(round_.id, "10891") == []
    # a commune's own figures are computed within the commune (its own top and bottom 27%)
    in_b = {s.question_id: s for s in question_stats(round_.id, COMMUNE_B)}
    assert any(s.discrimination is not None for s in in_b.values())
    take(round_, make_citizen(COMMUNE_B).id, 20)
    assert sum(s.served for s in question_stats(round_.id)) == 160  # the page reads the snapshot ...
    refresh_stats(round_.id, utcnow())
    assert sum(s.served for s in question_stats(round_.id)) == 180  # ... until the next refresh replaces it


def test_statistics_page(app, client, contest):
    with app.app_context():
        make_staff()
        round_ = db.session.get(Round, contest.id)
        for right in (20, 10, 5, 0):
            take(round_, make_citizen(COMMUNE_A).id, right)
    staff_login(client)
    page = client.get(f"/quan-tri/thong-ke-cau-hoi?round={contest.id}")
    assert "Chưa tính thống kê" in page.get_data(as_text=True)
    response = client.post("/quan-tri/thong-ke-cau-hoi/tinh-lai", data={"csrf_token": csrf_token(page),
                                                                      "round": contest.id})
    assert response.status_code == 302
    html = client.get(f"/quan-tri/thong-ke-cau-hoi?round={contest.id}").get_data(as_text=True)
    assert "Phường Thành Đông" in html and "Độ phân biệt" in html and html.count("<tr>") > 20
    html = client.get(f"/quan-tri/thong-ke-cau-hoi?round={contest.id}&xa={COMMUNE_B}").get_data(as_text=True)
    assert "Chưa có bài thi." in html


@pytest.mark.parametrize("changes, message", [
    ({"attempts_allowed": "ba"}, "Số lượt thi: vui lòng nhập số nguyên."),
    ({"attempts_allowed": "99999999999999999999"}, "Số lượt thi: nhập số nguyên từ 1 đến 1.000."),
    ({"opens_at": "hôm nay"}, "Vui lòng nhập đủ ngày giờ mở và đóng."),
    ({"opens_at": "9999-01-01T08:00"}, "Ngày giờ mở và đóng cần trong khoảng năm 2000–2100."),
    ({"pass_percent": "²"}, "Điểm đạt (%): vui lòng nhập số nguyên."),
    ({"appeal_days": "999"}, "Thời gian khiếu nại trước khi công bố (ngày): nhập số nguyên từ 0 đến 60."),
    ({"prize_percent_cap": "0"}, "Tổng số giải tối đa (% số người dự thi): nhập số nguyên từ 1 đến 100."),
    ({"contest_id": "x"}, "Thuộc cuộc thi: vui lòng nhập số nguyên."),
    ({"allowance_period": "month"}, "Số lượt thi tính theo: vui lòng chọn một mục trong danh sách."),
    ({"counting": "last"}, "Bài tính điểm: vui lòng chọn một mục trong danh sách."),
    ({"prize_tie_rule": "coin"}, "Đồng hạng ở ranh giới giải: vui lòng chọn một mục trong danh sách."),
    ({"chain_1": "luck"}, "Tiêu chí xếp hạng 1: vui lòng chọn một mục trong danh sách."),
    ({"stagger_groups": "51"}, "Số nhóm xã mở lệch giờ: nhập số nguyên từ 1 đến 50."),
])
def test_round_form_refuses_bad_numbers_and_dates_in_vietnamese(app, client, contest, changes, message):
    """The round form is a WTForms form: every box bounded, each refusal a Vietnamese sentence, nothing saved."""
    with app.app_context():
        make_staff()
        before = db.session.scalar(db.select(db.func.count(Round.id)))
    staff_login(client)
    form = {"csrf_token": csrf_token(client.get("/quan-tri/dot-thi/moi")), "name": "Tuần 2",
            "opens_at": "2030-01-01T08:00", "closes_at": "2030-01-08T08:00", **changes}
    response = client.post("/quan-tri/dot-thi/moi", data=form)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Round.id))) == before


def test_retention_is_bounded(app, client, contest):
    with app.app_context():
        make_staff()
    staff_login(client)
    token = csrf_token(client.get("/quan-tri/yeu-cau-du-lieu"))
    page = client.post("/quan-tri/yeu-cau-du-lieu", data={"csrf_token": token, "action": "retention", "days": "99999999"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Thời gian lưu từ 1 đến 3.650 ngày." in page
