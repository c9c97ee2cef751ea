"""Registering citizens: normalisation, validation and one registration per phone."""
from datetime import date

import pytest
from sqlalchemy import event, inspect, select

from quiz.errors import RegistrationError
from quiz.infra.extensions import db
from quiz.models import Citizen, Consent
from quiz.people.registration import Applicant, register_citizen
from tests.conftest import make_citizen


def applicant(**changes) -> Applicant:
    values = dict(full_name="  Trần   Thị Bình ", birth_date=date(1958, 9, 5), phone="0912 345 678",
                  commune_code="10507", password="matkhau123", consent=True)
    values.update(changes)
    return Applicant(**values)


def test_register_normalises_name_and_phone(ctx, contest):
    citizen = register_citizen(applicant(full_name="Tra\u0302\u0300n Thị Bình"), "31", date(2026, 11, 25))
    assert citizen.full_name == "Trần Thị Bình"
    assert citizen.phone == "0912345678"
    assert citizen.check_password("matkhau123") and citizen.password_hash != "matkhau123"


@pytest.mark.parametrize("phone", ["+84 912 345 678", "0912.345.678", "84912345678"])
def test_same_phone_in_another_form_is_a_duplicate(ctx, contest, phone):
    register_citizen(applicant(), "31", date(2026, 11, 25))
    with pytest.raises(RegistrationError) as error:
        register_citizen(applicant(phone=phone), "31", date(2026, 11, 25))
    assert error.value.field == "phone" and "đăng nhập" in error.value.message


@pytest.mark.parametrize("changes, field", [
    ({"full_name": " "}, "full_name"),
    ({"full_name": "x" * 101}, "full_name"),
    ({"birth_date": date(2030, 1, 1)}, "birth_date"),
    ({"phone": "0241234567"}, "phone"),  # landline
    ({"phone": "12345"}, "phone"),
    ({"commune_code": "00001"}, "commune_code"),
    ({"commune_code": "00004"}, "commune_code"),  # a Hà Nội ward: not this province
    ({"password": "123"}, "password"),
    ({"consent": False}, "consent"),
])
def test_invalid_registration_is_refused_with_a_field_message(ctx, contest, changes, field):
    with pytest.raises(RegistrationError) as error:
        register_citizen(applicant(**changes), "31", date(2026, 11, 25))
    assert error.value.field == field
    assert db.session.scalar(select(Citizen.id)) is None


def test_consent_is_recorded_with_notice_version(ctx, contest):
    citizen = make_citizen(publish_consent=True)
    consents = db.session.scalars(select(Consent).where(Consent.citizen_id == citizen.id)).all()
    assert {c.purpose for c in consents} == {Consent.PROCESSING, Consent.PUBLISH_WINNER}
    assert all(c.notice.version == 1 and c.notice_sha256 == c.notice.text_sha256 for c in consents)


def test_under_16_needs_a_guardian(ctx, contest):
    child = dict(birth_date=date(2014, 1, 1))
    with pytest.raises(RegistrationError) as error:
        register_citizen(applicant(**child), "31", date(2026, 11, 25))
    assert error.value.field == "guardian_name"
    citizen = register_citizen(applicant(**child, guardian_name="Trần Văn Cha", guardian_phone="0987654321",
                                         guardian_consent=True), "31", date(2026, 11, 25))
    assert citizen.guardian_phone == "0987654321"


def test_the_citizen_returned_holds_the_stored_row_without_reading_it_back(ctx, contest):
    statements: list[str] = []

    def note(_connection, _cursor, statement, *_):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        citizen = register_citizen(applicant(), "31", date(2026, 11, 25))
        written = len(statements)
        held = {column.key: getattr(citizen, column.key) for column in inspect(Citizen).column_attrs}
        assert len(statements) == written and citizen.get_id() == f"c:{citizen.id}:{citizen.session_token}"
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    db.session.expire(citizen)
    assert held == {column.key: getattr(citizen, column.key) for column in inspect(Citizen).column_attrs}


def test_a_registered_phone_offers_the_log_in_and_the_recovery(client, contest):
    from tests.test_citizen_flow import register
    register(client)
    other = client.application.test_client()
    html = register(other).get_data(as_text=True)  # the same phone again
    assert 'href="/dang-nhap">Đăng nhập bằng số này' in html and 'href="/quen-mat-khau"' in html
