"""Referral ("lan tỏa"): a share link and QR code per citizen, attribution, no personal data to the referrer."""
from sqlalchemy import select

from quiz.infra.extensions import db
from quiz.models import Citizen
from quiz.people import referrals
from quiz.people.referrals import attribute, referral_ranking
from tests.conftest import make_citizen, make_staff, staff_login
from tests.test_citizen_flow import FORM, register


def test_a_registration_through_a_share_link_is_attributed_without_showing_who(app, client, contest):
    register(client)  # the referrer, Lê Thị Hoa
    page = client.get("/lan-toa").get_data(as_text=True)
    link = page.split('id="share-link">')[1].split('<')[0]
    assert "/gioi-thieu/" in link and "<svg" in page and "Đã có <strong>0</strong>" in page
    friend = app.test_client()
    assert friend.get(link).headers["Location"].endswith("/dang-ky")
    register(friend, phone="0987 654 321", full_name="Phạm Minh Khôi")
    with app.app_context():
        hoa = db.session.scalar(select(Citizen).where(Citizen.full_name == FORM["full_name"]))
        khoi = db.session.scalar(select(Citizen).where(Citizen.full_name == "Phạm Minh Khôi"))
        assert khoi.referred_by_id == hoa.id
    page = client.get("/lan-toa").get_data(as_text=True)
    assert "Đã có <strong>1</strong>" in page and "Khôi" not in page and "0987" not in page


def test_unknown_or_own_codes_are_ignored_and_the_organizer_ranks_referrers(app, client, contest):
    with app.app_context():
        referrer, other = make_citizen(full_name="Nguyễn Văn An"), make_citizen()
        from quiz.people.referrals import referral_code_for
        code = referral_code_for(referrer.id)
        assert referral_code_for(referrer.id) == code  # stable
        assert not attribute(other.id, "khongcoma") and not attribute(referrer.id, code)
        assert attribute(other.id, code.upper()) and not attribute(other.id, code)  # once only
        assert [(r.masked_name, r.registered) for r in referral_ranking()] == [("Nguyễn Văn A•••", 1)]
        make_staff()
    staff_login(client)
    html = client.get("/quan-tri/lan-toa").get_data(as_text=True)
    assert "Nguyễn Văn A•••" in html and "Nguyễn Văn An" not in html


def test_a_share_link_with_control_characters_never_breaks_the_visitors_session(client):
    """Found by the fuzz gate: /gioi-thieu/%00 stored a NUL in the signed session, which the strict JSON reader
    then refused on every later request of that browser (500 until the cookie was cleared)."""
    for code in ("%00", "abc%00def", "%E2%80%AE", "x" * 40):
        response = client.get(f"/gioi-thieu/{code}")
        assert response.status_code == 302
        assert client.get("/dang-ky").status_code == 200
        with client.session_transaction() as session:
            assert referrals.SESSION_KEY not in session  # not a code this site ever gives out


def test_a_session_cookie_that_cannot_be_read_is_a_new_session(app, client):
    """A cookie signed with our key whose payload our JSON reader refuses (older code stored one) is ignored."""
    serializer = app.session_interface.get_signing_serializer(app)
    client.set_cookie("session", serializer.dumps({"referral_code": "a\x00b"}))
    assert client.get("/dang-ky").status_code == 200
