"""Reports a government office can sign: Vietnam time, reproducible cut-offs, the letter's wording, ties, totals."""
import io
import re
from datetime import date, timedelta

import openpyxl
from sqlalchemy import select, update

from quiz import tallies
from quiz.infra.clock import to_local, utcnow
from quiz.infra.extensions import db
from quiz.models import Citizen, Commune, IssuedReport, Round
from quiz.privacy.my_data import correct_details, delete_my_data
from tests.admin_helpers import add_staff, take
from tests.conftest import csrf_token, staff_login

PROVINCE = "31"


def _cut():
    """Half an hour ago, but never in the first minutes of a Vietnam day: the tests put citizens a minute
    before the cut and expect them in the cut's own day (a run at 17:30 UTC failed on that)."""
    cut = utcnow().replace(second=0, microsecond=0) - timedelta(minutes=30)
    local = to_local(cut)
    return cut - timedelta(minutes=5) if local.hour == 0 and local.minute < 5 else cut


def _den(cut) -> str:
    return f"{to_local(cut):%d/%m/%Y %H:%M}"


def _codes() -> list[str]:
    return list(db.session.scalars(select(Commune.code).where(Commune.province_code == PROVINCE)
                                   .order_by(Commune.code)))


def _citizens(code: str, count: int, created_at) -> list[int]:
    rows = [Citizen(full_name="Người dân", name_key="nguoi dan", commune_code=code, password_hash="x",
                    birth_date=date(1980, 1, 1), created_at=created_at) for _ in range(count)]
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def _login(client) -> str:
    staff_login(client, "bantochuc")
    return csrf_token(client.get("/quan-tri/bao-cao"))


def _quick(client, token: str, round_id: int, den: str, **extra) -> str:
    html = client.post(f"/quan-tri/bao-cao/nhanh?round={round_id}",
                       data={"csrf_token": token, "den": den, **extra}).get_data(as_text=True)
    match = re.search(r"<textarea[^>]*>(.*?)</textarea>", html, re.S)
    assert match, html[-2000:]
    return match.group(1)


def test_file_names_are_in_vietnam_time(app, client, contest):
    with app.app_context():
        add_staff("bantochuc")
    _login(client)
    cut = _cut()
    response = client.get(f"/quan-tri/bao-cao/phu-luc.xlsx?round={contest.id}&den={to_local(cut):%Y-%m-%dT%H:%M}")
    assert f"filename=phu-luc-{to_local(cut):%Y%m%d-%H%M}.xlsx" in response.headers["Content-Disposition"]


def _two_communes(app, contest):
    """Commune A leads B 3 to 2 at the cut-off; later corrections move two of A's citizens to B, one is deleted."""
    cut = _cut()
    with app.app_context():
        add_staff("bantochuc")
        a, b = _codes()[:2]
        in_a = _citizens(a, 3, cut - timedelta(hours=2))
        _citizens(b, 2, cut - timedelta(hours=2))
        take(db.session.get(Round, contest.id), in_a[0], 15, now=cut - timedelta(minutes=5))
    return cut, a, b, in_a


def _correct_and_delete(app, a: str, b: str, in_a: list[int]) -> None:
    with app.app_context():
        for citizen_id in in_a[:2]:
            correct_details(citizen_id, "Người dân", date(1980, 1, 1), b, PROVINCE, date.today())
        delete_my_data(in_a[0], utcnow())
        assert db.session.get(Citizen, in_a[0]).commune_code == b


def test_the_quick_report_is_the_same_after_later_corrections_and_deletions(app, client, contest):
    cut, a, b, in_a = _two_communes(app, contest)
    token = _login(client)
    before = _quick(client, token, contest.id, _den(cut), so_lieu="1")
    _correct_and_delete(app, a, b, in_a)
    after = _quick(client, token, contest.id, _den(cut), so_lieu="1")
    assert after == before
    with app.app_context():
        names = dict(db.session.execute(select(Commune.code, Commune.name)).all())
    assert re.search(rf"nhiều nhất: \w+ {names[a].split(' ', 1)[1]} \(3\)", before)


def test_a_recorded_report_downloads_again_byte_for_byte(app, client, contest):
    cut, a, b, in_a = _two_communes(app, contest)
    _login(client)
    url = f"/quan-tri/bao-cao/phu-luc.xlsx?round={contest.id}&den={_den(cut)}"
    first = client.get(url).data
    _correct_and_delete(app, a, b, in_a)
    assert client.get(url).data == first  # the same cut-off gives the same bytes after the corrections
    with app.app_context():
        issued = db.session.scalars(select(IssuedReport).order_by(IssuedReport.id)).all()
        assert [r.kind for r in issued] == ["appendix_xlsx", "appendix_xlsx"]
        assert issued[0].figures["registered"] == 5 and issued[0].cut_off == cut
        assert issued[0].issued_by_id is not None
        report_id = issued[0].id
    again = client.get(f"/quan-tri/bao-cao/da-lap/{report_id}")
    assert again.data == first and "phu-luc-" in again.headers["Content-Disposition"]
    assert "Báo cáo đã lập" in client.get("/quan-tri/bao-cao").get_data(as_text=True)


def _everywhere(app, contest, cut):
    """Every commune takes part: 3 each, except two with 9 (tied first) and the rest ordered by code."""
    with app.app_context():
        add_staff("bantochuc")
        codes = _codes()
        db.session.execute(update(Commune).values(adult_population=100))
        db.session.commit()
        for index, code in enumerate(codes):
            _citizens(code, 9 if index < 2 else 3, cut - timedelta(hours=1))
    return codes


def test_the_letters_sentence_form(app, client, contest):
    cut = _cut()
    _everywhere(app, contest, cut)
    token = _login(client)
    text = _quick(client, token, contest.id, _den(cut))
    with app.app_context():
        opens = db.session.get(Round, contest.id).opens_at
    assert text.startswith(f"Tính đến {to_local(cut):%H} giờ {to_local(cut):%M} ngày {to_local(cut):%d/%m/%Y}, "
                           f"kể từ ngày phát động Cuộc thi ({to_local(opens):%d/%m/%Y}), toàn bộ 114 xã, phường, "
                           "đặc khu trên địa bàn thành phố Hải Phòng đã tham gia với 354 người đăng ký dự thi")
    assert "nhiều nhất: phường " in text or "nhiều nhất: xã " in text
    listed = next(line for line in text.splitlines() if "nhiều nhất:" in line).split("nhiều nhất:")[1]
    listed = listed.split(" (ngoài ra")[0]
    assert not re.search(r"\b(Xã|Phường|Đặc khu) ", listed) and "(" not in listed and listed.count(", ") == 9
    assert "đạt 3,9 % chỉ tiêu 80 %" in text  # 354 of 11,400 adults = 3.1 %, and 3.1 / 80 = 3.9 % of the target
    counted = _quick(client, token, contest.id, _den(cut), so_lieu="1")
    assert re.search(r"nhiều nhất: (xã|phường) [^,(]+ \(9\), ", counted)


def test_equal_figures_share_a_rank_and_a_cut_inside_a_tie_says_so(app, client, contest, redis):
    cut = _cut()
    codes = _everywhere(app, contest, cut)
    token = _login(client)
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(
        f"/quan-tri/bao-cao/phu-luc.xlsx?round={contest.id}&den={_den(cut)}").data))["Phụ lục"]
    rows = list(sheet.iter_rows(min_row=3, max_row=116, values_only=True))
    assert [row[8] for row in rows[:3]] == [1, 1, 3] and {row[8] for row in rows[2:]} == {3}
    text = _quick(client, token, contest.id, _den(cut), so_lieu="1")
    top_line = next(line for line in text.splitlines() if "nhiều nhất" in line)
    assert "ngoài ra" in top_line and "cũng có 3 người tham gia, bằng đơn vị thứ 10" in top_line
    bottom_line = next(line for line in text.splitlines() if "ít nhất" in line)
    listed = re.findall(r"(?:xã|phường|đặc khu) ([^,(]+) \(3\)", bottom_line.split("ít nhất:")[1].split("(ngoài ra")[0])
    in_table = [re.sub(r"^(Xã|Phường|Đặc khu) ", "", row[1]) for row in rows if row[3] == 3][:10]
    assert [name.strip() for name in listed] == in_table  # equals in the table's order, in both lists
    with app.app_context():
        tallies.rebuild()  # the rows above were written directly: the dashboards read the live tallies
    data = client.get(f"/quan-tri/tong-quan.json?round={contest.id}").json
    ranks = {row["code"]: row["rank"] for row in data["rows"]}
    assert ranks[codes[0]] == ranks[codes[1]] == 1


def test_one_cut_off_field_in_the_vietnamese_form(app, client, contest):
    cut = _cut()
    with app.app_context():
        add_staff("bantochuc")
        code = _codes()[0]
        _citizens(code, 2, cut - timedelta(minutes=10))
        _citizens(code, 5, cut + timedelta(minutes=10))
    _login(client)
    page = client.get(f"/quan-tri/bao-cao?round={contest.id}&den={_den(cut)}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f"tính đến <strong>{to_local(cut):%H:%M %d/%m/%Y}</strong>" in html
    assert len(re.findall(r'href="[^"]*(phu-luc\.(xlsx|csv)|so-lieu\.(json|csv))[^"]*den=', html)) == 4
    csv_text = client.get(f"/quan-tri/bao-cao/phu-luc.csv?round={contest.id}&den={_den(cut)}").get_data(as_text=True)
    assert re.search(r",Tổng cộng,,2,", csv_text)
    feed = client.get(f"/quan-tri/cong-khai/so-lieu.json?den={_den(cut)}").json
    assert sum(entry["dang_ky"] for entry in feed["xa"]) == 2
    bad = client.get("/quan-tri/bao-cao?den=32/10/2025 15:00")
    assert bad.status_code == 400 and "32/10/2025 15:00" in bad.get_data(as_text=True)
    assert "không có thật" in bad.get_data(as_text=True)
    assert client.get("/quan-tri/bao-cao/phu-luc.csv?den=hôm qua").status_code == 400
    assert client.get("/quan-tri/cong-khai/so-lieu.csv?den=hôm qua").status_code == 400


def test_per_day_table_stops_at_the_cut_off(app, client, contest):
    cut = _cut()
    with app.app_context():
        add_staff("bantochuc")
        code = _codes()[0]
        _citizens(code, 4, cut - timedelta(days=1))
        _citizens(code, 2, cut - timedelta(minutes=1))
        _citizens(code, 6, cut + timedelta(minutes=1))
    _login(client)
    html = client.get(f"/quan-tri/bao-cao?round={contest.id}&den={_den(cut)}").get_data(as_text=True)
    local = to_local(cut)
    assert f"<td>{local:%d/%m/%Y} (đến {local:%H:%M})</td><td>2</td><td>0</td><td>6</td>" in html
    book = openpyxl.load_workbook(io.BytesIO(client.get(
        f"/quan-tri/bao-cao/phu-luc.xlsx?round={contest.id}&den={_den(cut)}").data))
    days = list(book["Theo ngày"].iter_rows(min_row=2, values_only=True))
    assert days[-1] == (f"{local:%d/%m/%Y} (đến {local:%H:%M})", 2, 0, 6, 0) and days[-2][1] == 4


def test_total_row_attempts_population_and_the_score_scale(app, client, contest):
    cut = _cut()
    with app.app_context():
        add_staff("bantochuc")
        code = _codes()[0]
        db.session.execute(update(Commune).where(Commune.code == code).values(adult_population=400))
        db.session.commit()
        first, second = _citizens(code, 2, cut - timedelta(hours=1))
        round_ = db.session.get(Round, contest.id)
        take(round_, first, 19, now=cut - timedelta(minutes=20))
        take(round_, first, 10, now=cut - timedelta(minutes=15))
        take(round_, second, 18, now=cut - timedelta(minutes=10))
        name = db.session.get(Commune, code).name
    token = _login(client)
    client.post(f"/quan-tri/bao-cao/thang-diem?round={contest.id}", data={"csrf_token": token, "scale": "10"})
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(
        f"/quan-tri/bao-cao/phu-luc.xlsx?round={contest.id}&den={_den(cut)}").data))["Phụ lục"]
    headers = [c.value for c in sheet[2]]
    assert headers[6] == "Điểm trung bình (thang 10)" and "Số lượt thi" in headers and "Dân số từ 18 tuổi" in headers
    row = next(r for r in sheet.iter_rows(min_row=3, values_only=True) if r[1] == name)
    assert row[6] == 9.25 and row[9] == 3 and row[10] == 400 and row[11] == 0.005
    total = [c.value for c in sheet[117]]
    assert total[1] == "Tổng cộng" and total[3] == 2 and total[9] == 3
    text = _quick(client, token, contest.id, _den(cut))
    assert "9,25 (thang điểm 10)" in text
    assert "thang 10" in client.get("/quan-tri/bao-cao").get_data(as_text=True)


def test_dashboards_say_their_figures_are_live_after_a_cut_off(app, client, contest):
    cut = _cut()
    with app.app_context():
        add_staff("bantochuc")
    token = _login(client)
    _quick(client, token, contest.id, _den(cut))
    html = client.get(f"/quan-tri/tong-quan?round={contest.id}").get_data(as_text=True)
    assert "số liệu trực tiếp" in html and f"({to_local(cut):%H:%M %d/%m/%Y})" in html
    page = client.get("/quan-tri/bao-cao").get_data(as_text=True)
    assert "Số liệu trực tiếp lúc" in page
