"""Organizer certificate pages and the CLI: template with a validated seal, revocation, bulk zip with progress."""
import io
import struct
import time
import zipfile
import zlib

import pytest
from PIL import Image
from sqlalchemy import func, select

from quiz.infra.extensions import db
from quiz.models import AuditEvent, Certificate, CertificateBatch, CertificateTemplate
from tests.admin_helpers import COMMUNE_A, add_staff, take
from tests.certificate_helpers import close_round, passed_and_failed, pdf_text
from tests.conftest import csrf_token, make_citizen, staff_login


def png_bytes(size=(200, 200), fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def _png_with_chunk_after_the_pixels(kind: bytes, data: bytes) -> bytes:
    """A 1×1 PNG with a crafted chunk after IDAT: Pillow reads it only in load(), where its decoders raise
    exceptions of their own (SyntaxError for an unknown zTXt compression)."""
    def chunk(name: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + name + body + struct.pack(">I", zlib.crc32(name + body) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(kind, data) + chunk(b"IEND", b""))


@pytest.fixture
def organizer(app, client, contest, redis, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "CERTIFICATE_BATCH_DIR", str(tmp_path / "zips"))
    with app.app_context():
        add_staff("bantochuc")
        add_staff("xa-a", "commune_admin", COMMUNE_A)
    staff_login(client, "bantochuc")
    return client


def post_template(client, **files):
    token = csrf_token(client.get("/quan-tri/giay-chung-nhan/mau"))
    data = {"csrf_token": token, "title": "GIẤY CHỨNG NHẬN", "issuer": "UBND thành phố Hải Phòng",
            "signer_name": "Trần Văn Đức", "signer_position": "Trưởng Ban Tổ chức", **files}
    return client.post("/quan-tri/giay-chung-nhan/mau", data=data, content_type="multipart/form-data")


def test_organizer_saves_the_template_with_a_seal_image(app, organizer):
    response = post_template(organizer, seal=(io.BytesIO(png_bytes(fmt="JPEG")), "dau.jpg"))
    assert response.status_code == 302
    with app.app_context():
        template = db.session.get(CertificateTemplate, 1)
        assert (template.issuer, template.signer_name) == ("UBND thành phố Hải Phòng", "Trần Văn Đức")
        assert template.seal_png.startswith(b"\x89PNG")  # re-encoded
        assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "update_certificate_template"))


@pytest.mark.parametrize("upload, name", [
    (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "dau.svg"),
    (b"GIF89a" + b"\x00" * 50, "dau.gif"),
    (b"not an image at all", "dau.png"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "broken.png"),
    (_png_with_chunk_after_the_pixels(b"zTXt", b"Comment\x00\x05" + zlib.compress(b"x")), "ztxt.png"),  # SyntaxError
    (png_bytes(fmt="JPEG")[:300], "cut.jpg"),
])
def test_a_bad_seal_image_is_refused_and_the_typed_text_kept(app, organizer, upload, name):
    response = post_template(organizer, seal=(io.BytesIO(upload), name))
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Ảnh con dấu/logo" in body and "Trần Văn Đức" in body
    with app.app_context():
        assert db.session.get(CertificateTemplate, 1) is None


def test_a_huge_image_is_refused(app, organizer):
    response = post_template(organizer, seal=(io.BytesIO(png_bytes(size=(4000, 10))), "wide.png"))
    assert "tối đa 1 MB và 3000" in response.get_data(as_text=True)
    from quiz.certificates.template import BIG_IMAGE, validated_seal
    from quiz.errors import CertificateError
    with pytest.raises(CertificateError, match=BIG_IMAGE):  # over 1 MB: refused before decoding
        validated_seal(png_bytes() + b"\x00" * (1024 * 1024))


def test_organizer_revokes_from_the_list_and_the_verification_page_says_so(app, organizer, contest):
    with app.app_context():
        passed, _ = passed_and_failed(contest.id)
        from quiz.certificates.issuing import issue_completion
        from quiz.infra.clock import utcnow
        code = issue_completion(passed.id, contest.id, "BTC", utcnow())
        certificate_id, code = code.id, code.code
    page = organizer.get("/quan-tri/giay-chung-nhan")
    assert code in page.get_data(as_text=True) and "Nguyễn Thị Thuỷ H•••" in page.get_data(as_text=True)
    token = csrf_token(page)
    organizer.post(f"/quan-tri/giay-chung-nhan/{certificate_id}/thu-hoi", data={"csrf_token": token, "reason": "Sai"})
    assert "Còn hiệu lực" in organizer.get(f"/xac-minh/{code}").get_data(as_text=True)  # reason too short
    organizer.post(f"/quan-tri/giay-chung-nhan/{certificate_id}/thu-hoi",
                   data={"csrf_token": token, "reason": "Gian lận khi làm bài"})
    body = organizer.get(f"/xac-minh/{code}").get_data(as_text=True)
    assert "Đã bị thu hồi" in body and "Gian lận khi làm bài" in body
    assert organizer.post(f"/quan-tri/giay-chung-nhan/{10**20}/thu-hoi", data={"csrf_token": token}).status_code == 404


def wait_for_batch(app, batch_id: int, seconds: float = 60) -> CertificateBatch:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with app.app_context():
            batch = db.session.get(CertificateBatch, batch_id)
            if batch.status != CertificateBatch.RUNNING:
                db.session.expunge(batch)
                return batch
        time.sleep(0.2)
    raise AssertionError("batch did not finish")


def test_bulk_issuance_from_the_page_makes_a_zip_of_every_passed_citizen(app, organizer, contest):
    with app.app_context():
        passed_and_failed(contest.id)
        from quiz.models import Round
        round_ = db.session.get(Round, contest.id)
        for i in range(4):
            take(round_, make_citizen(COMMUNE_A, full_name=f"Lê Văn Số{i}").id, 17)
    token = csrf_token(organizer.get("/quan-tri/giay-chung-nhan"))
    response = organizer.post("/quan-tri/giay-chung-nhan/hang-loat",
                              data={"csrf_token": token, "round_id": contest.id, "kind": "completion"})
    assert response.status_code == 302
    batch_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    batch = wait_for_batch(app, batch_id)
    assert (batch.status, batch.done, batch.total) == ("done", 5, 5)
    assert "Xong: 5 giấy" in organizer.get(f"/quan-tri/giay-chung-nhan/hang-loat/{batch_id}").get_data(as_text=True)
    download = organizer.get(f"/quan-tri/giay-chung-nhan/hang-loat/{batch_id}/tai-ve.zip")
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    download.close()
    assert len(archive.namelist()) == 5
    assert "Nguyễn Thị Thuỷ Hằng" in "".join(pdf_text(archive.read(n)) for n in archive.namelist())
    with app.app_context():
        assert db.session.scalar(select(func.count(Certificate.id))) == 5


def test_prize_bulk_before_publication_is_refused_with_a_message(organizer, contest, app):
    with app.app_context():
        passed_and_failed(contest.id)
    token = csrf_token(organizer.get("/quan-tri/giay-chung-nhan"))
    response = organizer.post("/quan-tri/giay-chung-nhan/hang-loat",
                              data={"csrf_token": token, "round_id": contest.id, "kind": "prize"}, follow_redirects=True)
    assert "chưa công bố người đạt giải" in response.get_data(as_text=True)
    for bad in ({"round_id": "abc", "kind": "prize"}, {"round_id": contest.id, "kind": "other"},
                {"round_id": 10**20, "kind": "prize"}):
        assert organizer.post("/quan-tri/giay-chung-nhan/hang-loat", data={"csrf_token": token, **bad}).status_code < 500


def test_cli_bulk_writes_the_winners_zip_with_a_progress_line(app, contest, redis, tmp_path):
    with app.app_context():
        passed_and_failed(contest.id)
        close_round(contest.id)
    out = tmp_path / "giai.zip"
    result = app.test_cli_runner().invoke(args=["certificates", "bulk", "--round", str(contest.id), "--kind", "prize",
                                                "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "1/1 giấy chứng nhận" in result.output and "Đã ghi 1 giấy" in result.output
    assert len(zipfile.ZipFile(out).namelist()) == 1
    result = app.test_cli_runner().invoke(args=["certificates", "bulk", "--round", "999", "--out", str(out)])
    assert result.exit_code != 0 and "không có đợt thi 999" in result.output
