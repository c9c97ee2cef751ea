"""Certificates: who gets one, what the PDF says (text and QR), verification of every status, codes."""
import re

import pytest
from sqlalchemy import select

from quiz.certificates.codes import ALPHABET, LENGTH, display_code, new_code, normalise_code
from quiz.certificates.issuing import (
    NOT_A_WINNER,
    NOT_PASSED,
    issue_completion,
    issue_prize,
    reissue_certificate,
    revoke_certificate,
)
from quiz.certificates.pdf import document_for, render_pdf, verification_url
from quiz.certificates.template import current_template
from quiz.certificates.verification import verify_code
from quiz.errors import CertificateError
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.infra.public_names import masked_name
from quiz.models import AuditEvent, Certificate, Citizen, Round
from quiz.privacy.anonymise import anonymise
from tests.admin_helpers import add_staff, take
from tests.certificate_helpers import close_round, decoded_qr, passed_and_failed, pdf_text

BASE = "https://thi.example.vn"
TITLE = "Công dân số – sử dụng thông minh, sống an toàn"


def pdf_of(certificate: Certificate) -> bytes:
    return render_pdf(document_for(certificate, current_template(), TITLE, verification_url(BASE, certificate.code)))


def test_codes_carry_65_random_bits_and_are_typed_back_forgivingly():
    assert len(ALPHABET) ** LENGTH >= 2**65
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    code = codes.pop()
    assert normalise_code(display_code(code).lower()) == code
    assert normalise_code(f"  {display_code(code)} ") == code
    assert normalise_code(code[:-1]) is None
    assert normalise_code(code + "Z") is None
    assert normalise_code("x" * 10_000) is None
    assert normalise_code("ABCD-EFGH-JKMN!") is None


@pytest.mark.parametrize("name, masked", [
    ("Nguyễn Văn An", "Nguyễn Văn A•••"),
    ("  Lê   Ánh ", "Lê Á•••"),
    ("Thuỷ", "T•••"),
    (None, "(đã ẩn danh)"),
])
def test_the_public_form_of_a_name(name, masked):
    assert masked_name(name) == masked


def test_passed_citizen_gets_a_pdf_with_name_score_code_and_a_qr_to_the_verification_page(ctx, contest, redis,
                                                                                          tmp_path):
    passed, _ = passed_and_failed(contest.id)
    certificate = issue_completion(passed.id, contest.id, "Ban Tổ chức cuộc thi", utcnow())
    pdf = pdf_of(certificate)
    text = pdf_text(pdf)
    assert "Nguyễn Thị Thuỷ Hằng" in text  # diacritics survive: the embedded font carries them
    assert "18/20 câu đúng" in text
    assert display_code(certificate.code) in text
    assert "Phường Thành Đông" in text and "GIẤY CHỨNG NHẬN" in text
    assert decoded_qr(pdf, tmp_path) == f"{BASE}/xac-minh/{certificate.code}"


def test_asking_twice_returns_the_same_certificate_and_a_better_result_replaces_it(ctx, contest, redis):
    passed, _ = passed_and_failed(contest.id)
    first = issue_completion(passed.id, contest.id, "BTC", utcnow())
    assert issue_completion(passed.id, contest.id, "BTC", utcnow()).id == first.id
    take(db.session.get(Round, contest.id), passed.id, 20)
    better = issue_completion(passed.id, contest.id, "BTC", utcnow())
    assert better.id != first.id and better.score == 20
    db.session.refresh(first)
    assert first.status == Certificate.REPLACED and first.replaced_by_id == better.id
    assert verify_code(first.code, TITLE).replaced_by_code == display_code(better.code)


def test_no_certificate_without_a_pass_or_a_published_prize(ctx, contest, redis):
    passed, failed = passed_and_failed(contest.id)
    with pytest.raises(CertificateError, match=NOT_PASSED):
        issue_completion(failed.id, contest.id, "BTC", utcnow())
    with pytest.raises(CertificateError, match=NOT_A_WINNER):  # the round is still open: no winners yet
        issue_prize(passed.id, db.session.get(Round, contest.id), "BTC", utcnow())
    assert db.session.scalar(select(Certificate.id)) is None


def test_a_published_winner_gets_a_prize_certificate(ctx, contest, redis, tmp_path):
    passed, failed = passed_and_failed(contest.id)
    round_ = close_round(contest.id)
    certificate = issue_prize(passed.id, round_, "BTC", utcnow())
    assert certificate.prize == "Giải Nhất" and certificate.prize_rank == 1
    assert "Giải Nhất" in pdf_text(pdf_of(certificate))
    with pytest.raises(CertificateError):  # failed: not a winner even with places left
        issue_prize(failed.id, round_, "BTC", utcnow())


def test_verification_shows_the_facts_with_a_masked_name(ctx, contest, redis):
    passed, _ = passed_and_failed(contest.id)
    certificate = issue_completion(passed.id, contest.id, "Ban Tổ chức cuộc thi", utcnow())
    facts = verify_code(display_code(certificate.code), TITLE)
    assert facts.is_valid and facts.status_label == "Còn hiệu lực"
    assert facts.holder == "Nguyễn Thị Thuỷ H•••"
    assert (facts.commune_name, facts.round_name, facts.issuer) == ("Phường Thành Đông", "Đợt thử",
                                                                    "Ban Tổ chức cuộc thi")
    assert facts.score.startswith("18/20")


def test_revocation_shows_its_reason_and_is_audited(ctx, contest, redis):
    passed, _ = passed_and_failed(contest.id)
    staff = add_staff("bantochuc")
    certificate = issue_completion(passed.id, contest.id, "BTC", utcnow())
    with pytest.raises(CertificateError):
        revoke_certificate(certificate.id, staff.id, "x", utcnow())
    revoke_certificate(certificate.id, staff.id, "Gian lận khi làm bài", utcnow())
    facts = verify_code(certificate.code, TITLE)
    assert (facts.status, facts.status_reason) == ("revoked", "Gian lận khi làm bài")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "revoke_certificate"))
    assert (event.actor_id, event.target_ids, event.reason) == (staff.id, [certificate.id], "Gian lận khi làm bài")
    with pytest.raises(CertificateError):
        revoke_certificate(certificate.id, staff.id, "lần nữa đây", utcnow())


def test_reissue_replaces_with_a_new_code_and_is_audited(ctx, contest, redis):
    passed, _ = passed_and_failed(contest.id)
    staff = add_staff("bantochuc")
    old = issue_completion(passed.id, contest.id, "BTC", utcnow())
    new = reissue_certificate(old.id, staff.id, "In sai, cấp lại", "BTC", utcnow())
    assert new.code != old.code and new.score == old.score
    assert verify_code(old.code, TITLE).status == "replaced"
    assert verify_code(new.code, TITLE).is_valid
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "reissue_certificate"))


def test_an_anonymised_citizens_certificate_still_verifies(ctx, contest, redis):
    passed, _ = passed_and_failed(contest.id)
    certificate = issue_completion(passed.id, contest.id, "BTC", utcnow())
    anonymise(db.session.get(Citizen, passed.id), utcnow())
    db.session.commit()
    facts = verify_code(certificate.code, TITLE)
    assert facts.is_valid and facts.holder == "(đã ẩn danh)" and facts.score.startswith("18/20")


def test_unknown_and_tampered_codes_do_not_verify(ctx, contest, redis):
    passed, _ = passed_and_failed(contest.id)
    code = issue_completion(passed.id, contest.id, "BTC", utcnow()).code
    tampered = code[:-1] + next(ch for ch in ALPHABET if ch != code[-1])
    assert verify_code(tampered, TITLE) is None
    assert verify_code(new_code(), TITLE) is None
    assert verify_code("' OR 1=1 --", TITLE) is None
    assert re.fullmatch(f"[{ALPHABET}]{{{LENGTH}}}", code)


def test_certificate_with_the_organizers_template_renders_for_the_screenshot(ctx, contest, redis, tmp_path):
    """Saves artifacts/screenshots/certificate.png (pdftoppm) with a seal image, for a person to look at."""
    import io
    import subprocess
    from pathlib import Path

    from PIL import Image, ImageDraw

    from quiz.certificates.template import TemplateDraft, update_template
    seal = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    ImageDraw.Draw(seal).ellipse((10, 10, 290, 290), outline=(200, 30, 30, 255), width=14)
    upload = io.BytesIO()
    seal.save(upload, format="PNG")
    staff = add_staff("bantochuc")
    update_template(TemplateDraft("GIẤY CHỨNG NHẬN", "Ủy ban nhân dân thành phố Hải Phòng", "Trần Văn Đức",
                                  "Trưởng Ban Tổ chức"), upload.getvalue(), False, staff.id, utcnow())
    passed, _ = passed_and_failed(contest.id)
    round_ = close_round(contest.id)
    pdf = pdf_of(issue_prize(passed.id, round_, "Ủy ban nhân dân thành phố Hải Phòng", utcnow()))
    out = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    (tmp_path / "p.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "70", "-png", "-singlefile", str(tmp_path / "p.pdf"), str(out / "certificate")],
                   check=True)
    with Image.open(out / "certificate.png") as rendered:
        width, height = rendered.size
    assert width > height  # A4 landscape
    assert "Trưởng Ban Tổ chức".upper() in pdf_text(pdf) and "Trần Văn Đức" in pdf_text(pdf)
