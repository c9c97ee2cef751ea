"""Prizes per period: tiers, caps, eligibility, shared prize places, freezing, recomputation, appeal, publication."""
import io
import random
import threading
from datetime import datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import select

from quiz.contest.prize_rules import Candidate, assign, prize_slots
from quiz.contest.prizes import (
    PrizeError,
    TierDraft,
    compute_winners,
    publish_winners,
    recompute_winners,
    set_tiers,
    winners_list,
    write_prize_sheet,
)
from quiz.contest.ranking import round_ranking
from quiz.infra.extensions import db
from quiz.models import AuditEvent, BestResult, Citizen, PrizeComputation, Round, Winner
from tests.test_tiebreak import _store, entry

CLOSE = datetime(2026, 11, 27, 10, 0)
AFTER = CLOSE + timedelta(hours=1)


def group(*places_and_ids) -> list[Candidate]:
    return [Candidate(citizen, place) for place, citizen in places_and_ids]


def test_slots_follow_tiers_and_the_total_cap():
    assert prize_slots([1, 2, 3], None) == [0, 1, 1, 2, 2, 2]
    assert prize_slots([1, 2, 3], 4) == [0, 1, 1, 2]


@pytest.mark.parametrize("rule, expected", [
    ("all", [(1, 0, 1.0), (2, 1, 1.0), (3, 1, 1.0), (4, 1, 1.0), (5, 2, 1.0)]),  # 3 share 2nd prize: all get it
    ("split", [(1, 0, 1.0), (2, 1, 2 / 3), (3, 1, 2 / 3), (4, 1, 2 / 3), (5, 2, 1.0), (6, 2, 1.0)]),  # third tier whole
])
def test_a_shared_place_at_a_tier_boundary_follows_the_tie_rule(rule, expected):
    groups = [group((1, 1)), group((2, 2), (2, 3), (2, 4)), group((5, 5)), group((6, 6))]
    awards = assign(groups, prize_slots([1, 2, 2], None), rule)
    assert [(a.citizen_id, a.tier_index, a.share) for a in awards] == expected


def test_a_draw_is_reproducible_from_its_seed_and_the_others_move_on():
    groups = [group((1, 1), (1, 2), (1, 3)), group((4, 4))]
    first = assign(groups, prize_slots([2, 1], None), "draw", random.Random("ab12"))
    again = assign(groups, prize_slots([2, 1], None), "draw", random.Random("ab12"))
    assert first == again
    assert [a.tier_index for a in first] == [0, 0, 1]  # two drawn for the 1st prize, the third takes the 2nd
    assert {a.citizen_id for a in first} == {1, 2, 3} and all(a.note == "đồng hạng, bốc thăm" for a in first)


def _closed_period(contest, **rules) -> Round:
    round_ = db.session.get(Round, contest.id)
    round_.opens_at, round_.closes_at = CLOSE - timedelta(days=7), CLOSE
    for name, value in rules.items():
        setattr(round_, name, value)
    db.session.commit()
    return round_


def _results(round_: Round, scores: list[int]) -> list[int]:
    """Citizens with the given scores, each one second slower than the one before (no ties)."""
    stored = [_store(round_.id, entry(n + 1, score=score, duration=100 + n, prediction=None)) for n, score in enumerate(scores)]
    db.session.commit()
    return [r.citizen_id for r in stored]


def _winners(round_id: int) -> list[tuple[int, str]]:
    return [(w.citizen_id, w.tier_name) for w in
            db.session.scalars(select(Winner).where(Winner.round_id == round_id).order_by(Winner.rank, Winner.citizen_id))]


def test_winners_follow_the_ranking_and_skip_the_ineligible(ctx, contest):
    round_ = _closed_period(contest)
    ids = _results(round_, [20, 19, 10, 18, 17, 16])  # 10/20 did not pass (80 %)
    db.session.get(Citizen, ids[1]).anonymised_at = CLOSE  # deleted their data: no prize
    db.session.commit()
    set_tiers(round_.id, [TierDraft("Giải nhất", 1, "2.000.000 đồng"), TierDraft("Giải nhì", 2)], None)
    computation = compute_winners(round_.id, AFTER, None)
    assert _winners(round_.id) == [(ids[0], "Giải nhất"), (ids[3], "Giải nhì"), (ids[4], "Giải nhì")]
    assert (computation.participants, computation.eligible) == (6, 4)
    lines = winners_list(round_.id)
    assert [(line.tier_name, line.masked_name, line.reward) for line in lines][0] == ("Giải nhất", "Người 1•••", "2.000.000 đồng")
    assert {line.commune_name for line in lines} == {"Phường Thành Đông"}


def test_prizes_before_the_close_or_without_tiers_are_refused(ctx, contest):
    round_ = _closed_period(contest)
    with pytest.raises(PrizeError, match="chưa kết thúc"):
        compute_winners(round_.id, CLOSE - timedelta(seconds=1), None)
    with pytest.raises(PrizeError, match="cơ cấu giải"):
        compute_winners(round_.id, AFTER, None)


def test_percent_cap_and_one_prize_per_person_per_contest(ctx, contest):
    first = _closed_period(contest, prize_percent_cap=50)
    first.contest.max_prizes_per_citizen = 1
    ids = _results(first, [20, 19, 18, 17])
    set_tiers(first.id, [TierDraft("Giải nhất", 1), TierDraft("Khuyến khích", 5)], None)
    compute_winners(first.id, AFTER, None)
    assert _winners(first.id) == [(ids[0], "Giải nhất"), (ids[1], "Khuyến khích")]  # 50 % of 4 participants
    second = Round(name="Tuần 2", opens_at=CLOSE, closes_at=CLOSE + timedelta(days=7), contest_id=first.contest_id)
    db.session.add(second)
    db.session.commit()
    for citizen_id, score in zip(ids, [20, 20, 19, 19]):
        _store_for(second, citizen_id, score)
    set_tiers(second.id, [TierDraft("Giải nhất", 2)], None)
    compute_winners(second.id, CLOSE + timedelta(days=8), None)
    assert [c for c, _ in _winners(second.id)] == [ids[2], ids[3]]  # the first two already hold a prize


def _store_for(round_: Round, citizen_id: int, score: int) -> None:
    from quiz.models import Attempt
    at = round_.opens_at + timedelta(hours=1)
    attempt = Attempt(round_id=round_.id, citizen_id=citizen_id, number=1, started_at=at, deadline_at=at,
                      submitted_at=at, score=score, max_score=20, percent=score * 5, passed=True, duration_seconds=100)
    db.session.add(attempt)
    db.session.flush()
    db.session.add(BestResult(round_id=round_.id, citizen_id=citizen_id, attempt_id=attempt.id, score=score,
                              percent=score * 5, passed=True, duration_seconds=100, submitted_at=at, first_completed_at=at))
    db.session.commit()


def test_winners_are_frozen_until_an_explicit_audited_recomputation(ctx, contest):
    round_ = _closed_period(contest)
    ids = _results(round_, [20, 19, 18])
    set_tiers(round_.id, [TierDraft("Giải nhất", 1)], None)
    compute_winners(round_.id, AFTER, None)
    best = db.session.scalar(select(BestResult).where(BestResult.citizen_id == ids[2]))
    best.score = 20
    best.duration_seconds = 1  # a later correction makes the third the best
    db.session.commit()
    assert _winners(round_.id) == [(ids[0], "Giải nhất")]  # nothing moved by itself
    frozen = round_ranking(db.session.get(Round, round_.id), 10)
    assert [row.result.citizen_id for row in frozen] == ids and frozen[2].result.score == 18  # the frozen order
    with pytest.raises(PrizeError, match="đã được chốt"):
        compute_winners(round_.id, AFTER, None)
    with pytest.raises(PrizeError, match="lý do"):
        recompute_winners(round_.id, AFTER, None, "")
    recompute_winners(round_.id, AFTER + timedelta(minutes=5), None, "Chấm lại câu 7 theo khiếu nại số 12")
    assert _winners(round_.id) == [(ids[2], "Giải nhất")]
    history = db.session.scalars(select(PrizeComputation).order_by(PrizeComputation.number)).all()
    assert [c.number for c in history] == [1, 2] and history[0].superseded_at is not None
    assert history[0].previous_winners == [[ids[0], 1, 1, 1.0]]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "recompute_winners"))
    assert event.reason == "Chấm lại câu 7 theo khiếu nại số 12" and event.changes["previous"] == 1


def test_simultaneous_freezes_make_one_computation(app, ctx, contest):
    """A double click on "Chốt danh sách": each request checked for a computation before computing, then froze
    its own, superseding the other's without a reason (a draw re-rolled the winners; outside review)."""
    round_ = _closed_period(contest, prize_tie_rule="draw")
    _results(round_, [20, 20, 20])
    set_tiers(round_.id, [TierDraft("Giải nhất", 1)], None)
    round_id, start, outcomes = round_.id, threading.Barrier(4), []

    def freeze() -> None:
        with app.app_context():
            start.wait()
            try:
                compute_winners(round_id, AFTER, None)
                outcomes.append("frozen")
            except PrizeError as error:
                outcomes.append(error.message)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=freeze) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert outcomes.count("frozen") == 1, outcomes
    assert all("đã được chốt" in o for o in outcomes if o != "frozen")
    db.session.rollback()  # this thread's read snapshot predates the others' writes
    assert [c.number for c in db.session.scalars(select(PrizeComputation))] == [1]


def test_publication_waits_for_the_appeal_window(ctx, contest):
    round_ = _closed_period(contest, appeal_days=3)
    _results(round_, [20])
    set_tiers(round_.id, [TierDraft("Giải nhất", 1)], None)
    compute_winners(round_.id, AFTER, None)
    assert winners_list(round_.id, published_only=True) == []
    with pytest.raises(PrizeError, match="khiếu nại"):
        publish_winners(round_.id, AFTER + timedelta(days=2), None)
    publish_winners(round_.id, AFTER + timedelta(days=3), None)
    assert len(winners_list(round_.id, published_only=True)) == 1


def test_the_computed_prediction_answer_is_the_count_of_perfect_results(ctx, contest):
    round_ = _closed_period(contest, prediction_kind="all_correct", tiebreak_chain=["score", "prediction"],
                            prediction_question="Bao nhiêu người trả lời đúng tất cả?")
    perfect = [_store(round_.id, entry(0, score=20, prediction=p)) for p in (1, 2, 3, 9)]  # 4 perfect results
    _store(round_.id, entry(0, score=19, prediction=4))
    db.session.commit()
    set_tiers(round_.id, [TierDraft("Giải nhất", 1)], None)
    computation = compute_winners(round_.id, AFTER, None)
    assert computation.prediction_answer == 4 == db.session.get(Round, round_.id).prediction_answer
    assert _winners(round_.id) == [(perfect[2].citizen_id, "Giải nhất")]  # predicted 3, the nearest to 4


def test_shared_first_place_with_a_recorded_draw(ctx, contest):
    round_ = _closed_period(contest, prize_tie_rule="draw", tiebreak_chain=["score"])
    ids = _results(round_, [20, 20, 20, 19])
    set_tiers(round_.id, [TierDraft("Giải nhất", 1), TierDraft("Giải nhì", 1)], None)
    computation = compute_winners(round_.id, AFTER, None, seed="c0ffee")
    ranked_ids = sorted(ids[:3])
    expected = random.Random("c0ffee").sample(ranked_ids, 1)[0]
    by_tier = {tier: citizen for citizen, tier in _winners(round_.id)}
    assert computation.seed == "c0ffee" and by_tier["Giải nhất"] == expected
    assert by_tier["Giải nhì"] in set(ranked_ids) - {expected}  # a second draw among the other two


def test_the_checking_spreadsheet_lists_every_ranked_citizen_and_criterion(ctx, contest):
    round_ = _closed_period(contest)
    _results(round_, [20, 10, 18])
    set_tiers(round_.id, [TierDraft("Giải nhất", 1)], None)
    compute_winners(round_.id, AFTER, None)
    buffer = io.BytesIO()
    assert write_prize_sheet(db.session.get(Round, round_.id), buffer) == 3
    rows = list(openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows(values_only=True))
    assert "Điểm → Thời gian làm bài" in rows[1][0]
    header, body = rows[2], rows[3:]
    assert header[-4:] == ("Đủ điều kiện nhận giải", "Lý do", "Giải", "Phần giải")
    assert [(r[3], r[5], r[-4], r[-3], r[-2]) for r in body] == [
        ("Người 1•••", 20, "có", None, "Giải nhất"), ("Người 3•••", 18, "có", None, None), ("Người 2•••", 10, "không", "chưa đạt", None)]


def test_the_organizer_button_and_the_cli_freeze_the_winners(app, client, contest):
    from tests.conftest import csrf_token, make_staff, staff_login
    with app.app_context():
        make_staff()
        round_ = _closed_period(contest)
        ids = _results(round_, [20, 19])
        round_id = round_.id
    staff_login(client)
    page = f"/quan-tri/dot-thi/{round_id}/giai-thuong"
    token = csrf_token(client.get(page))
    refused = client.post(f"{page}/co-cau", data={"csrf_token": token, "tiers": "Giải nhất | 1 | 2.000.000 đồng\nGiải nhì | x"})
    assert "số lượng giải phải là số nguyên" in refused.get_data(as_text=True)  # on the page as typed
    client.post(f"{page}/co-cau", data={"csrf_token": token, "tiers": "Giải nhất | 1 | 2.000.000 đồng"})
    client.post(f"{page}/chot", data={"csrf_token": token})
    html = client.get(page).get_data(as_text=True)
    assert "Đã chốt lần 1" in html and "Người 1•••" in html and "Đang nhận khiếu nại" in html
    sheet = client.get(f"{page}/xet-giai.xlsx")
    assert sheet.status_code == 200 and sheet.data[:2] == b"PK"
    runner = app.test_cli_runner()
    again = runner.invoke(args=["prizes", "compute", str(round_id)])
    assert again.exit_code == 1 and "đã được chốt" in again.output
    redo = runner.invoke(args=["prizes", "compute", str(round_id), "--recompute", "Kiểm tra lại theo đơn khiếu nại"])
    assert redo.exit_code == 0 and "lần 2" in redo.output
    with app.app_context():
        assert _winners(round_id) == [(ids[0], "Giải nhất")]


def test_the_eligibility_hook_reads_disqualification_and_phone_verification_when_present():
    from quiz.contest.eligibility import PrizeConditions, eligibility
    from quiz.contest.ranking import RankingRow
    result = entry(1)
    row = lambda passed=True, extra=(None, None), anonymised=False: RankingRow(  # noqa: E731
        1, result, "An", "Xã", "10507", passed, False, anonymised, extra)
    strict = PrizeConditions(requires_pass=True, requires_verified_phone=True)
    assert eligibility(row(extra=(None, True)), strict).eligible
    assert eligibility(row(extra=(True, True)), strict).reason == "bị loại"
    assert eligibility(row(extra=(None, None)), strict).reason == "chưa xác thực số điện thoại"
    assert eligibility(row(passed=False, extra=(None, True)), strict).reason == "chưa đạt"
    assert eligibility(row(anonymised=True), strict).reason == "đã xoá dữ liệu cá nhân"
    assert eligibility(row(passed=False), PrizeConditions(False, False)).eligible


@pytest.mark.parametrize("deleted_by", ["self", "staff"])
def test_the_per_person_cap_follows_the_phone_through_deletion_and_a_new_registration(ctx, contest, deleted_by):
    """Red team: a winner deleted their data, registered again with the same phone and won the next period."""
    from quiz.privacy.data_requests import complete, open_request
    from quiz.privacy.my_data import delete_my_data
    from tests.conftest import make_citizen
    first = _closed_period(contest)
    first.contest.max_prizes_per_citizen = 1
    winner = make_citizen(phone="0912000111")
    others = _results(first, [18, 17])
    _store_for(first, winner.id, 20)
    set_tiers(first.id, [TierDraft("Giải nhất", 1)], None)
    compute_winners(first.id, AFTER, None)
    assert _winners(first.id) == [(winner.id, "Giải nhất")]
    if deleted_by == "self":
        delete_my_data(winner.id, AFTER)
    else:
        request = open_request(winner.id, "deletion", "Xin xoá", AFTER)
        db.session.commit()
        complete(request.id, None, AFTER)
    again = make_citizen(phone="0912000111")  # the same person, a new registration
    second = Round(name="Tuần 2", opens_at=CLOSE, closes_at=CLOSE + timedelta(days=7), contest_id=first.contest_id)
    db.session.add(second)
    db.session.commit()
    _store_for(second, again.id, 20)
    _store_for(second, others[0], 19)
    set_tiers(second.id, [TierDraft("Giải nhất", 1)], None)
    compute_winners(second.id, CLOSE + timedelta(days=8), None)
    assert _winners(second.id) == [(others[0], "Giải nhất")]
