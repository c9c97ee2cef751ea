"""Question import (xlsx, CSV, Aiken, GIFT) as a dry run then all or nothing; export and round trip."""
import io
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from admin.question_io import apply_import, export_gift, export_xlsx, preview_import, selected_questions
from quiz.extensions import db
from quiz.models import Question, Topic
from quiz.questions import QuestionError
from tests.conftest import csrf_token, make_staff, staff_login

DATA = Path(__file__).parent / "data"


def count() -> int:
    return db.session.scalar(select(func.count(Question.id)))


def table_bytes(rows: list[list[str]], fmt: str) -> bytes:
    if fmt == "csv":
        import csv
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
    assert multi.current_version.correct == [0, 1]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("row, message", [
    (GOOD[:3] + ["Một", "", "", "", "", "", "1", ""], "từ 2 đến 6 phương án"),
    (GOOD[:9] + ["5", ""], "ít nhất một đáp án đúng"),
    (GOOD[:9] + ["hai", ""], "số thứ tự phương án"),
    (["Chủ đề không có", *GOOD[1:]], "Chủ đề không có trong ngân hàng"),
    (GOOD[:3] + ["Một", "một", "", "", "", "", "1", ""], "trùng nhau"),
])
def test_table_import_errors_name_the_row_and_change_nothing(ctx, contest, fmt, row, message):
    before = count()
    preview = preview_import(table_bytes([HEADER, GOOD, row], fmt), fmt)
    assert preview.errors and preview.errors[0][0] == 3 and message in preview.errors[0][1]
    with pytest.raises(QuestionError):
        apply_import(preview, None, "bad")
    assert count() == before


def test_duplicates_of_the_bank_are_reported_not_imported(ctx, contest):
    existing = db.session.scalar(select(Question).order_by(Question.id)).current_version
    row = ["vneid", "1", existing.text.upper(), "X", "Y", "", "", "", "", "1", ""]
    preview = preview_import(table_bytes([HEADER, row, GOOD], "csv"), "csv")
    assert preview.duplicates == [2] and preview.new_count == 1


def test_missing_columns(ctx, contest):
    preview = preview_import(table_bytes([["cau_hoi", "x"], ["a", "b"]], "csv"), "csv")
    assert preview.errors == [(1, "Thiếu cột bắt buộc: dap_an_1, dap_an_2, dap_an_dung (xem tệp mẫu).")]


def test_aiken_import(ctx, contest):
    topic = db.session.scalar(select(Topic).where(Topic.slug == "lua-dao"))
    preview = preview_import((DATA / "good.aiken").read_bytes(), "aiken", topic.id)
    assert preview.new_count == 2 and not preview.errors
    assert [d.correct for _, d in preview.drafts] == [[0], [1]]
    assert preview_import((DATA / "good.aiken").read_bytes(), "aiken").errors[0][1].startswith("Chủ đề")
    bad = preview_import((DATA / "bad.aiken").read_bytes(), "aiken", topic.id)
    assert bad.errors == [(1, "Thiếu dòng ANSWER: (đáp án đúng) ở cuối câu hỏi.")]


def test_gift_import_with_weights_and_categories(ctx, contest):
    preview = preview_import((DATA / "good.gift").read_bytes(), "gift")
    assert not preview.errors and preview.new_count == 2
    single, multi = [d for _, d in preview.drafts]
    assert single.correct == [0] and single.explanation == "Công an làm việc bằng giấy mời trực tiếp."
    assert multi.multiple and multi.correct == [0, 1] and multi.text == "Dấu hiệu lừa đảo: chọn tất cả đáp án đúng"
    topic = db.session.get(Topic, single.topic_id)
    assert topic.name == "Nhận diện lừa đảo trực tuyến"
    bad = preview_import((DATA / "bad.gift").read_bytes(), "gift")
    assert [line for line, _ in bad.errors] == [5, 7] and bad.new_count == 1


@pytest.mark.parametrize("fmt", ["xlsx", "gift"])
def test_export_then_import_gives_the_same_bank(ctx, contest, fmt):
    questions = selected_questions()
    exported = export_xlsx(questions) if fmt == "xlsx" else export_gift(questions).encode()
    snapshot = sorted((q.topic_id, q.current_version.text, tuple(q.current_version.choices), tuple(q.current_version.correct),
                       q.current_version.explanation) for q in questions)
    db.session.execute(Question.__table__.update().values(current_version_id=None))
    for table in ("question_versions", "questions"):
        db.session.execute(db.metadata.tables[table].delete())
    db.session.commit()
    db.session.expunge_all()  # the rows went away behind the ORM's back
    preview = preview_import(exported, fmt)
    assert not preview.errors and preview.new_count == len(questions)
    apply_import(preview, None, "round trip")
    again = sorted((q.topic_id, q.current_version.text, tuple(q.current_version.choices), tuple(q.current_version.correct),
                    q.current_version.explanation) for q in selected_questions())
    assert again == snapshot


def test_import_pages_preview_then_confirm(app, client, contest):
    with app.app_context():
        make_staff()
    staff_login(client)
    token = csrf_token(client.get("/quan-tri/cau-hoi/nhap"))
    html = client.post("/quan-tri/cau-hoi/nhap", data={"csrf_token": token, "file": (io.BytesIO((DATA / "bad.gift").read_bytes()), "bad.gift")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "Dòng 5:" in html and "Xác nhận nhập" not in html
    html = client.post("/quan-tri/cau-hoi/nhap", data={"csrf_token": token, "file": (io.BytesIO((DATA / "good.gift").read_bytes()), "good.gift")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "2 câu hỏi mới" in html
    import re
    hidden = dict(re.findall(r'name="(token|format|topic_id|filename)" value="([^"]*)"', html))
    with app.app_context():
        before = count()
    response = client.post("/quan-tri/cau-hoi/nhap/xac-nhan", data={"csrf_token": token, **hidden})
    assert response.status_code == 302
    with app.app_context():
        assert count() == before + 2
    template = client.get("/quan-tri/cau-hoi/mau-nhap.xlsx")
    assert [c.value for c in openpyxl.load_workbook(io.BytesIO(template.data)).active[1]][:3] == HEADER[:3]


def test_cli_import_and_export(app, contest, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["questions", "import", str(DATA / "bad.gift")])
    assert result.exit_code == 1 and "2 lỗi" in result.output
    assert "Đã nhập 2 câu hỏi" in runner.invoke(args=["questions", "import", str(DATA / "good.gift")]).output
    out = tmp_path / "bank.gift"
    assert "Đã xuất 72 câu hỏi" in runner.invoke(args=["questions", "export", str(out)]).output
    assert out.read_text(encoding="utf-8").count("::Q") == 72
