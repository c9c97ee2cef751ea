"""Staff login: separate from citizens, forced password change on first login."""
from tests.conftest import csrf_token, make_citizen, make_staff, staff_login


def test_admin_pages_need_a_staff_login(client):
    assert client.get("/quan-tri/").status_code == 302
    assert "/quan-tri/dang-nhap" in client.get("/quan-tri/").headers["Location"]


def test_first_login_forces_a_password_change(client, app):
    with app.app_context():
        make_staff(must_change=True)
    staff_login(client)
    assert client.get("/quan-tri/").headers["Location"].endswith("/quan-tri/doi-mat-khau")
    token = csrf_token(client.get("/quan-tri/doi-mat-khau"))
    response = client.post("/quan-tri/doi-mat-khau", data={"current": "matkhau-quan-tri", "new": "mat-khau-moi-dai",
                                                           "confirm": "mat-khau-moi-dai", "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/quan-tri/tong-quan").status_code == 200


def test_a_citizen_cannot_use_admin_pages(client, app, contest):
    with app.app_context():
        make_citizen(phone="0912345678")
    token = csrf_token(client.get("/dang-nhap"))
    client.post("/dang-nhap", data={"phone": "0912345678", "password": "matkhau123", "csrf_token": token})
    assert client.get("/quan-tri/").status_code == 302


def test_wrong_staff_password_is_refused(client, app):
    with app.app_context():
        make_staff()
    html = staff_login(client, password="sai").get_data(as_text=True)
    assert "chưa đúng" in html
