"""The official communes of Hải Phòng (province 31) and the loader's idempotence."""
from collections import Counter

from sqlalchemy import func, select

from quiz.infra.extensions import db
from quiz.models import Commune
from quiz.people.communes import province_entry, sync_communes
from tests.conftest import csrf_token


def test_hai_phong_has_114_communes_45_67_2(ctx):
    communes = db.session.scalars(select(Commune).where(Commune.province_code == "31")).all()
    assert len(communes) == 114
    assert Counter(c.kind for c in communes) == {"phuong": 45, "xa": 67, "dac_khu": 2}


def test_official_codes_not_the_draft_ones(ctx):
    official = {"10507": "Phường Thành Đông", "10891": "Phường Tứ Minh", "10837": "Phường Nam Đồng",
                "10792": "Xã An Thành", "11329": "Phường Ngô Quyền"}
    for code, name in official.items():
        assert db.session.get(Commune, code).name == name
    for draft in ("10510", "10540", "10672", "10777", "11341"):
        assert db.session.get(Commune, draft) is None or db.session.get(Commune, draft).name not in official.values()


def test_names_as_published(ctx):
    names = set(db.session.scalars(select(Commune.name)))
    assert {"Xã Tứ Kỳ", "Đặc khu Bạch Long Vĩ", "Đặc khu Cát Hải", "Phường Thủy Nguyên", "Phường Hòa Bình"} <= names


def test_sync_is_idempotent(ctx):
    report = sync_communes("31")
    assert (report.added, report.updated, report.unchanged) == (0, 0, 114)
    assert db.session.scalar(select(func.count()).select_from(Commune)) == 114


def test_another_province_is_in_the_data():
    hanoi = province_entry("01")
    assert len(hanoi["communes"]) > 100
    assert all(len(c["code"]) == 5 for c in hanoi["communes"])


def test_the_registration_page_shows_the_communes_as_the_table_holds_them(app, client, contest):
    """Its commune list is cached by content in each process: a renamed commune, and a sync undoing it, show at once."""
    official = '<option value="10507" data-key="phuong thanh dong">Phường Thành Đông</option>'
    assert official in client.get("/dang-ky").get_data(as_text=True)
    try:
        with app.app_context():
            db.session.get(Commune, "10507").name = "Phường Tên Cũ"  # as a table looks before a sync brings the new name
            db.session.commit()
        page = client.get("/dang-ky").get_data(as_text=True)
        assert '<option value="10507" data-key="phuong thanh dong">Phường Tên Cũ</option>' in page and official not in page
    finally:
        with app.app_context():
            report = sync_communes("31")
    assert report.updated == 1
    assert official in client.get("/dang-ky").get_data(as_text=True)


def test_the_commune_typed_stays_chosen_and_only_that_one(client, contest):
    token = csrf_token(client.get("/dang-ky"))
    page = client.post("/dang-ky", data={"csrf_token": token, "commune_code": "10507"}).get_data(as_text=True)
    assert page.count(" selected>") == 1
    assert '<option value="10507" data-key="phuong thanh dong" selected>Phường Thành Đông</option>' in page
    page = client.post("/dang-ky", data={"csrf_token": token, "commune_code": "99999"}).get_data(as_text=True)
    assert page.count(" selected>") == 0 and page.count("<option value=") == 115
