"""The eleven root causes of server errors found by the outside review, one test each, plus the edge rules."""
import io
import re
import time
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import AuditEvent, DataRequest, Setting
from quiz.privacy.anonymise import apply_retention, retention_days
from quiz.questions.transfer import MAX_IMPORT_ROWS, preview_import
from tests.admin_helpers import build_scenario
from tests.conftest import csrf_token, staff_login
from tests.test_citizen_flow import login, start


@pytest.fixture
def scenario(app, contest):
    return build_scenario(app, contest)


@pytest.fixture
def organizer(app, scenario):
    client = app.test_client()
    staff_login(client)
    return client


@pytest.fixture
def citizen(app, scenario):
    client = app.test_client()
    login(client, scenario.phone_a)
    return client


def token_of(client, path="/thi") -> str:
    return csrf_token(client.get(path))


@pytest.mark.parametrize("path", ["/quan-tri/cong-khai/so-lieu.json?round=2147483648",
                                  "/quan-tri/cong-khai/so-lieu.csv?round=99999999999999999999",
                                  "/quan-tri/cong-khai/so-lieu.json?round=²"])
def test_huge_or_unicode_integers_in_a_query_are_no_server_error(client, scenario, path):
    assert client.get(path).status_code == 200  # an unusable round number means "the open round"


@pytest.mark.parametrize("value", ["99999999999999999999", "2147483648", "-1", "²"])
def test_a_huge_round_number_on_the_organizer_pages_is_no_server_error(organizer, scenario, value):
    assert organizer.get(f"/quan-tri/lan-toa?dot={value}").status_code == 200  # unusable: every round


def test_no_query_or_form_integer_is_read_without_its_bounds():
    """`type=int` lets 10**20 through to the database (an OverflowError on SQLite, a DataError on PostgreSQL)."""
    root = Path(__file__).resolve().parent.parent
    unbounded = [f"{path.relative_to(root)}:{number}" for folder in ("quiz", "admin") for path in (root / folder).rglob("*.py")
                 for number, line in enumerate(path.read_text().splitlines(), 1)
                 if re.search(r"request\.(args|form|values)\.get\([^)]*type=int\b", line)]
    assert unbounded == [], "use type=db_id (or bounded_int) from quiz.infra.converters"


@pytest.mark.parametrize("path", ["/thi/2147483648", "/ket-qua/99999999999999999999", "/thi/²", "/ket-qua/١٢"])
def test_huge_or_unicode_integers_in_a_url_do_not_match(citizen, path):
    assert citizen.get(path).status_code == 404


def test_an_attempt_position_beyond_the_column_is_refused(citizen):
    attempt_id, token = start(citizen), token_of(citizen)
    for payload in ({"position": 32768, "choices": [0]}, {"position": 0, "choices": [2**40]},
                    {"position": "²", "choices": []}, {"position": True, "choices": []}, [1, 2]):
        response = citizen.post(f"/thi/{attempt_id}/tra-loi", json=payload, headers={"X-CSRFToken": token})
        assert response.status_code == 400, payload


@pytest.mark.parametrize("body", ['{"position": Infinity, "choices": []}', '{"position": 1e400, "choices": []}',
                                  "[" * 3000 + "]" * 3000, '{"position": 0, "choices": [NaN]}'])
def test_json_infinity_and_deep_nesting_are_refused(citizen, body):
    attempt_id, token = start(citizen), token_of(citizen)
    response = citizen.post(f"/thi/{attempt_id}/tra-loi", data=body, content_type="application/json",
                            headers={"X-CSRFToken": token})
    assert response.status_code == 400


def test_digits_that_are_not_numbers_in_a_submit(citizen):
    attempt_id, token = start(citizen), token_of(citizen)
    response = citizen.post(f"/thi/{attempt_id}/nop", data={"csrf_token": token, "q1": ["²", "9" * 5000],
                                                            "q²": "1", "prediction": "9" * 5000})
    assert response.status_code == 302


def test_a_prediction_beyond_the_column_is_no_server_error(citizen):
    attempt_id, token = start(citizen), token_of(citizen)
    response = citizen.post(f"/thi/{attempt_id}/nop", data={"csrf_token": token, "prediction": str(2**40)})
    assert response.status_code == 302


@pytest.mark.parametrize("path", ["/dang-nhap", "/dang-ky", "/quan-tri/dang-nhap"])
@pytest.mark.parametrize("body", [[1, 2], {"phone": ["0912"], "password": {"x": 1}}, {"username": 5, "password": None},
                                  "just a string", {"full_name": ["a", 3], "birth_date": 1}])
def test_json_that_is_not_an_object_of_strings_on_the_forms(app, contest, path, body):
    client = app.test_client()
    token = csrf_token(client.get(path))
    response = client.post(path, json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 200  # the form again, with its errors


@pytest.mark.parametrize("typed", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_year_one_and_year_9999_dates(organizer, scenario, typed):
    token = token_of(organizer, "/quan-tri/dot-thi/moi")
    response = organizer.post("/quan-tri/dot-thi/moi", data={"csrf_token": token, "name": "Đợt lạ", "opens_at": typed,
                                                          "closes_at": "2026-12-31T10:00"})
    assert response.status_code == 200 and "2100" in response.get_data(as_text=True)  # the sane range of years
    assert organizer.get(f"/quan-tri/bao-cao/phu-luc.csv?den={typed}").status_code == 400


def test_retention_is_bounded_and_a_stored_overflow_does_not_stop_the_cron(app, organizer, scenario):
    token = token_of(organizer, "/quan-tri/yeu-cau-du-lieu")
    response = organizer.post("/quan-tri/yeu-cau-du-lieu", data={"csrf_token": token, "action": "retention",
                                                                "days": "99999999"}, follow_redirects=True)
    assert "từ 1 đến 3.650 ngày" in response.get_data(as_text=True)
    with app.app_context():
        assert retention_days() == 180
        db.session.add(Setting(key="retention_days_after_last_round", value="9999999999"))
        db.session.commit()
        assert retention_days() == 3650
        assert apply_retention(utcnow()) == 0


def test_a_missing_topic_is_no_server_error(organizer, scenario):
    token = token_of(organizer, "/quan-tri/chu-de")
    for data in ({"action": "retire"}, {"action": "retire", "topic_id": "2147483647"}, {"topic_id": "2147483647", "name": "Mới"}):
        assert organizer.post("/quan-tri/chu-de", data={"csrf_token": token, **data}).status_code == 302
    response = organizer.post("/quan-tri/cau-hoi/moi", data={"csrf_token": token, "topic_id": "2147483647", "text": "Câu?",
                                                            "choice0": "a", "choice1": "b", "correct": "0"})
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["next=/quan-tri/%0d%0aSet-Cookie:%20x=1", "next=/quan-tri/%0aX", "next=%00"])
def test_cr_lf_in_next_is_refused(app, scenario, query):
    client = app.test_client()
    assert client.get(f"/quan-tri/dang-nhap?{query}").status_code == 400
    token = csrf_token(client.get("/quan-tri/dang-nhap"))
    response = client.post(f"/quan-tri/dang-nhap?{query}", data={"csrf_token": token, "username": "bantochuc",
                                                                 "password": "matkhau-quan-tri"})
    assert response.status_code == 400


def test_an_over_long_import_token_is_refused(organizer, scenario):
    token = token_of(organizer, "/quan-tri/cau-hoi/nhap")
    response = organizer.post("/quan-tri/cau-hoi/nhap/xac-nhan", data={"csrf_token": token, "format": "csv",
                                                                      "token": "a" * 5000})
    assert response.status_code == 400


@pytest.mark.parametrize("value", ["Tôi phản đối\x00", "\x1b[31m", "a\x7f"])
def test_nul_and_control_characters_in_free_text_are_refused_at_the_edge(citizen, value):
    token = token_of(citizen, "/du-lieu-cua-toi")
    response = citizen.post("/du-lieu-cua-toi/phan-doi", data={"csrf_token": token, "detail": value})
    assert response.status_code == 400
    assert citizen.get("/quan-tri/cau-hoi", query_string={"q": "\x00"}).status_code == 400


def test_line_breaks_in_form_text_are_kept(citizen, app):
    token = token_of(citizen, "/du-lieu-cua-toi")
    response = citizen.post("/du-lieu-cua-toi/phan-doi", data={"csrf_token": token, "detail": "Dòng một\r\nDòng hai"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(DataRequest.kind)) == "objection"


def test_body_size_small_everywhere_but_imports(app, organizer, scenario):
    client = app.test_client()
    assert client.post("/dang-nhap", data={"phone": "x" * 300_000}).status_code == 413
    token = token_of(organizer, "/quan-tri/cau-hoi/nhap")
    big_csv = ("cau_hoi,dap_an_1,dap_an_2,dap_an_dung\n" + "x,y,z,1\n" * 45_000).encode()  # 360 KB: over the small limit
    response = organizer.post("/quan-tri/cau-hoi/nhap", data={"csrf_token": token, "format": "csv",
                                                             "file": (io.BytesIO(big_csv), "big.csv")})
    assert response.status_code == 200
    assert app.config["MAX_CONTENT_LENGTH"] <= 6 * 1024 * 1024


def _xlsx_with_dimension(ref: str, rows: int = 2) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["cau_hoi", "dap_an_1", "dap_an_2", "dap_an_dung"])
    for n in range(rows - 1):
        sheet.append([f"Câu hỏi số {n}?", "Có", "Không", "1"])
    sheet["A1000"] = " "  # a far cell: read-only openpyxl pads every row in between to the declared width
    return _with_sheet_xml(book, lambda xml: re.sub(rb'<dimension ref="[^"]+"', f'<dimension ref="{ref}"'.encode(), xml))


def _with_sheet_xml(book: openpyxl.Workbook, change, part: str = "xl/worksheets/sheet1.xml") -> bytes:  # type: ignore[no-untyped-def]
    """The saved workbook with one part's XML (the first sheet's) passed through `change` (what no spreadsheet
    program writes)."""
    buffer = io.BytesIO()
    book.save(buffer)
    source, out = zipfile.ZipFile(io.BytesIO(buffer.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, change(data) if item.filename == part else data)
    return out.getvalue()


def test_an_xlsx_import_ignores_the_declared_dimension(ctx, contest):
    content = _xlsx_with_dimension("A1:XFD1000")
    assert len(content) < 10_000
    started = time.perf_counter()
    preview = preview_import(content, "xlsx", None)
    assert time.perf_counter() - started < 0.5  # it was 1.1 s here: a 1,000 × 16,384 table of empty cells
    assert preview.errors == [(2, "Chủ đề không có trong ngân hàng (hãy ghi chủ đề hoặc chọn chủ đề mặc định).")]


def test_an_xlsx_import_stops_at_the_row_cap(ctx, contest):
    preview = preview_import(_xlsx_with_dimension("A1:D2", rows=MAX_IMPORT_ROWS + 10), "xlsx", 1)
    assert any("hơn 5.000 dòng" in message for _, message in preview.errors)
    assert db.session.scalar(select(AuditEvent.id)) is None


def _xlsx_with_rows(rows: int) -> bytes:
    """A real workbook whose sheet holds `rows` one-cell rows: a few kilobytes zipped (an "xlsx bomb")."""
    book = openpyxl.Workbook()
    book.active.append(["cau_hoi", "dap_an_1", "dap_an_2", "dap_an_dung"])
    body = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(2, rows + 2))
    return _with_sheet_xml(book, lambda xml: xml.replace(b"</sheetData>", body + b"</sheetData>"))


def test_a_long_xlsx_is_read_only_up_to_the_row_cap(ctx, contest):
    """150,000 rows in about a megabyte: the whole sheet used to be loaded (about 70 MB) before the cap applied."""
    content = _xlsx_with_rows(150_000)
    assert len(content) < 1_500_000
    tracemalloc.start()
    try:
        preview = preview_import(content, "xlsx", 1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert any("hơn 5.000 dòng" in message for _, message in preview.errors)
    assert peak < 40 * 1024 * 1024, f"{peak / 2**20:.0f} MiB"


def test_an_xlsx_that_unpacks_far_beyond_a_question_bank_is_refused_unread(ctx, contest):
    content = _xlsx_with_rows(600_000)  # 25 MB of sheet once unzipped, from 3 MB
    started = time.perf_counter()
    preview = preview_import(content, "xlsx", 1)
    assert time.perf_counter() - started < 1.0
    assert preview.errors and "quá lớn khi giải nén" in preview.errors[0][1], preview.errors


def test_a_multipart_part_without_a_name_is_no_server_error(client, contest):
    body = b'--x\r\nContent-Disposition: form-data\r\n\r\nabc\r\n--x--\r\n'
    response = client.post("/dang-nhap", data=body, content_type="multipart/form-data; boundary=x")
    assert response.status_code == 400  # CSRF token missing: the edge itself did not fail


def test_invisible_and_direction_characters_never_reach_stored_text(ctx, contest):
    """The edge refuses them in forms, but an import kept a C1 control, U+202E (which reverses what follows)
    and a zero-width space in question text (outside review)."""
    from quiz.infra.text import clean_shown_text
    assert clean_shown_text("An\u202etoàn\u200b mạng\x9f\u2066 và\x85dữ liệu\ufeff") == "Antoàn mạng và dữ liệu"
    csv_file = "chu_de,cau_hoi,dap_an_1,dap_an_2,dap_an_dung\nMật khẩu và xác thực hai lớp,Câu\u202e hỏi\u200b?,Có\x9f,Không,1\n"
    preview = preview_import(csv_file.encode(), "csv", None)
    assert not preview.errors and [(d.text, d.choices) for _, d in preview.drafts] == [("Câu hỏi?", ["Có", "Không"])]


@pytest.mark.parametrize("bomb", ["overlapping merges", "one wide row", "huge styles"])
def test_an_xlsx_built_to_exhaust_the_server_is_refused_unread(ctx, contest, bomb):
    """Within the size bounds, 2,000 copies of one merge over the whole grid took 16 s of copying; a row of a
    million empty cells 650 MB; 4 MB of styles 500 MB (second outside review)."""
    book = openpyxl.Workbook()
    book.active.append(["cau_hoi", "dap_an_1", "dap_an_2", "dap_an_dung"])
    if bomb == "overlapping merges":
        merges = b"<mergeCells>" + b'<mergeCell ref="A1:AD5002"/>' * 2_000 + b"</mergeCells>"
        content = _with_sheet_xml(book, lambda xml: xml.replace(b"</sheetData>", b"</sheetData>" + merges))
    elif bomb == "one wide row":
        content = _with_sheet_xml(book, lambda xml: xml.replace(b"</sheetData>", b'<row r="2">' + b"<c/>" * 1_000_000
                                                                + b"</row></sheetData>"))
    else:
        content = _with_sheet_xml(book, lambda xml: xml.replace(b"</cellXfs>", b'<xf numFmtId="0"/>' * 200_000
                                                                + b"</cellXfs>"), part="xl/styles.xml")
    started = time.perf_counter()
    preview = preview_import(content, "xlsx", 1)
    assert time.perf_counter() - started < 1.5
    assert preview.errors and "quá lớn khi giải nén" in preview.errors[0][1], preview.errors


@pytest.mark.parametrize("host", ["a" * 64, "a..b", ".", "x" * 300 + ".vn"])
@pytest.mark.parametrize("path", ["/healthz", "/", "/thi", "/static/css/app.css", "/khong-co"])
def test_a_host_that_is_no_hostname_is_a_plain_400(app, path, host):
    """Werkzeug refuses the Host while building the URL adapter; the error page then had no url_for (500)."""
    response = app.test_client().get(path, headers={"Host": host})
    assert response.status_code == 400, response.status_code
