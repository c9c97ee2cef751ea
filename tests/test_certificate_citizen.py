"""The citizen's side: the result page and "Kết quả của tôi" offer a certificate after a pass, the PDF is theirs only."""
from sqlalchemy import select

from quiz.infra.extensions import db
from quiz.models import Attempt
from tests.certificate_helpers import passed_and_failed, pdf_text
from tests.conftest import csrf_token
from tests.test_citizen_flow import login


def attempt_of(app, citizen_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(Attempt.id).where(Attempt.citizen_id == citizen_id))


def test_result_page_offers_a_certificate_to_a_passed_citizen_only(app, client, contest, redis):
    with app.app_context():
        passed, failed = passed_and_failed(contest.id)
        passed_id, failed_id = passed.id, failed.id
    login(client, "0987000222")
    assert "giấy chứng nhận" not in client.get(f"/ket-qua/{attempt_of(app, failed_id)}").get_data(as_text=True)
    assert "Nhận giấy chứng nhận" not in client.get("/ket-qua").get_data(as_text=True)
    token = csrf_token(client.get("/ket-qua"))
    refused = client.post(f"/ket-qua/dot/{contest.id}/chung-nhan", data={"csrf_token": token}, follow_redirects=True)
    assert "chưa đạt" in refused.get_data(as_text=True)
    client.post("/dang-xuat", data={"csrf_token": token})
    login(client, "0912000111")
    page = client.get(f"/ket-qua/{attempt_of(app, passed_id)}")
    assert "Nhận giấy chứng nhận" in page.get_data(as_text=True)
    assert "Nhận giấy chứng nhận" in client.get("/ket-qua").get_data(as_text=True)
    response = client.post(f"/ket-qua/dot/{contest.id}/chung-nhan", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302 and "/giay-chung-nhan/" in response.headers["Location"]
    code = response.headers["Location"].rsplit("/", 1)[1]
    mine = client.get(f"/giay-chung-nhan/{code}").get_data(as_text=True)
    assert "Tải giấy chứng nhận (PDF)" in mine and "zalo.me" in mine and "facebook.com/sharer" in mine
    assert "<script" not in mine.split("</main>")[0].split("<main")[1]  # no third-party share scripts
    pdf = client.get(f"/giay-chung-nhan/{code}/tai-ve.pdf")
    assert pdf.mimetype == "application/pdf" and "Nguyễn Thị Thuỷ Hằng" in pdf_text(pdf.data)
    assert "Xem giấy chứng nhận" in client.get("/ket-qua").get_data(as_text=True)


def test_another_citizen_cannot_see_or_download_a_certificate(app, client, contest, redis):
    with app.app_context():
        passed, _ = passed_and_failed(contest.id)
        from quiz.certificates.issuing import issue_completion
        from quiz.infra.clock import utcnow
        code = issue_completion(passed.id, contest.id, "BTC", utcnow()).code
    login(client, "0987000222")
    assert client.get(f"/giay-chung-nhan/{code}").status_code == 404
    assert client.get(f"/giay-chung-nhan/{code}/tai-ve.pdf").status_code == 404
    assert client.get("/giay-chung-nhan/khong-co").status_code == 404
    token = csrf_token(client.get("/ket-qua"))
    assert client.post(f"/ket-qua/dot/{10**20}/chung-nhan", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/ket-qua/dot/{10**20}/giay-khen", data={"csrf_token": token}).status_code == 404
