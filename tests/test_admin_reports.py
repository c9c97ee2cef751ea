"""Dashboards, reports, exports and staff tools, checked against the database."""
import io
import re
from datetime import timedelta

import openpyxl
from sqlalchemy import select

from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.infra.spreadsheet import safe_cell
from quiz.models import AuditEvent, Citizen, Consent, StaffUser
from quiz.tallies.figures import figures_from_database
from tests.admin_helpers import COMMUNE_A, COMMUNE_B, build_scenario
from tests.conftest import csrf_token, make_citizen, staff_login


def organizer(app, client, contest):
    scenario = build_scenario(app, contest)
    staff_login(client, "bantochuc")
    return scenario


def test_organizer_json_equals_the_database(app, client, contest):
    scenario = organizer(app, client, contest)
    data = client.get(f"/quan-tri/tong-quan.json?round={scenario.round_id}").json
    with app.app_context():
        truth = figures_from_database("31", scenario.round_id)
    rows = {r["code"]: r for r in data["rows"]}
    assert len(rows) == 114 and data["totals"]["communes_with_participants"] == 2
    for code in (COMMUNE_A, COMMUNE_B):
        assert (rows[code]["registered"], rows[code]["completed"], rows[code]["passed"]) == \
            (truth[code].registered, truth[code].completed, truth[code].passed)
    assert rows[COMMUNE_A]["average_score"] == 18.0 and rows[COMMUNE_A]["rank"] in (1, 2)
    assert data["top"][:2] == sorted([COMMUNE_A, COMMUNE_B], key=lambda c: rows[c]["rank"])
    assert len(data["bottom"]) == 10 and data["as_of"]


def test_appendix_xlsx_opens_and_matches_the_database(app, client, contest):
    scenario = organizer(app, client, contest)
    response = client.get(f"/quan-tri/bao-cao/phu-luc.xlsx?round={scenario.round_id}")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert "tính đến" in sheet["A1"].value and sheet.freeze_panes == "A3"
    assert [c.value for c in sheet[2]][:4] == ["STT", "Tên xã, phường, đặc khu", "Loại", "Số người đăng ký"]
    table = {row[1]: row for row in sheet.iter_rows(min_row=3, values_only=True) if row[0] is not None}
    assert len(table) == 114 and sheet.cell(117, 2).value == "Tổng cộng"
    assert table["Phường Thành Đông"][3:6] == (1, 1, 1.0) and table["Phường Thành Đông"][7] == 1
    assert table["Xã An Thành"][6] == 7 and table["Xã An Thành"][7] == 0
    csv_text = client.get(f"/quan-tri/bao-cao/phu-luc.csv?round={scenario.round_id}").get_data(as_text=True)
    assert csv_text.startswith("\ufeffSTT,") and "Xã An Thành,Xã,1,1,1.0,7.0,0" in csv_text


def test_quick_report_counts_as_of_the_cut_off(app, client, contest):
    scenario = organizer(app, client, contest)
    with app.app_context():
        late = make_citizen(COMMUNE_B)
        late.created_at = utcnow() + timedelta(hours=3)
        db.session.commit()
    cut_off = (utcnow() + timedelta(hours=7, minutes=60)).strftime("%Y-%m-%dT%H:%M")  # Vietnam time, +1 h
    token = csrf_token(client.get("/quan-tri/bao-cao"))
    html = client.post(f"/quan-tri/bao-cao/nhanh?round={scenario.round_id}",
                       data={"csrf_token": token, "cut_off": cut_off, "mau": "danh-sach", "so_lieu": "1"}).get_data(as_text=True)
    text = re.search(r'<textarea[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert "có 2 xã, phường, đặc khu có người dự thi, 2 người đăng ký, 2 người hoàn thành" in text
    assert "nhiều nhất: Phường Thành Đông (1); Xã An Thành (1)" in text or \
        "nhiều nhất: Xã An Thành (1); Phường Thành Đông (1)" in text


def test_phones_are_masked_for_both_roles(app, client, contest):
    scenario = organizer(app, client, contest)
    html = client.get("/quan-tri/nguoi-du-thi").get_data(as_text=True)
    assert "09•••••111" in html and scenario.phone_a not in html
    other = app.test_client()
    staff_login(other, "xa-a")
    token = csrf_token(other.get("/quan-tri/nguoi-du-thi"))
    html = other.post("/quan-tri/nguoi-du-thi", data={"q": "anh", "csrf_token": token}).get_data(as_text=True)
    assert "Phạm Thị Ánh" in html and "09•••••111" in html and scenario.phone_a not in html


def test_unmasked_export_needs_a_reason_and_is_audited(app, client, contest):
    scenario = organizer(app, client, contest)
    token = csrf_token(client.get("/quan-tri/bao-cao"))
    assert client.post("/quan-tri/bao-cao/nguoi-du-thi.xlsx", data={"csrf_token": token}).status_code == 302
    response = client.post("/quan-tri/bao-cao/nguoi-du-thi.xlsx",
                           data={"csrf_token": token, "reason": "Trao giải đợt 1"})
    rows = list(openpyxl.load_workbook(io.BytesIO(response.data)).active.iter_rows(min_row=2, values_only=True))
    assert {r[2] for r in rows} == {scenario.phone_a, scenario.phone_b}
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export_unmasked"))
        assert event.reason == "Trao giải đợt 1" and sorted(event.target_ids) == sorted([scenario.citizen_a, scenario.citizen_b])
        assert scenario.phone_a not in str(event.changes)


def test_spreadsheet_formulas_are_neutralised(app, client, contest):
    organizer(app, client, contest)
    assert [safe_cell(v) for v in ("=1+1", "+84", "-2", "@x", "＝SUM(A1)", "An", 5)] == \
        ["'=1+1", "'+84", "'-2", "'@x", "'＝SUM(A1)", "An", 5]
    with app.app_context():
        make_citizen(COMMUNE_A, full_name="=HYPERLINK(\"http://x\")")
    token = csrf_token(client.get("/quan-tri/bao-cao"))
    response = client.post("/quan-tri/bao-cao/nguoi-du-thi.xlsx", data={"csrf_token": token, "reason": "kiểm tra"})
    names = [r[1] for r in openpyxl.load_workbook(io.BytesIO(response.data)).active.iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(\"http://x\")" in names


def test_public_feed_has_no_personal_data_and_is_cacheable(app, client, contest):
    scenario = build_scenario(app, contest)
    response = client.get("/quan-tri/cong-khai/so-lieu.json")
    entry = next(e for e in response.json["xa"] if e["ma_xa"] == COMMUNE_A)
    assert entry == {"ma_xa": COMMUNE_A, "ten": "Phường Thành Đông", "dang_ky": 1, "hoan_thanh": 1,
                     "ty_le_hoan_thanh": 1.0, "diem_trung_binh": None}  # under 3 completers: no average
    body = response.get_data(as_text=True)
    assert scenario.phone_a not in body and "Phạm Thị Ánh" not in body
    assert response.headers["Cache-Control"] == "public, max-age=300"
    again = client.get("/quan-tri/cong-khai/so-lieu.json", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/quan-tri/cong-khai/so-lieu.csv").get_data(as_text=True).startswith("ma_xa,ten,dang_ky")


def test_assisted_registration_is_recorded_as_such(app, client, contest):
    build_scenario(app, contest)
    staff_login(client, "xa-a")
    token = csrf_token(client.get("/quan-tri/dang-ky-ho"))
    response = client.post("/quan-tri/dang-ky-ho", data={
        "csrf_token": token, "full_name": "Bà Lê Thị Tư", "birth_date": "01/02/1950", "phone": "0911222333",
        "commune_code": COMMUNE_B, "password": "matkhau123", "consent": "y"})  # "matkhau1" is too common now
    html = response.get_data(as_text=True)
    assert "Đã đăng ký hộ thành công" in html
    assert "Phiếu đăng nhập" in html and "Bà Lê Thị Tư" in html and "0911222333" not in html  # a slip, masked phone
    page = client.get("/quan-tri/dang-ky-ho").get_data(as_text=True)
    assert "Thông báo về xử lý dữ liệu cá nhân" in page  # read aloud from the page itself
    assert "Người dân đã nghe thông báo trên và đồng ý" in page and "của tôi theo thông báo" not in page
    with app.app_context():
        citizen = db.session.scalar(select(Citizen).where(Citizen.phone == "0911222333"))
        helper = db.session.scalar(select(StaffUser).where(StaffUser.username == "xa-a"))
        consent = db.session.scalar(select(Consent).where(Consent.citizen_id == citizen.id))
        assert citizen.commune_code == COMMUNE_A and citizen.registered_by_id == helper.id
        assert (consent.method, consent.helper_id) == ("assisted", helper.id)


def test_password_reset_for_own_commune(app, client, contest):
    scenario = build_scenario(app, contest)
    staff_login(client, "xa-a")
    token = csrf_token(client.get("/quan-tri/nguoi-du-thi"))
    html = client.post(f"/quan-tri/nguoi-du-thi/{scenario.citizen_a}/dat-lai-mat-khau",
                       data={"csrf_token": token}).get_data(as_text=True)
    password = re.search(r'<p class="secret">(\w+)</p>', html).group(1)
    with app.app_context():
        assert db.session.get(Citizen, scenario.citizen_a).check_password(password)
        assert db.session.scalar(select(AuditEvent.action)) == "reset_citizen_password"


def test_commune_dashboard_shows_rank_distribution_and_topics(app, client, contest):
    build_scenario(app, contest)
    staff_login(client, "xa-b")
    html = client.get("/quan-tri/xa-phuong").get_data(as_text=True)
    assert "Xã An Thành" in html and "Tỷ lệ trả lời đúng theo chủ đề" in html
    data = client.get("/quan-tri/xa-phuong.json").json
    assert data["figures"]["code"] == COMMUNE_B and data["of"] == 114 and data["rank"] in (1, 2)


def test_cli_creates_commune_admins_and_their_credentials(app, tmp_path):
    out = tmp_path / "tai-khoan.xlsx"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["admins", "create-commune-admins", "--out", str(out)])
    assert "Đã tạo 114 tài khoản" in result.output
    rows = list(openpyxl.load_workbook(out).active.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 114 and all(isinstance(r[0], str) and len(r[3]) == 12 for r in rows)
    again = runner.invoke(args=["admins", "create-commune-admins", "--out", str(tmp_path / "b.xlsx")])
    assert "Đã tạo 0 tài khoản" in again.output
    with app.app_context():
        staff = db.session.scalar(select(StaffUser).where(StaffUser.username == f"xa{COMMUNE_A}"))
        assert staff.must_change_password and staff.check_password(rows[0][3]) == (rows[0][0] == COMMUNE_A)


def test_population_import_feeds_the_80_percent_target(app, client, contest, tmp_path):
    scenario = organizer(app, client, contest)
    csv_file = tmp_path / "dan-so.csv"
    csv_file.write_text(f"ma_xa,dan_so\n{COMMUNE_A},4\n{COMMUNE_B},1.000\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["communes", "import-population", str(csv_file)])
    assert "cho 2 xã" in result.output
    rows = {r["code"]: r for r in client.get(f"/quan-tri/tong-quan.json?round={scenario.round_id}").json["rows"]}
    assert rows[COMMUNE_A]["population_share"] == 0.25 and rows[COMMUNE_B]["population_share"] == 0.001
    bad = tmp_path / "bad.csv"
    bad.write_text("99999,10\n", encoding="utf-8")
    assert app.test_cli_runner().invoke(args=["communes", "import-population", str(bad)]).exit_code == 1


def test_cli_creates_an_organizer_once(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["admins", "create-organizer", "bantochuc2", "--password", "tam-thoi-123"])
    assert result.exit_code == 0 and "Đã tạo tài khoản Ban Tổ chức bantochuc2" in result.output
    with app.app_context():
        staff = db.session.scalar(select(StaffUser).where(StaffUser.username == "bantochuc2"))
        assert staff.is_organizer and staff.must_change_password and staff.check_password("tam-thoi-123")
    again = runner.invoke(args=["admins", "create-organizer", "bantochuc2", "--password", "khac-123456"])
    assert again.exit_code == 1 and "đã tồn tại" in again.output


def _sheet_xml(body: bytes, number: int) -> str:
    import zipfile
    return zipfile.ZipFile(io.BytesIO(body)).read(f"xl/worksheets/sheet{number}.xml").decode()


def test_appendix_prints_as_an_office_signs_it(app, client, contest):
    """A4 landscape, one page wide, the header row on every page, page numbers, a place for signatures;
    the table itself keeps its rows (title, headers, 114 communes, total) for whoever reads it by program."""
    scenario = organizer(app, client, contest)
    body = client.get(f"/quan-tri/bao-cao/phu-luc.xlsx?round={scenario.round_id}").data
    xml = _sheet_xml(body, 1)
    setup = re.search(r"<pageSetup[^>]*>", xml).group(0)
    assert all(a in setup for a in ('paperSize="9"', 'orientation="landscape"', 'fitToHeight="0"')), setup
    assert 'fitToPage="1"' in xml and "&amp;P" in xml  # fit to width; "Trang &P/&N" in the footer
    book = openpyxl.load_workbook(io.BytesIO(body))
    sheet = book["Phụ lục"]
    assert sheet.print_title_rows == "$1:$2"
    below = [c for row in sheet.iter_rows(min_row=118, values_only=True) for c in row if c]
    assert "NGƯỜI LẬP BIỂU" in below and "THỦ TRƯỞNG ĐƠN VỊ" in below
    assert any("ngày" in c and "tháng" in c and "năm" in c for c in below if isinstance(c, str))
    assert all(row[0] is None for row in sheet.iter_rows(min_row=118, values_only=True))
    daily = book["Theo ngày"]
    assert daily.freeze_panes == "A2" and "tính đến" in _sheet_xml(body, 2)  # the cut-off in its printed header


def test_appendix_csv_rates_are_rounded(app, client, contest):
    scenario = organizer(app, client, contest)
    with app.app_context():
        make_citizen(COMMUNE_A)  # 1 of 2 completed, and a rate of a third in the total
        make_citizen(COMMUNE_B)
    text = client.get(f"/quan-tri/bao-cao/phu-luc.csv?round={scenario.round_id}").get_data(as_text=True)
    assert not re.search(r"\d\.\d{5,}", text), text[-300:]


def test_participant_export_has_numbers_as_numbers_and_a_readable_header(app, client, contest):
    scenario = organizer(app, client, contest)
    token = csrf_token(client.get("/quan-tri/bao-cao"))
    response = client.post(f"/quan-tri/bao-cao/nguoi-du-thi.xlsx?round={scenario.round_id}",
                           data={"csrf_token": token, "reason": "Trao giải tuần 1"})
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = book.active
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    scores = [row[7] for row in sheet.iter_rows(min_row=2, values_only=True) if row[7] is not None]
    assert scores and all(isinstance(s, int) for s in scores)
    assert all(isinstance(row[0], int) for row in sheet.iter_rows(min_row=2, values_only=True))
    assert all(isinstance(row[2], str) and row[2].startswith("0") for row in sheet.iter_rows(min_row=2, values_only=True))


def test_assisted_registration_errors_speak_to_the_helper_and_are_summed_up(app, client, contest):
    """Walk-through: no error summary (the consent error sat 4,300 px down, under the open notice), the duplicate
    phone error spoke to the citizen, the password was typed blind (no forms.js on staff pages)."""
    build_scenario(app, contest)
    staff_login(client, "xa-a")
    page = client.get("/quan-tri/dang-ky-ho").get_data(as_text=True)
    assert "js/forms.js" in page and "gõ liền" in page
    token = csrf_token(client.get("/quan-tri/dang-ky-ho"))
    html = client.post("/quan-tri/dang-ky-ho", data={
        "csrf_token": token, "full_name": "Ông Phạm Văn Năm", "birth_date": "01/02/1950", "phone": "0912000111",
        "commune_code": COMMUNE_A, "password": "matkhau-rat-tot-1"}).get_data(as_text=True)  # consent not ticked
    assert 'id="error-summary"' in html and "Vui lòng đăng nhập bằng số này" not in html
    assert "đã có tài khoản" in html and 'href="#consent"' in html
    assert '<details class="notice" open>' not in html  # after a submit the notice no longer hides the errors


def test_assisted_registration_shows_every_mistake_in_one_submit(app, client, contest):
    """Re-walk: a bad date, a registered phone and no consent took three submits (the contest's rules were
    checked only once the form's own checks passed)."""
    build_scenario(app, contest)
    staff_login(client, "xa-a")
    token = csrf_token(client.get("/quan-tri/dang-ky-ho"))
    html = client.post("/quan-tri/dang-ky-ho", data={
        "csrf_token": token, "full_name": "Ông Phạm Văn Năm", "birth_date": "1/1/58", "phone": "0912000111",
        "commune_code": COMMUNE_A, "password": "matkhau-rat-tot-1"}).get_data(as_text=True)
    summary = html.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#birth_date"' in summary and 'href="#consent"' in summary and "đã có tài khoản" in summary
