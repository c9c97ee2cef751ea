"""Forms of the organizer's certificate pages (Vietnamese messages)."""
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length

from quiz.models import Certificate
from quiz.web.form_base import Form


def _at_most(characters: int) -> Length:
    return Length(max=characters, message=f"Tối đa {characters} ký tự.")


class CertificateTemplateForm(Form):
    title = StringField("Tiêu đề", validators=[_at_most(120)])
    issuer = StringField("Đơn vị cấp (tên Ban Tổ chức)", validators=[_at_most(200)])
    signer_position = StringField("Chức vụ người ký", validators=[_at_most(120)])
    signer_name = StringField("Họ tên người ký", validators=[_at_most(100)])
    seal = FileField("Ảnh con dấu hoặc logo (PNG/JPG, tối đa 1 MB)")
    remove_seal = BooleanField("Bỏ ảnh hiện tại")


class CertificateBatchForm(Form):
    round_id = SelectField("Đợt thi", coerce=int, validate_choice=True)
    kind = SelectField("Loại", choices=[(Certificate.COMPLETION, "Mọi người đạt (chứng nhận hoàn thành)"),
                                        (Certificate.PRIZE, "Người đạt giải (đã công bố)")])

    def process_round_id(self, rounds) -> None:  # type: ignore[no-untyped-def]
        self.round_id.choices = [(r.id, r.name) for r in rounds]
