"""Collective prizes: the communes' unit score per period and for the contest, on the page and in Excel."""
import io
from datetime import datetime, timedelta

import openpyxl

from quiz.contest.commune_prizes import CommuneScore, commune_standings
from quiz.contest.prizes import TierDraft, compute_winners, set_tiers
from quiz.infra.extensions import db
from quiz.models import Commune, Round
from tests.admin_helpers import COMMUNE_A, COMMUNE_B
from tests.conftest import make_staff, staff_login
from tests.test_prizes import _store_for

CLOSE = datetime(2026, 11, 27, 10, 0)


def _people(commune: str, count: int) -> list[int]:
    from quiz.models import Citizen
    people = [Citizen(full_name=f"Người {commune} {n}", commune_code=commune) for n in range(count)]
    db.session.add_all(people)
    db.session.commit()
    return [p.id for p in people]


def _setup(contest) -> tuple[Round, Round]:
    first = db.session.get(Round, contest.id)
    first.opens_at, first.closes_at = CLOSE - timedelta(days=7), CLOSE
    second = Round(name="Tuần 2", opens_at=CLOSE, closes_at=CLOSE + timedelta(days=7), contest_id=first.contest_id)
    db.session.add(second)
    db.session.get(Commune, COMMUNE_A).adult_population = 100
    db.session.get(Commune, COMMUNE_B).adult_population = 10
    db.session.commit()
    a, b = _people(COMMUNE_A, 4), _people(COMMUNE_B, 2)
    for citizen in a:
        _store_for(first, citizen, 20)
    _store_for(first, b[0], 10)
    _store_for(second, b[1], 19)
    _store_for(second, a[0], 18)
    return first, second


def test_unit_scores_per_period_and_for_the_contest(ctx, contest):
    first, second = _setup(contest)
    first.prize_tie_rule = "split"
    db.session.commit()
    set_tiers(first.id, [TierDraft("Giải nhất", 1)], None)
    compute_winners(first.id, CLOSE + timedelta(hours=1), None)  # commune A's four share the first prize
    rate_only = {r.code: r for r in commune_standings([first.id], CommuneScore(), "31")}
    assert (rate_only[COMMUNE_A].participation_rate, rate_only[COMMUNE_B].participation_rate) == (4.0, 10.0)
    assert rate_only[COMMUNE_B].place == 1 and rate_only[COMMUNE_A].place == 2
    mixed = CommuneScore(participation_rate=0, completions=1, pass_rate=0.1, prize_points={1: 10})
    period = {r.code: r for r in commune_standings([first.id], mixed, "31")}
    assert period[COMMUNE_A].score == 4 + 10 + 10 and period[COMMUNE_B].score == 1 + 10
    whole = {r.code: r for r in commune_standings([first.id, second.id], CommuneScore(), "31")}
    assert (whole[COMMUNE_A].participants, whole[COMMUNE_A].completions) == (4, 5)  # distinct people over periods
    assert (whole[COMMUNE_B].participants, whole[COMMUNE_B].pass_rate) == (2, 100.0)


def test_the_organizer_sets_the_formula_and_exports_the_ranking(app, client, contest):
    with app.app_context():
        make_staff()
        first, _ = _setup(contest)
        contest_id = first.contest_id
    staff_login(client)
    page = f"/quan-tri/cuoc-thi/{contest_id}"
    from tests.conftest import csrf_token
    token = csrf_token(client.get(page))
    client.post(page, data={"csrf_token": token, "name": "Cuộc thi tuần", "participation_rate": "0", "completions": "2",
                            "pass_rate": "0", "prize_points": "1:10, 2:7", "max_prizes_per_citizen": "1"})
    html = client.get(page).get_data(as_text=True)
    assert "Cuộc thi tuần" in html and "2 × số lượt hoàn thành" in html and "giải 1: 10" in html
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"{page}?xuat=xlsx").data)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows[0][2] == "Phường Thành Đông" and rows[0][-1] == 10  # 5 completions × 2
    bad = client.post(page, data={"csrf_token": token, "name": "Cuộc thi tuần", "prize_points": "nhất:10"},
                      follow_redirects=True).get_data(as_text=True)
    assert "giải thứ mấy" in bad
