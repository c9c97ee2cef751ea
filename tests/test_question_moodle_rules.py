"""Imports keep the meaning Moodle gives a GIFT or Aiken file (or refuse the question), Excel reads as displayed."""
import io
from datetime import datetime

import openpyxl
import pytest
from sqlalchemy import select

from quiz.infra.extensions import db
from quiz.models import Question, Topic
from quiz.questions.editing import QuestionDraft, create_question, save_topic
from quiz.questions.moodle import export_aiken, export_gift
from quiz.questions.transfer import apply_import, preview_import, selected_questions
from tests.conftest import csrf_token, make_staff, staff_login

CATEGORY = "$CATEGORY: $course$/Nhận diện lừa đảo trực tuyến\n\n"


def gift(text: str):  # type: ignore[no-untyped-def]
    return preview_import((CATEGORY + text).encode(), "gift")


def only_draft(preview):  # type: ignore[no-untyped-def]
    assert not preview.errors, preview.errors
    assert len(preview.drafts) == 1
    return preview.drafts[0][1]


def error_at(preview, line: int) -> str:  # type: ignore[no-untyped-def]
    messages = dict(preview.errors)
    assert line in messages, preview.errors
    return messages[line]


def test_space_after_tilde_keeps_the_weight(ctx, contest):
    draft = only_draft(gift("Dấu hiệu lừa đảo? {\n~%50%Giục chuyển tiền gấp\n~ %50%Yêu cầu giữ bí mật\n"
                            "~%-100%Hẹn làm việc tại trụ sở\n}\n"))
    assert draft.choices == ["Giục chuyển tiền gấp", "Yêu cầu giữ bí mật", "Hẹn làm việc tại trụ sở"]
    assert draft.correct == [0, 1] and draft.multiple


def test_two_equals_is_either_in_moodle_so_it_is_refused(ctx, contest):
    preview = gift("Số khẩn cấp công an? {=113 =Một một ba ~114}\n")
    assert not preview.drafts and "MỘT trong số đó" in error_at(preview, 3)


def test_missing_word_keeps_the_text_after_the_answers(ctx, contest):
    preview = gift("Mã OTP {=không được ~được} chia sẻ cho bất kỳ ai.\n\n"
                   "Mã OTP {=không được ~được} đọc cho người gọi tự xưng ngân hàng.\n")
    texts = [d.text for _, d in preview.drafts]
    assert texts == ["Mã OTP _____ chia sẻ cho bất kỳ ai.", "Mã OTP _____ đọc cho người gọi tự xưng ngân hàng."]
    assert not preview.duplicates


def test_two_questions_without_a_blank_line_are_refused_not_lost(ctx, contest):
    preview = gift("Câu một? {=A ~B}\nCâu hai? {=C ~D}\n")
    assert not preview.drafts and "dòng trống" in error_at(preview, 3)


def test_category_line_right_under_a_question_is_refused(ctx, contest):
    preview = gift("Câu một? {=A ~B}\n$CATEGORY: $course$/Mật khẩu\n\nCâu hai? {=C ~D}\n")
    assert "$CATEGORY" in error_at(preview, 4)


def test_category_line_right_above_a_question_is_refused(ctx, contest):
    preview = preview_import("$CATEGORY: Nhận diện lừa đảo trực tuyến\nCâu? {=A ~B}\n".encode(), "gift")
    assert not preview.drafts and "dòng trống sau dòng $CATEGORY" in error_at(preview, 2)


@pytest.mark.parametrize("text, expected", [
    ("[html]<p>Mã <b>OTP</b> dùng để làm gì?</p>", "Mã OTP dùng để làm gì?"),
    ("[moodle]Mã OTP &amp; mật khẩu?", "Mã OTP & mật khẩu?"),
    ("[markdown]Mã OTP là gì?", "Mã OTP là gì?"),
    ("[plain]Thẻ <b> dùng để làm gì?", "Thẻ <b> dùng để làm gì?"),
    ("<p>Câu hỏi&nbsp;xuất từ Moodle 4?</p>", "Câu hỏi xuất từ Moodle 4?"),
])
def test_format_markers_and_moodle_html_are_read_as_text(ctx, contest, text, expected):
    draft = only_draft(gift(f"::Q1::{text}{{=[html]<p>Đúng</p> ~Sai}}\n"))
    assert draft.text == expected and draft.choices == ["Đúng", "Sai"]


def test_html_that_cannot_be_shown_as_text_is_refused(ctx, contest):
    preview = gift('[html]<p>Biển báo nào?</p><img src="@@PLUGINFILE@@/a.png">{=A ~B}\n')
    assert "<img>" in error_at(preview, 3)


def test_arrow_inside_a_multiple_choice_answer_is_a_choice(ctx, contest):
    draft = only_draft(gift("Bật xác thực hai lớp ở đâu? {=Cá nhân -> Tài khoản và bảo mật ~Trang chủ}\n"))
    assert draft.choices[0] == "Cá nhân -> Tài khoản và bảo mật"


def test_true_false_with_feedback_is_two_choices_not_a_choice_count_error(ctx, contest):
    preview = gift("Có nên bấm vào đường link lạ? {F#Không bao giờ.}\n")
    draft = only_draft(preview)
    assert (draft.choices, draft.correct) == (["Đúng", "Sai"], [1])
    assert any("Phản hồi riêng" in message for _, message in preview.warnings)


def test_zero_weight_wrong_answers_in_choose_all_are_refused(ctx, contest):
    preview = gift("Chọn các dấu hiệu? {~%50%A ~%50%B ~C}\n")
    assert "trọng số âm" in error_at(preview, 3)


def test_weights_that_do_not_add_up_are_refused(ctx, contest):
    assert "100 %" in error_at(gift("Chọn? {~%50%A ~%40%B ~%-100%C}\n"), 3)


def test_general_feedback_is_the_last_four_hashes(ctx, contest):
    draft = only_draft(gift("Câu? {=A#đúng ~B####Giải thích cuối}\n"))
    assert draft.explanation == "Giải thích cuối" and draft.choices == ["A", "B"]


# --- Aiken -----------------------------------------------------------------------------------

def aiken(text: str, ctx_topic: str = "lua-dao"):  # type: ignore[no-untyped-def]
    topic = db.session.scalar(select(Topic).where(Topic.slug == ctx_topic))
    return preview_import(text.encode(), "aiken", topic.id)


def test_aiken_choice_without_a_space_as_moodle_accepts(ctx, contest):
    draft = only_draft(aiken("Có nên cài tệp .apk do người lạ gửi?\nA)Có\nB)Không\nANSWER: B\n"))
    assert draft.choices == ["Có", "Không"] and draft.correct == [1]


def test_aiken_questions_need_no_blank_line_between_them(ctx, contest):
    preview = aiken("Câu một?\nA. Có\nB. Không\nANSWER: A\nCâu hai?\nA. Có\nB. Không\nANSWER: B\n")
    assert [d.text for _, d in preview.drafts] == ["Câu một?", "Câu hai?"] and not preview.errors


def test_aiken_two_line_question_is_refused_not_joined(ctx, contest):
    preview = aiken("Dòng đầu của câu hỏi\ndòng thứ hai?\nA. Có\nB. Không\nANSWER: A\n")
    assert "một dòng" in error_at(preview, 1)


def test_aiken_messages_say_what_is_wrong(ctx, contest):
    one_choice = aiken("Chỉ có một phương án?\nA. Có\nANSWER: B\n")
    assert "ít nhất 2 phương án" in error_at(one_choice, 3) and "A–A" not in error_at(one_choice, 3)
    lower = aiken("Câu hỏi?\nA. Có\nB. Không\nanswer: b\n")
    assert "“ANSWER:”" in error_at(lower, 4)
    several = aiken("Câu hỏi?\nA. Có\nB. Không\nANSWER: A, B\n")
    assert "một đáp án đúng" in error_at(several, 4)


def _question(topic_id: int, text: str, choices: list[str], correct: list[int], multiple: bool = False,
              explanation: str = "") -> Question:
    from quiz.models import StaffUser
    staff = db.session.scalar(select(StaffUser)) or make_staff()
    return create_question(QuestionDraft(topic_id=topic_id, text=text, choices=choices, correct=correct,
                                         multiple=multiple, explanation=explanation, difficulty=2), staff.id)


def test_aiken_export_never_writes_a_question_moodle_reads_as_a_choice(ctx, contest):
    topic = db.session.scalar(select(Topic).where(Topic.slug == "lua-dao"))
    tricky = _question(topic.id, "B. Đâu là dấu hiệu lừa đảo?", ["Giục chuyển tiền", "Giấy mời"], [0])
    text, skipped = export_aiken(selected_questions())
    assert [q.id for q, _ in skipped if not q.current_version.is_multiple] == [tricky.id]
    assert "B. Đâu là" not in text
    assert not aiken(text).errors


def test_cli_aiken_export_counts_what_it_wrote(app, contest, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "bank.txt"
    result = runner.invoke(args=["questions", "export", "--format", "aiken", str(out)])
    written = out.read_text(encoding="utf-8").count("\nANSWER: ")
    assert f"Đã xuất {written} câu hỏi" in result.output


# --- round trips: the project's exports, read by the rules above ------------------------------

def _snapshot() -> list[tuple]:
    return sorted((q.topic_id, q.current_version.text, tuple(q.current_version.choices),
                   tuple(q.current_version.correct), q.current_version.is_multiple) for q in selected_questions())


def _empty_bank() -> None:
    db.session.execute(Question.__table__.update().values(current_version_id=None))
    for table in ("question_versions", "questions"):
        db.session.execute(db.metadata.tables[table].delete())
    db.session.commit()
    db.session.expunge_all()


def _tricky_bank() -> None:
    from quiz.models import StaffUser
    staff = db.session.scalar(select(StaffUser)) or make_staff()
    topic = save_topic("Tài khoản: {cơ bản}", staff.id)
    _question(topic.id, "[html] <b>Thẻ</b> & mật khẩu: đâu là đúng?", ["Cá nhân -> Tài khoản", "[plain]x", "a=b ~c #d"],
              [0], explanation="<p>Vì</p> thế")
    _question(topic.id, "Chọn các cách bảo vệ 3 lớp?", ["2FA", "Mật khẩu dài", "Khóa màn hình", "Chia sẻ OTP"],
              [0, 1, 2], multiple=True)
    _question(topic.id, "Câu chọn tất cả có một đáp án?", ["Đúng", "Sai"], [1], multiple=True)


def test_gift_export_imports_back_identically(ctx, contest):
    _tricky_bank()
    before = _snapshot()
    exported = export_gift(selected_questions())
    _empty_bank()
    preview = preview_import(exported.encode(), "gift")
    assert not preview.errors and preview.new_count == len(before)
    apply_import(preview, None, "round trip")
    assert _snapshot() == before


def test_aiken_export_imports_back_identically(ctx, contest):
    _tricky_bank()
    topic_id = db.session.scalar(select(Topic.id).where(Topic.slug == "lua-dao"))
    text, skipped = export_aiken(selected_questions())
    kept = sorted(s for s in _snapshot() if not s[4] and s[1] not in {q.current_version.text for q, _ in skipped})
    _empty_bank()
    preview = preview_import(text.encode(), "aiken", topic_id)
    assert not preview.errors and sorted((d.text, tuple(d.choices), tuple(d.correct)) for _, d in preview.drafts) \
        == sorted((s[1], s[2], s[3]) for s in kept)


# --- Excel made by hand -----------------------------------------------------------------------

HEADER = ["chu_de", "do_kho", "cau_hoi", "dap_an_1", "dap_an_2", "dap_an_3", "dap_an_dung"]


def _sheet() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["Nhận diện lừa đảo trực tuyến", 1, "Một nửa viết là?", 0.5, "Hai", "Ba", 1])
    sheet.append([None, 1, "Ngày hết hạn?", datetime(2026, 2, 1), "Không có", "", 2])
    sheet.append([None, 2, "Tỷ lệ?", 0.5, "Một", "", 1])
    sheet.merge_cells("A2:A4")
    sheet["D2"].number_format = "# ?/?"
    sheet["D3"].number_format = "dd/mm/yyyy"
    sheet["D4"].number_format = "0%"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_merged_topic_cells_and_cells_read_as_displayed(ctx, contest):
    preview = preview_import(_sheet(), "xlsx")
    assert not preview.errors, preview.errors
    topic = db.session.scalar(select(Topic).where(Topic.name == "Nhận diện lừa đảo trực tuyến"))
    drafts = [d for _, d in preview.drafts]
    assert [d.topic_id for d in drafts] == [topic.id] * 3
    assert [d.choices[0] for d in drafts] == ["1/2", "01/02/2026", "50%"]
    assert sorted(line for line, _ in preview.warnings) == [2, 3, 4]
    assert "D3" in dict(preview.warnings)[3]


# --- the dry run shows each question as it will be stored -------------------------------------

def test_dry_run_page_and_cli_show_each_question(app, client, contest, tmp_path):
    with app.app_context():
        make_staff()
    staff_login(client)
    token = csrf_token(client.get("/quan-tri/cau-hoi/nhap"))
    content = (CATEGORY + "Mã OTP {=không được ~được} chia sẻ.\n\nChọn? {~%50%A1 ~ %50%B1 ~%-100%C1}\n").encode()
    data = {"csrf_token": token, "file": (io.BytesIO(content), "bank.gift")}
    html = client.post("/quan-tri/cau-hoi/nhap", data=data, content_type="multipart/form-data").get_data(as_text=True)
    assert "Mã OTP _____ chia sẻ." in html and "không được <strong>(đáp án đúng)</strong>" in html
    assert "B1 <strong>(đáp án đúng)</strong>" in html and "C1 <strong>" not in html
    path = tmp_path / "bank.gift"
    path.write_bytes(content)
    result = app.test_cli_runner().invoke(args=["questions", "import", "--dry-run", str(path)])
    assert "[x] không được" in result.output and "[ ] được" in result.output and "[x] B1" in result.output


# --- outside review, 2026-12-02: files as other tools write them ----------------------------------

MOODLE_GIFT_EXPORT = ("// question: 1  name: Q1\n::Q1::Mã OTP dùng để làm gì?{\n\t=Xác thực giao dịch\n\t~Chia sẻ cho người thân\n}\n\n"
                      "::Q2::Có nên bấm vào đường link lạ?{FALSE}\n")


@pytest.mark.parametrize("name", ["questions.txt", "bank", "export.TXT"])
def test_moodle_gift_export_named_txt_is_read_as_gift(ctx, contest, name):
    from quiz.questions.transfer import detect_format
    assert detect_format(name, (CATEGORY + MOODLE_GIFT_EXPORT).encode()) == "gift"  # Moodle names GIFT exports .txt
    assert detect_format(name, "Câu?\nA. Có\nB. Không\nANSWER: A\n".encode()) == "aiken"


@pytest.mark.parametrize("name", ["quiz.xml", "quiz.txt"])
def test_moodle_xml_gets_one_message_saying_what_to_export_instead(ctx, contest, name):
    from quiz.questions.transfer import detect_format
    content = b'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n<question type="multichoice">\n</question>\n</quiz>\n'
    preview = preview_import(content, detect_format(name, content))
    assert len(preview.errors) == 1 and "Moodle XML" in preview.errors[0][1] and "GIFT" in preview.errors[0][1]
    preview = preview_import(content, "aiken")  # chosen by hand: the same message, not one per line
    assert len(preview.errors) == 1 and "Moodle XML" in preview.errors[0][1]


@pytest.mark.parametrize("text", ["[html]2<sup>10</sup> byte bằng bao nhiêu?", "[html]Từ nào được <u>gạch chân</u>?",
                                  "[html]Công thức H<sub>2</sub>O là gì?", "[html]Chữ nào bị <s>gạch</s>?"])
def test_html_whose_formatting_carries_the_meaning_is_refused(ctx, contest, text):
    preview = gift(f"{text}{{=A ~B}}\n")
    assert not preview.drafts and "HTML" in error_at(preview, 3)


def test_html_entities_are_decoded_once_as_moodle_shows_them(ctx, contest):
    draft = only_draft(gift("[html]Thẻ &amp;lt;b&amp;gt; và &amp;nbsp; là gì?{=A ~B}\n"))
    assert draft.text == "Thẻ &lt;b&gt; và &nbsp; là gì?"


def test_same_text_with_other_choices_is_another_question_not_a_duplicate(ctx, contest):
    preview = gift("Phát biểu nào đúng?{=Mã OTP là bí mật ~Nên chia sẻ OTP}\n\n"
                   "Phát biểu nào đúng?{=Nên bật xác thực hai lớp ~Mật khẩu 123456 là đủ}\n\n"
                   "Phát biểu nào đúng?{~Nên chia sẻ OTP =Mã OTP là bí mật}\n")
    assert [line for line, _ in preview.drafts] == [3, 5] and [line for line, _ in preview.duplicates] == [7]
    assert preview.duplicates[0] == (7, 3)  # a duplicate of line 3 of the file, not of the bank
    assert any("dòng 3" in message for line, message in preview.warnings if line == 5)


def test_same_question_with_another_right_answer_is_an_error_not_skipped(ctx, contest):
    preview = gift("Phát biểu nào đúng?{=Mã OTP là bí mật ~Nên chia sẻ OTP}\n\n"
                   "Phát biểu nào đúng?{~Mã OTP là bí mật =Nên chia sẻ OTP}\n")
    assert "đáp án đúng khác" in error_at(preview, 5)


def test_warnings_of_a_skipped_duplicate_are_not_shown(ctx, contest):
    preview = gift("Chọn các cách an toàn?{~%50%Bật 2FA ~%50%Mật khẩu dài ~%-100%Chia sẻ OTP}\n\n"
                   "Chọn các cách an toàn?{~%50%Bật 2FA ~%50%Mật khẩu dài ~%-100%Chia sẻ OTP}\n")
    assert [line for line, _ in preview.duplicates] == [5] and all(line != 5 for line, _ in preview.warnings)


@pytest.mark.parametrize("answer", ["A.", "A)", "A - Chỉ mình bạn", "A Chỉ mình bạn"])
def test_aiken_answer_letter_followed_by_punctuation_or_text_is_that_letter(ctx, contest, answer):
    preview = aiken(f"Ai được biết mã OTP?\nA. Chỉ mình bạn\nB. Nhân viên ngân hàng\nANSWER: {answer}\n")
    assert only_draft(preview).correct == [0]  # Moodle reads the first character only
    assert any("chữ cái đầu" in message for _, message in preview.warnings)


@pytest.mark.parametrize("answer", ["A, C", "A C", "AC", "A;C", "A và C"])
def test_aiken_answer_naming_several_letters_is_still_refused(ctx, contest, answer):
    preview = aiken(f"Chọn?\nA. Một\nB. Hai\nC. Ba\nANSWER: {answer}\n")
    assert not preview.drafts and "một đáp án đúng" in error_at(preview, 5)


def test_format_markers_are_case_sensitive_as_in_moodle(ctx, contest):
    draft = only_draft(gift("[HTML]Mã <b>OTP</b>?{=A ~B}\n"))  # format_name_to_const knows "html" only
    assert draft.text == "[HTML]Mã OTP?"


def test_markdown_missing_word_blank_is_not_bold_syntax(ctx, contest):
    draft = only_draft(gift("[markdown]Mã OTP {=không được ~được} chia sẻ.\n"))
    assert draft.text == "Mã OTP _____ chia sẻ."
