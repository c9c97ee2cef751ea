"""Admin forms (Vietnamese messages)."""
from collections.abc import Mapping

from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from quiz.contest.rounds import PREDICTION_LIMIT
from quiz.contest.tiebreak import CRITERIA, CRITERION_NAMES
from quiz.infra.clock import SANE_YEARS
from quiz.infra.converters import DB_INT_MAX, BoundedIntegerField, read_int
from quiz.models import Round
from quiz.privacy.data_requests import KIND_LABELS
from quiz.privacy.staff_actions import REVEAL_CATEGORIES, REVEAL_NOTE_MAX
from quiz.web.form_base import Form

WHOLE_NUMBER = "Vui lòng nhập số nguyên."

REQUIRED = "Vui lòng điền mục này."


class WholeNumberField(BoundedIntegerField):
    """IntegerField with a Vietnamese message when the box holds something that is not a whole number."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, low=-DB_INT_MAX, high=DB_INT_MAX, **kwargs)  # NumberRange gives the real bounds

    def process_formdata(self, valuelist: list) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            text = str(valuelist[0]).strip().lstrip("-") if valuelist else ""
            if text.isascii() and text.isdigit():  # a whole number, only too large: NumberRange says the bounds
                self.data = DB_INT_MAX + 1
                return
            raise ValueError(f"{self.label.text}: vui lòng nhập số nguyên.") from None


class LocalDateTimeField(DateTimeLocalField):
    """A date and time typed in Vietnam time, with a Vietnamese message when it cannot be read."""

    def process_formdata(self, valuelist: list) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Vui lòng nhập đủ ngày giờ mở và đóng.") from None


class StaffLoginForm(Form):
    username = StringField("Tên đăng nhập", validators=[DataRequired(REQUIRED), Length(max=64)])
    password = PasswordField("Mật khẩu", validators=[DataRequired(REQUIRED), Length(max=128)])


class ChangePasswordForm(Form):
    current = PasswordField("Mật khẩu hiện tại", validators=[DataRequired(REQUIRED)])
    new = PasswordField("Mật khẩu mới (ít nhất 12 ký tự, không phải mật khẩu phổ biến)", validators=[
        DataRequired(REQUIRED), Length(max=128, message="Mật khẩu mới dài tối đa 128 ký tự.")])
    confirm = PasswordField("Nhập lại mật khẩu mới", validators=[
        DataRequired(REQUIRED), EqualTo("new", message="Hai lần nhập mật khẩu mới không khớp.")])


class NoticeForm(Form):
    text = TextAreaField("Nội dung thông báo", validators=[DataRequired(REQUIRED), Length(max=50_000)])


class RequestActionForm(Form):
    """Acknowledge or complete a pending data request (the button's value is the action)."""

    request_id = WholeNumberField("Mã yêu cầu", validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)])
    action = HiddenField(validators=[DataRequired()])


class ReceiveRequestForm(Form):
    """A request received by letter, phone or at the commune hall."""

    citizen_id = WholeNumberField("Mã người dự thi", validators=[InputRequired(WHOLE_NUMBER),
                                                              NumberRange(min=1, max=2**31 - 1)])
    kind = SelectField("Loại yêu cầu", choices=list(KIND_LABELS.items()))
    detail = StringField("Nội dung", validators=[Optional(), Length(max=2000)])


class RetentionForm(Form):
    days = WholeNumberField("Số ngày lưu sau đợt thi cuối", validators=[
        InputRequired(WHOLE_NUMBER),
        NumberRange(min=1, max=3650, message="Thời gian lưu từ 1 đến 3.650 ngày.")])


class ReasonForm(Form):
    """Why a staff member needs personal data in full (checked by quiz.audit.require_reason)."""

    reason = StringField("Lý do", validators=[Length(max=500)])


def first_error(form: Form) -> str:
    """The first message of a form that did not validate, for a one-line notice above it."""
    messages = [message for errors in form.errors.values() for message in errors]
    return str(messages[0]) if messages else "Dữ liệu gửi lên không hợp lệ."


def _whole(label: str, low: int, high: int, default: int | None = None) -> WholeNumberField:
    """A bounded whole number (an empty box takes the default)."""
    message = f"{label}: nhập số nguyên từ {low:,} đến {high:,}.".replace(",", ".").replace("%", "%%")  # %-formatted
    return WholeNumberField(label, default=default,
                            validators=[Optional(), NumberRange(min=low, max=high, message=message)])


class LastBooleanField(BooleanField):
    """A tick box sent after a hidden "0" of the same name: the last value sent decides."""

    def process_formdata(self, valuelist: list) -> None:
        super().process_formdata(valuelist[-1:])


class ChoiceField(SelectField):
    """A drop-down whose value must be one of its choices, with a Vietnamese message naming the field."""

    def pre_validate(self, form: Form) -> None:
        if self.data not in {value for value, _ in self.choices or []}:
            raise ValidationError(f"{self.label.text}: vui lòng chọn một mục trong danh sách.")


def _choice(label: str, choices: list[tuple[str, str]], default: str) -> ChoiceField:
    return ChoiceField(label, default=default, choices=choices)


CHAIN_CHOICES = [("", "(không dùng)"), *CRITERION_NAMES.items()]


class RoundForm(Form):
    """A round's settings; per-topic quotas arrive as quota_<topic id> fields (see quotas())."""

    name = StringField("Tên đợt thi", validators=[Length(max=200)])
    description = TextAreaField("Mô tả", validators=[Optional(), Length(max=5000)])
    opens_at = LocalDateTimeField("Mở lúc", format="%Y-%m-%dT%H:%M",
                                  validators=[InputRequired("Vui lòng nhập đủ ngày giờ mở và đóng.")])
    closes_at = LocalDateTimeField("Đóng lúc", format="%Y-%m-%dT%H:%M",
                                   validators=[InputRequired("Vui lòng nhập đủ ngày giờ mở và đóng.")])
    question_count = _whole("Số câu hỏi", 1, 200, 20)
    time_limit_minutes = _whole("Thời gian làm bài (phút)", 1, 24 * 60, 20)
    attempts_allowed = _whole("Số lượt thi", 1, 1000, 3)
    pass_percent = _whole("Điểm đạt (%)", 0, 100, 80)
    reveal_answers = SelectField("Công bố đáp án", default=Round.REVEAL_AFTER_CLOSE,
                                 choices=[(Round.REVEAL_AFTER_CLOSE, "Sau khi đợt thi đóng"),
                                          (Round.REVEAL_AFTER_SUBMIT, "Ngay sau khi nộp bài")])
    prediction_question = StringField("Câu hỏi dự đoán", validators=[Optional(), Length(max=1000)])
    prediction_answer = _whole("Đáp án câu dự đoán", -PREDICTION_LIMIT, PREDICTION_LIMIT)
    prediction_min = _whole("Câu dự đoán: số nhỏ nhất được nhập", -PREDICTION_LIMIT, PREDICTION_LIMIT, 0)
    prediction_max = _whole("Câu dự đoán: số lớn nhất được nhập", -PREDICTION_LIMIT, PREDICTION_LIMIT, 10_000_000)
    min_seconds_per_question = _whole("Số giây tối thiểu mỗi câu", 0, 600, 3)
    verified_phone_for_prizes = BooleanField("Chỉ người đã xác minh số điện thoại mới được xét giải")
    stagger_groups = _whole("Số nhóm xã mở lệch giờ", 1, 50, 1)
    stagger_minutes = _whole("Số phút giữa hai nhóm mở lệch giờ", 0, 24 * 60, 0)
    # The period's campaign rules (issue 18). A rule the form does not send keeps its value (see CAMPAIGN_RULES).
    contest_id = _whole("Thuộc cuộc thi", 1, 2**31 - 1)
    allowance_period = _choice("Số lượt thi tính theo", [("round", "cả đợt"), ("day", "mỗi ngày (giờ Việt Nam)"),
                                                         ("week", "mỗi tuần (thứ Hai đến Chủ nhật)")], "round")
    counting = _choice("Bài tính điểm", [("best", "Bài tốt nhất"), ("first", "Bài đầu tiên")], "best")
    prediction_kind = _choice("Đáp án câu dự đoán", [("free", "Ban Tổ chức nhập"),
                                                    ("all_correct", "Tự tính: số người đúng tất cả các câu")], "free")
    prize_requires_pass = LastBooleanField("Chỉ người đạt mới được xét giải", default=True)
    prize_percent_cap = _whole("Tổng số giải tối đa (% số người dự thi)", 1, 100)
    prize_tie_rule = _choice("Đồng hạng ở ranh giới giải", [("all", "Tất cả cùng nhận giải"), ("split", "Chia đều giải"),
                                                            ("draw", "Bốc thăm")], "all")
    appeal_days = _whole("Thời gian khiếu nại trước khi công bố (ngày)", 0, 60, 3)
    confirm = BooleanField("Tôi xác nhận thay đổi đợt thi đang có bài làm")

    def validate_closes_at(self, field: LocalDateTimeField) -> None:
        for moment in (self.opens_at.data, field.data):
            if moment is not None and moment.year not in SANE_YEARS:
                raise ValidationError(f"Ngày giờ mở và đóng cần trong khoảng năm {SANE_YEARS.start}–{SANE_YEARS.stop - 1}.")

    def quotas(self, form_data: Mapping[str, str]) -> dict[str, int] | None:
        """{topic id: count} from the quota_<id> boxes that hold a count from 1 to 200."""
        quotas = {key[6:]: count for key, value in form_data.items()
                  if key.startswith("quota_") and key[6:].isascii() and key[6:].isdigit() and len(key) <= 16
                  and (count := read_int({"n": value}, "n", 0, 0, 200))}
        return quotas or None

    def chain(self) -> list[str] | None:
        """The tie-break chain picked in the chain_<n> boxes, in order; None when the form sent none."""
        fields = [self[f"chain_{n}"] for n in range(1, len(CRITERIA) + 1)]
        if not any(field.raw_data for field in fields):
            return None
        return [field.data for field in fields if field.data]


for _n in range(1, len(CRITERIA) + 1):  # one box per place in the tie-break chain
    setattr(RoundForm, f"chain_{_n}", _choice(f"Tiêu chí xếp hạng {_n}", CHAIN_CHOICES, ""))
CAMPAIGN_RULES = ("allowance_period", "counting", "prediction_kind", "prize_requires_pass", "prize_percent_cap",
                  "prize_tie_rule", "appeal_days")


class CommuneContactForm(Form):
    office_name = StringField("Nơi hỗ trợ (ví dụ: Bộ phận một cửa UBND xã)", validators=[DataRequired(REQUIRED), Length(max=200)])
    phone = StringField("Số điện thoại liên hệ", validators=[DataRequired(REQUIRED), Length(max=30)])
    address = StringField("Địa chỉ", validators=[DataRequired(REQUIRED), Length(max=300)])
    hours = StringField("Giờ làm việc (ví dụ: Thứ Hai – Thứ Sáu, 7:30–11:30 và 13:30–17:00)", validators=[DataRequired(REQUIRED), Length(max=200)])


class RevealForm(Form):
    """Why an organizer needs one full phone number: a category and a short note (no names or numbers)."""

    category = SelectField("Lý do xem số", choices=[("", "— Chọn lý do —"), *REVEAL_CATEGORIES.items()],
                           validators=[DataRequired("Vui lòng chọn lý do cần xem số điện thoại đầy đủ.")])
    note = StringField("Ghi chú ngắn (không ghi tên hay số điện thoại)", validators=[Length(max=REVEAL_NOTE_MAX)])
