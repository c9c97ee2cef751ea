"""The official communes of Hải Phòng (province 31) and the loader's idempotence."""
from collections import Counter

from sqlalchemy import func, select

from quiz.infra.extensions import db
from quiz.models import Commune
from quiz.people.communes import province_entry, sync_communes


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
