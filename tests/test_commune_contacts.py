"""Forgotten password: each commune admin enters the commune's help desk; a citizen who picks that
commune sees it (name, phone, address, hours); nobody learns where a phone number is registered."""
from quiz.infra.extensions import db
from quiz.models import CommuneContact
from tests.admin_helpers import COMMUNE_A, COMMUNE_B
from tests.conftest import csrf_token, make_staff, staff_login

CONTACT = {"office_name": "Bộ phận một cửa UBND phường Thành Đông", "phone": "0220 3855 123",
           "address": "Số 1 Lê Thanh Nghị, phường Thành Đông", "hours": "7:30–11:30, Thứ Hai – Thứ Sáu"}


def save_contact(client, url="/quan-tri/lien-he-xa", **changes):
    token = csrf_token(client.get(url))
    return client.post(url, data={**CONTACT, **changes, "csrf_token": token})


def test_the_commune_admin_enters_the_contact_and_the_citizen_finds_it(app, client, contest):
    with app.app_context():
        make_staff("xa-a", "commune_admin", COMMUNE_A)
    staff_login(client, "xa-a")
    assert save_contact(client).status_code == 302
    citizen = app.test_client()
    page = citizen.get(f"/quen-mat-khau?xa={COMMUNE_A}").get_data(as_text=True)
    for value in CONTACT.values():
        assert value in page
    assert 'href="tel:02203855123"' in page


def test_a_commune_without_contact_points_to_the_hotline(client, contest):
    page = client.get(f"/quen-mat-khau?xa={COMMUNE_B}").get_data(as_text=True)
    assert "chưa cập nhật thông tin liên hệ" in page and "0225 3000 000" in page


def test_the_forgot_page_asks_for_a_commune_not_a_phone(client, contest):
    page = client.get("/quen-mat-khau").get_data(as_text=True)
    assert 'name="xa"' in page and 'name="phone"' not in page
    assert client.get("/quen-mat-khau?xa=99999").status_code == 200  # an unknown code is just no choice


def test_a_commune_admin_edits_only_their_own_commune(app, client, contest):
    with app.app_context():
        make_staff("xa-a", "commune_admin", COMMUNE_A)
    staff_login(client, "xa-a")
    save_contact(client, url=f"/quan-tri/lien-he-xa?xa={COMMUNE_B}")
    with app.app_context():
        assert db.session.get(CommuneContact, COMMUNE_B) is None
        assert db.session.get(CommuneContact, COMMUNE_A).office_name == CONTACT["office_name"]


def test_an_organizer_edits_any_commune_and_an_empty_form_says_what_is_missing(app, client, contest):
    with app.app_context():
        make_staff("bantochuc", "organizer")
    staff_login(client)
    assert save_contact(client, url=f"/quan-tri/lien-he-xa?xa={COMMUNE_B}").status_code == 302
    html = save_contact(client, url=f"/quan-tri/lien-he-xa?xa={COMMUNE_B}", phone="", hours="").get_data(as_text=True)
    assert html.count("Vui lòng điền mục này.") >= 2 and 'class="error-summary"' in html
    assert client.get("/quan-tri/lien-he-xa").status_code == 404  # an organizer names the commune


def test_looking_up_with_no_commune_chosen_says_to_choose_one(client, contest):
    page = client.get("/quen-mat-khau?xa=").get_data(as_text=True)
    assert "Vui lòng chọn xã, phường hoặc đặc khu" in page and 'aria-invalid="true"' in page
    assert "Vui lòng chọn xã, phường hoặc đặc khu" not in client.get("/quen-mat-khau").get_data(as_text=True)


def test_a_wrong_password_points_to_the_way_to_recover_it(client, contest):
    from tests.conftest import csrf_token
    from tests.test_citizen_flow import register
    register(client)
    client.post("/dang-xuat", data={"csrf_token": csrf_token(client.get("/thi"))})
    token = csrf_token(client.get("/dang-nhap"))
    page = client.post("/dang-nhap", data={"phone": "0912345678", "password": "sai-mat-khau", "csrf_token": token})
    assert "Xem cách lấy lại mật khẩu" in page.get_data(as_text=True)
