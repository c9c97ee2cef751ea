"""Collective prizes: the communes' unit score per period and for the contest, on the page and in Excel."""
import io
import re
from datetime import date, datetime, timedelta

import openpyxl
from sqlalchemy import select

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
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert rows[0][2] == "Phường Thành Đông" and rows[0][-1] == 10  # 5 completions × 2
    bad = client.post(page, data={"csrf_token": token, "name": "Cuộc thi tuần", "prize_points": "nhất:10"},
                      follow_redirects=True).get_data(as_text=True)
    assert "giải thứ mấy" in bad


def _two_communes_two_periods(app, contest) -> tuple[int, int, int]:
    with app.app_context():
        first, second = _setup(contest)
        return first.id, second.id, first.contest_id


def _section(html: str, title: str) -> str:
    start = html.index(f"<h3>{title}")
    return html[start:html.index("</section>", start)]


def test_the_organizer_dashboard_ranks_communes_for_the_period_and_the_contest(app, client, contest):
    _, second, contest_id = _two_communes_two_periods(app, contest)
    with app.app_context():
        make_staff()
    staff_login(client)
    html = client.get(f"/quan-tri/tong-quan?round={second}").get_data(as_text=True)
    assert "Giải tập thể: xếp hạng đơn vị" in html and "1 × tỷ lệ tham gia (%)" in html
    period, whole = _section(html, "Đợt Tuần 2"), _section(html, "Cả cuộc thi")
    # participation rates: in week 2 one of B's 10 adults and one of A's 100; over the contest 2 of 10 and 4 of 100
    assert re.search(r">1</td><td>Xã An Thành</td><td class=\"num\">10<", period)
    assert re.search(r">2</td><td>Phường Thành Đông</td><td class=\"num\">1<", period)
    assert re.search(r">1</td><td>Xã An Thành</td><td class=\"num\">20<", whole)
    assert re.search(r">2</td><td>Phường Thành Đông</td><td class=\"num\">4<", whole)
    assert f"/quan-tri/cuoc-thi/{contest_id}?xuat=xlsx" in html


def test_a_commune_admin_sees_only_the_own_communes_line(app, client, contest):
    _, second, contest_id = _two_communes_two_periods(app, contest)
    with app.app_context():
        make_staff("xa-a", "commune_admin", COMMUNE_A)
    staff_login(client, "xa-a")
    html = client.get(f"/quan-tri/xa-phuong?round={second}").get_data(as_text=True)
    own = html[html.index('id="own-commune-ranking"'):html.index("</dl>", html.index('id="own-commune-ranking"'))]
    assert "hạng 2/114 – 1 điểm" in own and "hạng 2/114 – 4 điểm" in own
    assert "Xã An Thành" not in html and "Giải tập thể: xếp hạng đơn vị" not in html
    for path in (f"/quan-tri/tong-quan?round={second}", f"/quan-tri/cuoc-thi/{contest_id}?xuat=xlsx"):
        assert client.get(path).status_code in (403, 404), path
    other = client.get(f"/quan-tri/xa-phuong?round={second}&xa={COMMUNE_B}").get_data(as_text=True)
    assert "Xã An Thành" not in other  # ?xa= names no other commune for a commune admin


def test_the_ranking_export_has_the_contest_and_every_period(app, client, contest):
    first, second, contest_id = _two_communes_two_periods(app, contest)
    with app.app_context():
        make_staff()
    staff_login(client)
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/quan-tri/cuoc-thi/{contest_id}?xuat=xlsx").data))
    assert book.sheetnames == ["Cả cuộc thi", "Đợt 1", "Đợt 2"]
    assert book["Đợt 2"]["A1"].value == "Xếp hạng đơn vị – Tuần 2"
    assert book["Đợt 2"]["A3"].value == "Hạng" and book["Đợt 2"]["K3"].value == "Điểm đơn vị"

    def lines(name: str) -> dict:
        return {row[1]: row for row in book[name].iter_rows(min_row=4, values_only=True)}
    whole, week_1, week_2 = lines("Cả cuộc thi"), lines("Đợt 1"), lines("Đợt 2")
    assert len(whole) == 114
    # place, code, name, participants, adults, rate %, completions, passed, pass rate %, prize points, unit score
    assert whole[COMMUNE_B] == (1, COMMUNE_B, "Xã An Thành", 2, 10, 20, 2, 2, 100, 0, 20)
    assert whole[COMMUNE_A] == (2, COMMUNE_A, "Phường Thành Đông", 4, 100, 4, 5, 5, 100, 0, 4)
    assert week_1[COMMUNE_A][:7] == (2, COMMUNE_A, "Phường Thành Đông", 4, 100, 4, 4)
    assert week_2[COMMUNE_A][:7] == (2, COMMUNE_A, "Phường Thành Đông", 1, 100, 1, 1)
    assert week_2[COMMUNE_B][-1] == 10


def test_a_refused_organizer_form_comes_back_as_typed(app, client, contest):
    """The contest's settings and a period's prize tiers: a typing mistake used to redirect to the stored
    values, and everything else typed was gone (outside review)."""
    with app.app_context():
        make_staff()
        first, _ = _setup(contest)
        contest_id, round_id = first.contest_id, first.id
    staff_login(client)
    from tests.conftest import csrf_token
    page = f"/quan-tri/cuoc-thi/{contest_id}"
    token = csrf_token(client.get(page))
    response = client.post(page, data={"csrf_token": token, "name": "Tên mới vừa gõ", "description": "Mô tả mới",
                                       "participation_rate": "abc", "completions": "2", "pass_rate": "0",
                                       "prize_points": "1:10", "max_prizes_per_citizen": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Hệ số phải là một số." in html
    assert 'value="Tên mới vừa gõ"' in html and "Mô tả mới" in html and 'value="abc"' in html
    tiers = "Giải Đặc biệt | 1 | 5tr\nGiải Nhất | abc | 2tr"
    response = client.post(f"/quan-tri/dot-thi/{round_id}/giai-thuong/co-cau", data={"csrf_token": token, "tiers": tiers})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "số lượng giải phải là số nguyên" in html
    assert "Giải Đặc biệt | 1 | 5tr\nGiải Nhất | abc | 2tr" in html


def test_a_move_after_a_period_closed_changes_none_of_its_commune_figures(ctx, contest):
    """Red team: a citizen who passed in a closed period moved commune and took the completion (and prize points)
    along, moving another commune up that period's ranking. Each period counts people where they were at its close."""
    from quiz.models import Citizen
    from quiz.privacy.my_data import correct_details
    first, second = _setup(contest)
    first.prize_tie_rule = "split"
    db.session.commit()
    set_tiers(first.id, [TierDraft("Giải nhất", 1)], None)
    compute_winners(first.id, CLOSE + timedelta(hours=1), None)
    mixed = CommuneScore(participation_rate=1, completions=1, pass_rate=0.1, prize_points={1: 10})
    before = {ids: commune_standings(list(ids), mixed, "31") for ids in ((first.id,), (second.id,), (first.id, second.id))}
    mover = db.session.scalars(select(Citizen).where(Citizen.commune_code == COMMUNE_A).order_by(Citizen.id)).all()[1]
    correct_details(mover.id, mover.full_name, date(1970, 5, 17), COMMUNE_B, "31", CLOSE.date())  # now: after both closes
    db.session.expire_all()
    for ids, standings in before.items():
        assert commune_standings(list(ids), mixed, "31") == standings, ids


def test_a_move_while_a_period_is_open_counts_at_the_new_commune(ctx, contest):
    from quiz.models import Citizen
    from quiz.privacy.my_data import correct_details
    first, second = _setup(contest)
    second.closes_at = datetime.now() + timedelta(days=1)  # still open
    db.session.commit()
    mover = db.session.scalars(select(Citizen).where(Citizen.commune_code == COMMUNE_A).order_by(Citizen.id)).all()[0]
    correct_details(mover.id, mover.full_name, date(1970, 5, 17), COMMUNE_B, "31", CLOSE.date())  # its period-2 result moves along
    db.session.expire_all()
    period_two = {r.code: r for r in commune_standings([second.id], CommuneScore(), "31")}
    assert (period_two[COMMUNE_A].completions, period_two[COMMUNE_B].completions) == (0, 2)
    period_one = {r.code: r for r in commune_standings([first.id], CommuneScore(), "31")}
    assert (period_one[COMMUNE_A].completions, period_one[COMMUNE_B].completions) == (4, 1)  # closed before the move
