"""Forms that forgive: every error of a submit at once with a summary, dates typed any phone way,
a rate-limited registration that keeps what was typed and says how many minutes to wait."""
import re
from datetime import date

import pytest

from quiz.web.forms import parse_vn_date
from tests.conftest import make_citizen
from tests.test_citizen_flow import FORM, register


@pytest.mark.parametrize("typed", ["05/09/1958", "5/9/1958", "05-09-1958", "05.09.1958", "05091958",
                                   "1958-09-05", " 5 9 1958 ", "5 / 9 / 1958"])
def test_date_of_birth_accepts_what_a_phone_keyboard_types(typed):
    assert parse_vn_date(typed) == date(1958, 9, 5)


@pytest.mark.parametrize("typed", ["05/09/58", "050958", "31/02/1958", "00/09/1958", "5/13/1958", "hôm qua", ""])
def test_date_of_birth_refuses_two_digit_years_and_impossible_dates(typed):
    with pytest.raises(ValueError):
        parse_vn_date(typed)


def test_a_two_digit_year_is_refused_with_an_example(client, contest):
    html = register(client, birth_date="5/9/58").get_data(as_text=True)
    assert "năm đủ 4 chữ số" in html and "05/09/1958" in html


def test_every_rule_error_of_a_submit_is_shown_at_once_with_a_summary(client, app, contest):
    with app.app_context():
        make_citizen(phone="0912345678")
    response = register(client, password="123", consent="", birth_date="31/02/1958")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    summary = re.search(r'<div class="error-summary"[^>]*role="alert"[^>]*>(.*?)</div>', html, re.S)
    assert summary, "no error summary at the top"
    links = re.findall(r'<a href="#([a-z_]+)">', summary.group(1))
    assert set(links) == {"birth_date", "phone", "password", "consent"}
    for field in ("birth_date", "phone", "password", "consent"):
        assert f'id="{field}-error"' in html, field
    assert 'value="Lê Thị Hoa"' in html  # nothing typed is lost...
    assert "nhập lại mật khẩu" in html  # ...except the password, and the page says so beside the field


def test_a_corrected_field_loses_its_error(client, contest):
    register(client, password="123", consent="")
    html = register(client, consent="").get_data(as_text=True)
    assert 'id="password-error"' not in html and 'id="consent-error"' in html




def test_a_rate_limited_registration_keeps_the_values_and_says_minutes(limited, contest):
    client = limited.test_client()
    for _ in range(5):
        register(client, consent="")
    response = register(client, full_name="Phạm Văn Bảy", consent="")
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "thao tác quá nhanh" not in html
    minutes = re.search(r"khoảng (\d+) phút", html)
    assert minutes and 50 <= int(minutes.group(1)) <= 60
    assert 'value="Phạm Văn Bảy"' in html and f'value="{FORM["birth_date"]}"' in html
    assert '<option value="10792" data-key="xa an thanh" selected>' in html


def test_a_minor_without_guardian_details_sees_every_guardian_problem_at_once(client, contest):
    html = register(client, birth_date="01/01/2015", consent="").get_data(as_text=True)
    for field in ("guardian_name", "guardian_phone", "guardian_consent", "consent"):
        assert f'id="{field}-error"' in html, field
    assert "Vui lòng điền số điện thoại của cha, mẹ hoặc người giám hộ." in html  # empty is not "invalid"


def test_a_name_typed_with_decomposed_accents_is_measured_as_written(client, contest):
    """Some phone keyboards send "ễ" as e + two combining marks: 85 letters were 106 code points, and
    "Họ tên quá dài" refused a name the rules accept (outside review)."""
    import unicodedata

    from tests.test_citizen_flow import register
    name = "Nguyễn Hoàng Phương Thảo Ngọc Bích Trâm Quỳnh Như Lê Thị Mỹ Duyên Tường Vi Ánh Nguyệt"
    response = register(client, full_name=unicodedata.normalize("NFD", name))
    assert response.status_code == 302, response.get_data(as_text=True)
