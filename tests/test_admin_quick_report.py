"""The quick report and the appendix as of a cut-off: numbers and lists recomputed from the rows in Python."""
import io
import re
from datetime import timedelta

import openpyxl
from sqlalchemy import select

from quiz.infra.clock import to_local, utcnow
from quiz.infra.extensions import db
from quiz.models import Attempt, Citizen, Commune, Round
from tests.admin_helpers import add_staff, take
from tests.conftest import csrf_token, staff_login


def _citizens(code: str, count: int, created_at) -> list[int]:
    """Plain citizen rows at a chosen registration time (no password hashing: the report only counts)."""
    rows = [Citizen(full_name="Người dân", name_key="nguoi dan", commune_code=code, password_hash="x",
                    created_at=created_at) for _ in range(count)]
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def _build(app, contest):
    """Communes with 1..11 registrations before the cut-off, a crowd after it, attempts on both sides."""
    cut = utcnow().replace(second=0, microsecond=0) - timedelta(minutes=20)
    with app.app_context():
        codes = list(db.session.scalars(select(Commune.code).where(Commune.province_code == "31")
                                        .order_by(Commune.code).limit(13)))
        for rank, code in enumerate(codes[:11]):
            _citizens(code, rank + 1, cut - timedelta(minutes=30))
        _citizens(codes[11], 20, cut + timedelta(minutes=1))   # registered after the cut-off: not counted
        _citizens(codes[0], 15, cut + timedelta(minutes=2))    # would make commune 0 the first if counted
        round_ = db.session.get(Round, contest.id)
        early, late = _citizens(codes[12], 2, cut - timedelta(minutes=40))
        take(round_, early, 5, now=cut - timedelta(minutes=5))
        take(round_, early, 15, now=cut + timedelta(minutes=5))  # better, but after the cut-off
        take(round_, late, 12, now=cut + timedelta(minutes=6))   # completes only after the cut-off
        add_staff("bantochuc")
    return cut, codes


def _expected(app, round_id, cut):
    """Registered and completed per commune as of the cut-off, and the best score, from the rows."""
    with app.app_context():
        communes = db.session.scalars(select(Commune).where(Commune.province_code == "31")).all()
        registered = {c.code: 0 for c in communes}
        for code, created in db.session.execute(select(Citizen.commune_code, Citizen.created_at)):
            registered[code] += created <= cut
        best: dict[int, int] = {}
        for attempt in db.session.scalars(select(Attempt).where(Attempt.round_id == round_id)):
            if attempt.submitted_at is not None and attempt.submitted_at <= cut:
                best[attempt.citizen_id] = max(best.get(attempt.citizen_id, -1), attempt.score)
        order = sorted(communes, key=lambda c: (-registered[c.code], c.search_key))
        return registered, best, order


def test_quick_report_numbers_and_lists_match_the_rows(app, client, contest):
    cut, codes = _build(app, contest)
    registered, best, order = _expected(app, contest.id, cut)
    staff_login(client, "bantochuc")
    token = csrf_token(client.get("/quan-tri/bao-cao"))
    html = client.post(f"/quan-tri/bao-cao/nhanh?round={contest.id}",
                       data={"csrf_token": token, "cut_off": f"{to_local(cut):%Y-%m-%dT%H:%M}", "mau": "danh-sach",
                             "so_lieu": "1"}).get_data(as_text=True)
    text = re.search(r"<textarea[^>]*>(.*?)</textarea>", html, re.S).group(1)
    local = to_local(cut)
    taking_part = sum(1 for n in registered.values() if n)
    assert taking_part == 12 and sum(registered.values()) == 68 and len(best) == 1
    assert text.startswith(f"Tính đến {local:%H} giờ {local:%M} ngày {local:%d/%m/%Y}, có {taking_part} xã, phường, "
                           f"đặc khu có người dự thi, {sum(registered.values())} người đăng ký, "
                           f"{len(best)} người hoàn thành bài thi.")
    top = "; ".join(f"{c.name} ({registered[c.code]})" for c in order[:10])
    fewest = sorted(order, key=lambda c: (registered[c.code], c.search_key))  # equals in the table's name order
    bottom = "; ".join(f"{c.name} ({registered[c.code]})" for c in fewest[:10])
    # the 10th and 11th both have 2, the 102 communes with none are all named: both lists say so
    assert f"nhiều nhất: {top} (ngoài ra " in text and f"ít nhất: {bottom} (ngoài ra " in text
    assert order[0].code == codes[10] and codes[11] not in [c.code for c in order[:10]]


def test_appendix_as_of_a_cut_off_uses_the_best_score_then(app, client, contest):
    cut, codes = _build(app, contest)
    registered, best, _ = _expected(app, contest.id, cut)
    staff_login(client, "bantochuc")
    response = client.get(f"/quan-tri/bao-cao/phu-luc.xlsx?round={contest.id}&den={to_local(cut):%Y-%m-%dT%H:%M}")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert f"{to_local(cut):%H:%M ngày %d/%m/%Y}" in sheet["A1"].value
    with app.app_context():
        names = dict(db.session.execute(select(Commune.name, Commune.code)).all())
    communes = list(sheet.iter_rows(min_row=3, max_row=116, values_only=True))
    table = {names[row[1]]: row for row in communes}
    assert {code: row[3] for code, row in table.items()} == registered
    assert table[codes[12]][4:7] == (1, 0.5, list(best.values())[0])  # the first attempt's score, not the later one
    assert [row[0] for row in communes] == list(range(1, 115))
    total = [c.value for c in sheet[117]]
    assert total[1] == "Tổng cộng" and total[3] == sum(registered.values()) and total[4] == len(best)
