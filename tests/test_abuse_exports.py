"""Hostile text in every spreadsheet export and every search box; NFD and NFC spellings of one name."""
import csv
import io
import unicodedata

import openpyxl
import pytest
from sqlalchemy import select

from quiz.infra.extensions import db
from quiz.infra.spreadsheet import FORMULA_STARTS
from quiz.models import Question, QuestionVersion, Round
from tests.admin_helpers import COMMUNE_A, build_scenario, take
from tests.conftest import csrf_token, make_citizen, staff_login

HOSTILE_NAMES = ["=1+1 An", "+Bình Minh", "-Chí Thanh", "@SUM Dũng", "＝Hà Giang", "＋Lan Anh", "－Minh Tú", "＠Nam Hải"]


def _cells_of_xlsx(body: bytes) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(body))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
            for cell in row if isinstance(cell, str)]


def _cells_of_csv(body: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]


@pytest.fixture
def hostile(app, client, contest):
    """Citizens whose names start like formulas (all ranked), a question text that does too; an organizer logged in."""
    scenario = build_scenario(app, contest)
    with app.app_context():
        round_ = db.session.get(Round, contest.id)
        for index, name in enumerate(HOSTILE_NAMES):
            take(round_, make_citizen(COMMUNE_A, full_name=name).id, 10 + index)
        version = db.session.scalar(select(QuestionVersion).join(Question, Question.current_version_id == QuestionVersion.id)
                                    .limit(1))
        version.text = "=HYPERLINK(\"http://x\", \"Bấm vào đây\")"
        db.session.commit()
    staff_login(client, "bantochuc")
    return scenario


def test_every_spreadsheet_export_neutralises_formulas(client, contest, hostile):
    token = csrf_token(client.get("/quan-tri/bao-cao"))
    exports = {
        "participants": _cells_of_xlsx(client.post("/quan-tri/bao-cao/nguoi-du-thi.xlsx",
                                                   data={"csrf_token": token, "reason": "kiểm tra"}).data),
        "ranking": _cells_of_xlsx(client.get(f"/quan-tri/dot-thi/{contest.id}/xep-hang?xuat=xlsx&top=100").data),
        "questions": _cells_of_xlsx(client.get("/quan-tri/cau-hoi/xuat.xlsx").data),
        "appendix.xlsx": _cells_of_xlsx(client.get("/quan-tri/bao-cao/phu-luc.xlsx").data),
        "appendix.csv": _cells_of_csv(client.get("/quan-tri/bao-cao/phu-luc.csv").data),
        "public.csv": _cells_of_csv(client.get("/quan-tri/cong-khai/so-lieu.csv").data),
    }
    for name, cells in exports.items():
        assert cells, f"{name}: empty export"
        assert not [c for c in cells if c.startswith(FORMULA_STARTS)], name
    for name in ("participants", "ranking"):
        assert {"'" + n for n in HOSTILE_NAMES} <= set(exports[name]), name  # kept, only disarmed
    assert "'=HYPERLINK(\"http://x\", \"Bấm vào đây\")" in exports["questions"]


SQL_METACHARACTERS = ["%", "_", "' OR 1=1 --", "\\", "Ánh'); DROP TABLE questions; --", "%' UNION SELECT 1 --"]  # NUL: 400 at the edge


@pytest.mark.parametrize("query", SQL_METACHARACTERS)
def test_sql_metacharacters_in_the_question_search_are_plain_text(app, client, contest, query):
    build_scenario(app, contest)
    staff_login(client, "bantochuc")
    response = client.get("/quan-tri/cau-hoi", query_string={"q": query})
    assert response.status_code == 200
    assert "Không có câu hỏi phù hợp." in response.get_data(as_text=True)
    assert "Không có câu hỏi phù hợp." not in client.get("/quan-tri/cau-hoi").get_data(as_text=True)


@pytest.mark.parametrize("query", ["Phạm Thị Ánh", "pham thi anh", "PHẠM THỊ ÁNH"])
def test_a_name_typed_in_nfd_or_nfc_finds_the_same_person(app, client, contest, query):
    build_scenario(app, contest)
    staff_login(client, "bantochuc")
    token = csrf_token(client.get("/quan-tri/nguoi-du-thi"))
    for form in ("NFC", "NFD"):
        html = client.post("/quan-tri/nguoi-du-thi", data={"q": unicodedata.normalize(form, query),
                                                          "csrf_token": token}).get_data(as_text=True)
        assert "1 người" in html and "Phạm Thị Ánh" in html, form


def test_nfd_and_nfc_registrations_of_one_phone_are_one_person(ctx, contest):
    from quiz.errors import RegistrationError
    make_citizen(phone="0933000111", full_name=unicodedata.normalize("NFC", "Đỗ Thị Hằng"))
    with pytest.raises(RegistrationError):
        make_citizen(phone="+84 933 000 111", full_name=unicodedata.normalize("NFD", "Đỗ Thị Hằng"))
