"""Question import (xlsx, CSV, Aiken, GIFT) as a dry run then all or nothing; export and round trip."""
import csv
import io
import json
import re
import threading
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from quiz.infra.extensions import db
from quiz.infra.text import search_key
from quiz.models import AuditEvent, Question, Topic
from quiz.questions.bank import SAMPLE_BANK
from quiz.questions.editing import (
    QuestionDraft,
    QuestionError,
    create_question,
    save_topic,
)
from quiz.questions.transfer import (
    apply_import,
    export_gift,
    export_xlsx,
    preview_import,
    selected_questions,
)
from tests.conftest import csrf_token, make_staff, staff_login

DATA = Path(__file__).parent / "data"
BANK = json.loads(SAMPLE_BANK.read_text(encoding="utf-8"))["questions"]


def count() -> int:
    return db.session.scalar(select(func.count(Question.id)))


def table_bytes(rows: list[list], fmt: str) -> bytes:
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        return out.getvalue().encode("utf-8-sig")
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


HEADER = ["chu_de", "do_kho", "cau_hoi", "dap_an_1", "dap_an_2", "dap_an_3", "dap_an_4", "dap_an_5", "dap_an_6",
          "dap_an_dung", "giai_thich"]
GOOD = ["Nhận diện lừa đảo trực tuyến", "2", "Câu hỏi nhập từ bảng?", "Một", "Hai", "Ba", "", "", "", "2", "Vì hai."]
MULTI = ["mat-khau", "1", "Chọn các cách bảo vệ tài khoản?", "2FA", "Mật khẩu dài", "Chia sẻ OTP", "", "", "", "1,2", ""]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_table_import_good_rows(ctx, contest, fmt):
    before = count()
    preview = preview_import(table_bytes([HEADER, GOOD, MULTI], fmt), fmt)
    assert (preview.new_count, preview.duplicates, preview.errors) == (2, [], [])
    assert apply_import(preview, None, f"test.{fmt}") == 2
    assert count() == before + 2
    multi = db.session.scalar(select(Question).where(Question.multiple.is_(True)).order_by(Question.id.desc()))
    assert multi.current_version.correct == [0, 1] and multi.current_version.is_multiple
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import_questions"))
    assert event.changes["count"] == 2 and len(event.target_ids) == 2


def test_xlsx_numbers_and_letters_as_typed_in_excel(ctx, contest):
    # Excel stores 2 as a number and turns "1,3" into 1.3 under a Vietnamese locale; letters are accepted too.
    rows = [HEADER + ["loai"], ["lua-dao", 3, "Câu số học?", "A", "B", "C", "", "", "", 1.3, "", "nhiều"],
            ["lua-dao", 1.0, "Câu chữ cái?", "X", "Y", "", "", "", "", "b", "", ""],
            ["lua-dao", 1, "Câu nhiều đáp án chỉ một đúng?", "X", "Y", "", "", "", "", 2, "", "Nhiều"]]
    preview = preview_import(table_bytes(rows, "xlsx"), "xlsx")
    assert not preview.errors
    drafts = [d for _, d in preview.drafts]
    assert [(d.correct, d.difficulty, d.multiple) for d in drafts] == [([0, 2], 3, True), ([1], 1, False),
                                                                         ([1], 1, True)]


def test_csv_with_semicolons_as_excel_saves_it_in_vietnamese(ctx, contest):
    preview = preview_import((DATA / "good.csv").read_bytes(), "csv")
    assert not preview.errors and preview.new_count == 3
    first, second, third = [d for _, d in preview.drafts]
    assert first.text == "Tin nhắn báo trúng thưởng; yêu cầu nộp phí trước là gì?" and first.correct == [0]
    assert second.correct == [0, 1] and second.multiple and third.difficulty == 3


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("row, message", [
    (GOOD[:3] + ["Một", "", "", "", "", "", "1", ""], "từ 2 đến 6 phương án"),
    (GOOD[:3] + ["Một", "", "Ba", "", "", "", "1", ""], "Không được để trống phương án"),
    (GOOD[:3] + ["Một", "một", "", "", "", "", "1", ""], "trùng nhau"),
    (GOOD[:2] + ["x" * 501] + GOOD[3:], "dài quá 500"),
    (GOOD[:2] + [""] + GOOD[3:], "nhập nội dung câu hỏi"),
    (GOOD[:9] + ["5", ""], "Đáp án đúng số 5 không có"),
    (GOOD[:9] + ["", ""], "ít nhất một đáp án đúng"),
    (GOOD[:9] + ["hai", ""], "số thứ tự phương án"),
    (GOOD[:9] + ["1,2", "", "một"], "đúng một đáp án đúng"),
    (GOOD[:9] + ["1", "", "vài"], "Cột loai"),
    ([GOOD[0], "4", *GOOD[2:]], "do_kho"),
    (["Chủ đề không có", *GOOD[1:]], "“Chủ đề không có” không có trong ngân hàng"),
])
def test_table_import_errors_name_the_row_and_change_nothing(ctx, contest, fmt, row, message):
    before = count()
    preview = preview_import(table_bytes([HEADER + ["loai"], GOOD, row], fmt), fmt)
    assert preview.errors and preview.errors[0][0] == 3 and message in preview.errors[0][1], preview.errors
    assert preview.new_count == 1  # the good row is previewed ...
    with pytest.raises(QuestionError):
        apply_import(preview, None, "bad")
    assert count() == before  # ... but nothing is imported


def test_duplicates_of_the_bank_and_of_the_file_are_reported_not_imported(ctx, contest):
    """The same text with the same choices (in any order, any case or accents) and the same right answers."""
    existing = db.session.scalar(select(Question).order_by(Question.id)).current_version
    choices = [c.upper() for c in reversed(existing.choices)] + [""] * (6 - len(existing.choices))
    right = ",".join(str(len(existing.choices) - i) for i in existing.correct)
    row = ["vneid", "1", existing.text.upper().replace("Đ", "D"), *choices, right, ""]
    preview = preview_import(table_bytes([HEADER, row, GOOD, GOOD], "csv"), "csv")
    assert preview.duplicates == [(2, None), (4, 3)] and preview.new_count == 1


@pytest.mark.parametrize("content, fmt, message", [
    (table_bytes([["cau_hoi", "x"], ["a", "b"]], "csv"), "csv", "Thiếu cột bắt buộc: dap_an_1, dap_an_2, dap_an_dung"),
    (b"PK\x03\x04 not really a workbook", "xlsx", "Không đọc được tệp"),
    ("cau_hoi,dap_an_1".encode("utf-16"), "csv", "Không đọc được tệp"),
    (b"\n\n", "aiken", "Không tìm thấy câu hỏi nào"),
])
def test_unreadable_or_empty_files(ctx, contest, content, fmt, message):
    preview = preview_import(content, fmt)
    assert preview.errors and message in preview.errors[0][1] and not preview.drafts


def test_aiken_import(ctx, contest):
    topic = db.session.scalar(select(Topic).where(Topic.slug == "lua-dao"))
    preview = preview_import((DATA / "good.aiken").read_bytes(), "aiken", topic.id)
    assert preview.new_count == 2 and not preview.errors
    assert [d.correct for _, d in preview.drafts] == [[0], [1]]
    assert preview_import((DATA / "good.aiken").read_bytes(), "aiken").errors[0][1].startswith("Chủ đề")


def test_aiken_errors_each_with_its_line(ctx, contest):
    topic = db.session.scalar(select(Topic).where(Topic.slug == "lua-dao"))
    bad = preview_import((DATA / "bad.aiken").read_bytes(), "aiken", topic.id)
    # Moodle's reading: a question is one line; "Dòng lạ" starts a new question whose first choice is "B."
    assert [line for line, _ in bad.errors] == [1, 13, 15, 18, 23] and bad.new_count == 1
    messages = dict(bad.errors)
    assert "chưa có dòng “ANSWER: …” trước dòng 5" in messages[1]
    assert "A đến B" in messages[13] and "trước dòng 17" in messages[15]
    assert "không đúng thứ tự" in messages[18] and "ít nhất 2 phương án" in messages[23]


def test_gift_import_with_weights_and_categories(ctx, contest):
    preview = preview_import((DATA / "good.gift").read_bytes(), "gift")
    assert not preview.errors and preview.new_count == 2
    single, multi = [d for _, d in preview.drafts]
    assert single.correct == [0] and single.explanation == "Công an làm việc bằng giấy mời trực tiếp."
    assert multi.multiple and multi.correct == [0, 1] and multi.text == "Dấu hiệu lừa đảo: chọn tất cả đáp án đúng"
    assert db.session.get(Topic, single.topic_id).name == "Nhận diện lừa đảo trực tuyến"


def test_gift_errors_each_with_its_line(ctx, contest):
    bad = preview_import((DATA / "bad.gift").read_bytes(), "gift")
    lines = dict(bad.errors)
    assert sorted(lines) == [5, 7, 11, 13, 16] and bad.new_count == 2  # {T} is Moodle's true/false: Đúng/Sai
    assert "dấu { }" in lines[5] and "trả lời ngắn" in lines[7]
    assert "điểm từng phần" in lines[11] and "trùng nhau" in lines[13] and "$CATEGORY" in lines[16]


def _bank_snapshot() -> list[tuple]:
    return sorted((q.topic_id, q.difficulty, q.current_version.text, tuple(q.current_version.choices),
                   tuple(q.current_version.correct), q.current_version.explanation, q.current_version.is_multiple)
                  for q in selected_questions())


@pytest.mark.parametrize("fmt", ["xlsx", "gift"])
def test_export_then_import_gives_the_same_bank(ctx, contest, fmt):
    staff = make_staff()
    topic = save_topic("An toàn/bảo mật: {cơ bản}", staff.id)
    tricky = QuestionDraft(topic_id=topic.id, text="=1+1 là gì? Dấu {ngoặc}, #thẻ, ~ngã và a:b", difficulty=3,
                           choices=["-2", "@two", "= hai", "C:\\new"], correct=[2], explanation="+ vì 1+1=2",
                           multiple=True)  # "choose all that apply" with a single right answer
    create_question(tricky, staff.id)
    snapshot = _bank_snapshot()
    questions = selected_questions()
    exported = export_xlsx(questions) if fmt == "xlsx" else export_gift(questions).encode()
    db.session.execute(Question.__table__.update().values(current_version_id=None))
    for table in ("question_versions", "questions"):
        db.session.execute(db.metadata.tables[table].delete())
    db.session.commit()
    db.session.expunge_all()  # the rows went away behind the ORM's back
    preview = preview_import(exported, fmt)
    assert not preview.errors and preview.new_count == len(questions)
    apply_import(preview, None, "round trip")
    assert _bank_snapshot() == snapshot


def test_import_pages_preview_then_confirm(app, client, contest):
    with app.app_context():
        make_staff()
    staff_login(client)
    token = csrf_token(client.get("/quan-tri/cau-hoi/nhap"))

    def upload(name: str) -> str:
        data = {"csrf_token": token, "file": (io.BytesIO((DATA / name).read_bytes()), name)}
        return client.post("/quan-tri/cau-hoi/nhap", data=data, content_type="multipart/form-data").get_data(as_text=True)

    waiting = Path(app.instance_path) / "imports"
    before_files = set(waiting.glob("*")) if waiting.exists() else set()
    html = upload("bad.gift")
    assert "Dòng 5:" in html and "Xác nhận nhập" not in html
    assert (set(waiting.glob("*")) if waiting.exists() else set()) == before_files  # nothing kept for a bad file
    html = upload("good.gift")
    assert "2 câu hỏi mới" in html
    hidden = dict(re.findall(r'name="(token|format|topic_id|filename)" value="([^"]*)"', html))
    assert len(list((Path(app.instance_path) / "imports").glob(f"{hidden['token']}.*"))) == 1  # kept server-side
    with app.app_context():
        before = count()
    response = client.post("/quan-tri/cau-hoi/nhap/xac-nhan", data={"csrf_token": token, **hidden})
    assert response.status_code == 302
    with app.app_context():
        assert count() == before + 2
    assert not list((Path(app.instance_path) / "imports").glob(f"{hidden['token']}.*"))
    again = client.post("/quan-tri/cau-hoi/nhap/xac-nhan", data={"csrf_token": token, **hidden}, follow_redirects=True)
    assert "hết hạn" in again.get_data(as_text=True)
    for fmt in ("xlsx", "csv"):  # the downloadable templates import as they are: two questions, no error
        template = client.get(f"/quan-tri/cau-hoi/mau-nhap.{fmt}")
        with app.app_context():
            preview = preview_import(template.data, fmt)
            assert (preview.new_count, preview.errors) == (2, [])
            assert [d.multiple for _, d in preview.drafts] == [False, True]


def test_export_of_a_filter(app, client, contest):
    with app.app_context():
        make_staff()
    staff_login(client)
    gift = client.get("/quan-tri/cau-hoi/xuat.gift?loc=1&multiple=1").get_data(as_text=True)
    assert gift.count("::Q") == sum(len(q["correct"]) > 1 for q in BANK) and "=" not in re.sub(r"\\=", "", gift.split("{", 1)[1].split("}", 1)[0])
    book = openpyxl.load_workbook(io.BytesIO(client.get("/quan-tri/cau-hoi/xuat.xlsx").data))
    assert book.active.max_row == len(BANK) + 1


def test_cli_import_and_export(app, contest, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["questions", "import", str(DATA / "bad.gift")])
    assert result.exit_code == 1 and "5 lỗi" in result.output
    dry = runner.invoke(args=["questions", "import", "--dry-run", str(DATA / "good.gift")])
    assert "2 câu mới" in dry.output and "Đã nhập" not in dry.output
    assert "Đã nhập 2 câu hỏi" in runner.invoke(args=["questions", "import", str(DATA / "good.gift")]).output
    out = tmp_path / "bank.gift"
    assert f"Đã xuất {len(BANK) + 2} câu hỏi" in runner.invoke(args=["questions", "export", str(out)]).output
    assert out.read_text(encoding="utf-8").count("::Q") == len(BANK) + 2
    aiken = tmp_path / "lua-dao.txt"
    assert "Đã xuất" in runner.invoke(args=["questions", "export", "--topic", "lua-dao", str(aiken)]).output
    assert "ANSWER: " in aiken.read_text(encoding="utf-8")


def test_a_confirm_sent_several_times_at_once_imports_once(app, contest):
    """A double click (or a replay) of "Xác nhận nhập": each request used to check the waiting file, import it,
    and only then delete it, so parallel ones all imported (three copies of one question, outside review)."""
    with app.app_context():
        make_staff()
    clients = [app.test_client() for _ in range(6)]
    for client in clients:
        staff_login(client)
    tokens = [csrf_token(client.get("/quan-tri/cau-hoi/nhap")) for client in clients]
    token = tokens[0]
    text = "Câu hỏi nhập một lần duy nhất?"
    csv_file = f"chu_de,cau_hoi,dap_an_1,dap_an_2,dap_an_dung\nMật khẩu và xác thực hai lớp,{text},Có,Không,1\n".encode()
    html = clients[0].post("/quan-tri/cau-hoi/nhap", data={"csrf_token": token, "format": "csv", "topic_id": "",
                                                         "file": (io.BytesIO(csv_file), "mot.csv")},
                           content_type="multipart/form-data").get_data(as_text=True)
    hidden = dict(re.findall(r'name="(token|format|topic_id|filename)" value="([^"]*)"', html))
    assert hidden.get("token"), html
    start, statuses = threading.Barrier(len(clients)), []

    def confirm(client, csrf: str) -> None:  # type: ignore[no-untyped-def]
        start.wait()
        statuses.append(client.post("/quan-tri/cau-hoi/nhap/xac-nhan", data={"csrf_token": csrf, **hidden}).status_code)

    threads = [threading.Thread(target=confirm, args=pair) for pair in zip(clients, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert statuses == [302] * len(clients)
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Question).where(Question.text_key == search_key(text)))
    assert stored == 1


@pytest.mark.parametrize("answer, number", [("1,7", "7"), ("0", "0"), ("4", "4")])
def test_an_answer_number_beyond_the_choices_says_which_and_how_many(ctx, contest, answer, number):
    row = ["vneid", "1", "Câu có ba phương án?", "Một", "Hai", "Ba", "", "", "", answer, ""]
    preview = preview_import(table_bytes([HEADER, row], "csv"), "csv")
    message = dict(preview.errors)[2]
    assert f"số {number}" in message and "3 phương án" in message, message


def test_a_formula_without_its_result_is_an_error_naming_the_cell(ctx, contest):
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.active.append(["vneid", "1", "Hai nhân hai?", "3", "=2*2", "5", "", "", "", "2", ""])  # no cached value
    buffer = io.BytesIO()
    book.save(buffer)
    preview = preview_import(buffer.getvalue(), "xlsx")
    assert not preview.drafts and "E2" in dict(preview.errors)[2], preview.errors


def test_true_and_false_cells_read_as_excel_shows_them_with_a_note(ctx, contest):
    row = ["vneid", "1", "Giá trị logic?", True, False, "", "", "", "", "1", ""]
    preview = preview_import(table_bytes([HEADER, row], "xlsx"), "xlsx")
    assert preview.drafts[0][1].choices == ["TRUE", "FALSE"]
    assert any("D2" in message for _, message in preview.warnings)


@pytest.mark.parametrize("content, fmt", [(b"PK\x03\x04 not really a workbook", "xlsx"),
                                          ("cau_hoi,dap_an_1".encode("utf-16"), "csv"),
                                          (b"\xff\xfe\x00garbage", "aiken")])
def test_unreadable_files_are_told_without_python_names(ctx, contest, content, fmt):
    message = preview_import(content, fmt).errors[0][1]
    assert "Error" not in message and "Exception" not in message, message


def test_a_formula_whose_saved_result_is_empty_text_is_not_taken_for_an_unsaved_one():
    from quiz.questions.sheet import _uncached_formulas
    excel = b'<row r="2"><c r="E2" t="str"><f>IF(A1="","","x")</f><v></v></c></row>'  # Excel's record of ""
    program = b'<row r="2"><c r="E2"><f>2*2</f><v /></c></row>'  # openpyxl: no result saved
    assert _uncached_formulas(excel, 10, 10) == {} and 2 in _uncached_formulas(program, 10, 10)


def test_an_old_xls_file_is_told_to_be_saved_as_xlsx(ctx, contest):
    from quiz.questions.transfer import detect_format
    content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200  # the OLE header of an Excel 97-2003 file
    assert ".xlsx" in preview_import(content, detect_format("cau-hoi.xls", content)).errors[0][1]
