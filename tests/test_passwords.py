"""Password hashing: argon2id at OWASP's minimum, older Werkzeug hashes upgraded at the next log-in."""
from werkzeug.security import generate_password_hash

from quiz.infra.extensions import db
from quiz.infra.passwords_hash import (
    OWASP_MINIMUM,
    HashCost,
    hash_password,
    verify_password,
)
from quiz.models import Citizen, StaffUser
from tests.conftest import make_citizen, make_staff, staff_login
from tests.test_citizen_flow import login, register


def test_the_default_cost_is_owasps_argon2id_minimum():
    stored = hash_password("matkhau123")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password(stored, "matkhau123") == verify_password(stored, "matkhau123", OWASP_MINIMUM)
    assert verify_password(stored, "matkhau123").matches and not verify_password(stored, "sai").matches


def test_a_hash_at_another_cost_verifies_and_is_offered_a_rehash():
    cheap = hash_password("matkhau123", HashCost(64, 1, 1))
    check = verify_password(cheap, "matkhau123", OWASP_MINIMUM)
    assert check.matches and check.new_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password(cheap, "matkhau123", HashCost(64, 1, 1)).new_hash is None


def test_garbage_and_empty_hashes_never_match():
    for stored in (None, "", "$argon2id$broken", "plain-text"):
        assert verify_password(stored, "matkhau123") == verify_password(None, "x")


def test_an_old_scrypt_citizen_logs_in_and_is_rehashed(app, client, contest):
    with app.app_context():
        citizen = make_citizen(phone="0912345678")
        citizen.password_hash = generate_password_hash("matkhau123", method="scrypt")
        db.session.commit()
        citizen_id = citizen.id
    assert login(client, password="sai-mat-khau").status_code == 200  # refused: nothing rewritten
    with app.app_context():
        assert db.session.get(Citizen, citizen_id).password_hash.startswith("scrypt:")
    assert login(client).status_code == 302
    assert client.get("/thi").status_code == 200
    with app.app_context():
        stored = db.session.get(Citizen, citizen_id).password_hash
    assert stored.startswith("$argon2id$") and verify_password(stored, "matkhau123", HashCost(64, 1, 1)).matches
    client.post("/dang-xuat")
    assert login(client).status_code == 302  # and the new hash lets them in again


def test_an_old_pbkdf2_staff_account_is_rehashed_at_log_in(app, client):
    with app.app_context():
        staff = make_staff()
        staff.password_hash = generate_password_hash("matkhau-quan-tri", method="pbkdf2:sha256:1000")
        db.session.commit()
    assert staff_login(client).status_code == 302
    with app.app_context():
        assert db.session.get(StaffUser, 1).password_hash.startswith("$argon2id$")


def test_registration_stores_argon2id_and_logs_the_citizen_in(app, client, contest):
    assert register(client).status_code == 302
    assert client.get("/thi").status_code == 200  # logged in by the registration itself: no second hash
    with app.app_context():
        assert db.session.query(Citizen).one().password_hash.startswith("$argon2id$v=19$m=64,t=1,p=1$")
