"""A citizen's standing for the whole contest (every period added up) and their own place in a period."""
import io
import random
from datetime import timedelta

from openpyxl import load_workbook

from quiz.contest.prizes import TierDraft, compute_winners, set_tiers
from quiz.contest.ranking import refresh_round_rank_keys, round_ranking
from quiz.contest.standings import (
    all_contest_standings,
    citizen_standing,
    contest_standings,
    period_place,
    with_places,
)
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import Attempt, BestResult, Citizen, Disqualification, Round
from quiz.privacy.my_data import delete_my_data
from tests.admin_helpers import COMMUNE_A, take
from tests.conftest import make_citizen, make_staff, staff_login
from tests.fair_helpers import logged_in


def _periods(contest, count: int = 2) -> list[Round]:
    first = db.session.get(Round, contest.id)
    rounds = [first]
    for number in range(2, count + 1):
        rounds.append(Round(name=f"Tuần {number}", opens_at=first.opens_at, closes_at=first.closes_at,
                            contest_id=first.contest_id))
        db.session.add(rounds[-1])
    other = Round(name="Cuộc thi khác", opens_at=first.opens_at, closes_at=first.closes_at)  # a contest of its own
    db.session.add(other)
    db.session.commit()
    return [*rounds, other]


def _result(round_: Round, citizen_id: int, score: int, seconds: int, used: int = 1) -> None:
    at = utcnow() - timedelta(minutes=30)
    attempt = Attempt(round_id=round_.id, citizen_id=citizen_id, number=used, started_at=at, deadline_at=at,
                      submitted_at=at, score=score, max_score=20, percent=score * 5, passed=score >= 16,
                      duration_seconds=seconds)
    db.session.add(attempt)
    db.session.flush()
    db.session.add(BestResult(round_id=round_.id, citizen_id=citizen_id, attempt_id=attempt.id, score=score,
                              percent=score * 5, passed=score >= 16, duration_seconds=seconds, submitted_at=at,
                              first_completed_at=at, attempts_count=used))
    db.session.flush()
    refresh_round_rank_keys(round_)  # what grading does
    db.session.commit()


def _citizen(name: str) -> int:
    citizen = Citizen(full_name=name, commune_code=COMMUNE_A)
    db.session.add(citizen)
    db.session.commit()
    return citizen.id


def test_the_contest_standing_adds_up_the_periods_then_time_then_attempts(ctx, contest):
    week1, week2, other = _periods(contest)
    an, binh, cuong, dung = (_citizen(n) for n in ("An", "Bình", "Cường", "Dũng"))
    _result(week1, an, 20, 300)
    _result(week2, an, 15, 300)       # 35 points, 600 s
    _result(week1, binh, 18, 200)
    _result(week2, binh, 17, 300)     # 35 points, 500 s: above An
    _result(week1, cuong, 20, 100)    # 20 points in one period only
    _result(week1, dung, 18, 250, used=2)
    _result(week2, dung, 17, 250)     # 35 points, 500 s, 3 attempts: below Bình (2 attempts)
    _result(other, cuong, 20, 10)     # another contest's period does not count here
    top = contest_standings(week1.contest_id, 10)
    assert [(s.citizen_id, s.total_score, s.total_seconds, s.attempts_used) for s in top] == [
        (binh, 35, 500, 2), (dung, 35, 500, 3), (an, 35, 600, 2), (cuong, 20, 100, 1)]
    assert [s.place for s in top] == [1, 2, 3, 4] and top[0].periods == 2 and top[3].periods == 1
    for standing in top:
        assert citizen_standing(week1.contest_id, standing.citizen_id) == standing._replace(full_name="",
                                                                                            commune_name="")
    assert [s.citizen_id for s in all_contest_standings(week1.contest_id)] == [binh, dung, an, cuong]
    assert [s.citizen_id for s in contest_standings(week1.contest_id, 2)] == [binh, dung]


def test_equal_totals_share_the_place(ctx, contest):
    week1, week2, _ = _periods(contest)
    one, two, three = (_citizen(n) for n in ("Một", "Hai", "Ba"))
    _result(week1, one, 20, 300, used=2)  # 20 points, 300 s, 2 attempts: as "Hai" over two periods
    _result(week1, two, 10, 150)
    _result(week2, two, 10, 150)
    _result(week1, three, 19, 100)
    top = contest_standings(week1.contest_id, 1)  # the last place shown is shared: it says so
    assert [(s.place, s.shared) for s in top] == [(1, True)]
    assert [(s.place, s.shared) for s in contest_standings(week1.contest_id, 5)] == [(1, True), (1, True), (3, False)]
    assert citizen_standing(week1.contest_id, three).place == 3


def test_a_disqualified_period_and_a_deleted_registration_do_not_count(ctx, contest):
    week1, week2, _ = _periods(contest)
    cheat, honest = (_citizen(n) for n in ("Gian", "Thật"))
    _result(week1, cheat, 20, 100)
    _result(week2, cheat, 12, 100)
    _result(week1, honest, 15, 100)
    db.session.add(Disqualification(round_id=week1.id, citizen_id=cheat, reason="Trùng thiết bị"))
    db.session.commit()
    top = contest_standings(week1.contest_id, 10)
    assert [(s.citizen_id, s.total_score, s.periods) for s in top] == [(honest, 15, 1), (cheat, 12, 1)]
    assert period_place(week1, cheat) is None and period_place(week2, cheat) == 1
    gone = make_citizen()
    _result(week1, gone.id, 20, 50)
    assert contest_standings(week1.contest_id, 1)[0].citizen_id == gone.id
    delete_my_data(gone.id, utcnow())
    assert gone.id not in {s.citizen_id for s in contest_standings(week1.contest_id, 10)}
    assert citizen_standing(week1.contest_id, gone.id) is None


def test_random_totals_are_ordered_like_the_pure_key(ctx, contest):
    weeks = _periods(contest, 3)[:3]
    rng = random.Random(18)
    for number in range(30):
        citizen_id = _citizen(f"Người {number}")
        for week in rng.sample(weeks, rng.randint(1, 3)):
            _result(week, citizen_id, rng.choice([18, 19, 20]), rng.choice([100, 200]), rng.choice([1, 2]))
    listed = list(all_contest_standings(weeks[0].contest_id))
    assert [s.key for s in listed] == sorted(s.key for s in listed)
    assert [s.place for s in listed] == [s.place for s in with_places(
        (s.citizen_id, s.periods, s.total_score, s.total_seconds, s.attempts_used, "", "") for s in listed)]
    assert all(citizen_standing(weeks[0].contest_id, s.citizen_id).place == s.place for s in listed)


def test_a_citizens_place_in_a_period_is_the_rankings(ctx, contest):
    week1, _, _ = _periods(contest)
    week1.tiebreak_chain = ["score", "duration"]  # A and C then share their place
    ids = [_citizen(n) for n in ("A", "B", "C")]
    for citizen_id, score in zip(ids, (15, 20, 15), strict=True):
        _result(week1, citizen_id, score, 300)
    ranking = {row.result.citizen_id: row.place for row in round_ranking(week1, 10)}
    assert {citizen_id: period_place(week1, citizen_id) for citizen_id in ids} == ranking == {
        ids[1]: 1, ids[0]: 2, ids[2]: 2}
    set_tiers(week1.id, [TierDraft("Giải nhất", 1)], None)
    compute_winners(week1.id, week1.closes_at + timedelta(minutes=1), None)
    _result(week1, _citizen("Đến sau khi chốt"), 20, 10)
    assert period_place(week1, ids[2]) == 2 and period_place(week1, ids[2] + 1) is None  # the frozen places


def test_the_citizen_sees_their_standing_and_the_organizer_exports_everyones(app, client, contest):
    with app.app_context():
        week1, week2, _ = _periods(contest)
        leader = make_citizen(full_name="Phạm Minh Tuấn")
        take(week1, leader.id, 20)
        contest_id = week1.contest_id
    citizen_id, _ = logged_in(app, client)
    with app.app_context():
        take(db.session.get(Round, contest.id), citizen_id, 12)
    html = client.get("/thu-hang").get_data(as_text=True)
    assert "Cả cuộc thi: hạng 2" in html and "12/20" in html and "Tuần 2" in html
    assert "Phạm Minh Tuấn" not in html and "Phạm Minh T" in html  # the leaders' names are masked
    assert "tổng điểm cao hơn xếp trên" in client.get(f"/the-le/{contest.id}").get_data(as_text=True)
    with app.app_context():
        make_staff()
    staff = app.test_client()
    staff_login(staff)
    assert "Phạm Minh Tuấn" in staff.get(f"/quan-tri/cuoc-thi/{contest_id}").get_data(as_text=True)
    response = staff.get(f"/quan-tri/cuoc-thi/{contest_id}?xuat=ca-nhan")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(min_row=4, values_only=True))
    assert [(r[0], r[3], r[6]) for r in rows] == [(1, "Phạm Minh Tuấn", 20), (2, "Nguyễn Văn An", 12)]


def test_my_standing_page_is_rate_limited_per_citizen(limited, contest):
    """Each view counts over every result of the contest: a citizen cannot make the server do it in a loop."""
    from tests.test_citizen_flow import register
    client = limited.test_client()
    register(client)
    statuses = [client.get("/thu-hang").status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429
