"""Public pages (no login): content, caching (Cache-Control, ETag, 304), no personal data, no 5xx on bad input."""
import io
import re

import pytest
from PIL import Image
from sqlalchemy import update

from quiz.certificates.issuing import issue_completion, issue_prize
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import Commune, Round
from tests.certificate_helpers import close_round, passed_and_failed

PHONE_LIKE = re.compile(r"(?<!\d)(?:\+?84|0)\d{9}(?!\d)")


@pytest.fixture
def published(app, contest, redis):
    """A closed round with a passed winner (consenting) and a failed citizen, certificates issued."""
    with app.app_context():
        from quiz import tallies
        tallies.rebuild()
        passed, failed = passed_and_failed(contest.id)
        db.session.execute(update(Commune).where(Commune.code.in_(["10507", "10792"])).values(adult_population=1000))
        db.session.commit()
        round_ = close_round(contest.id)
        completion = issue_completion(passed.id, contest.id, "Ban Tổ chức", utcnow())
        prize = issue_prize(passed.id, round_, "Ban Tổ chức", utcnow())
        return {"completion": completion.code, "prize": prize.code, "round_id": contest.id,
                "names": ["Nguyễn Thị Thuỷ Hằng", "Hoàng Văn Bình"], "phones": [passed.phone, failed.phone],
                "birth_dates": ["17/05/1970", "1970-05-17", "17-05-1970", "17.05.1970"]}


def public_urls(app, published) -> list[str]:
    """Every GET route of the public blueprint, with its parameters filled in."""
    fill = {"code": published["completion"]}
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("public.") and "GET" in rule.methods:
            urls.append(rule.rule.replace("<code>", fill["code"]))
    return sorted(urls)


def test_public_pages_show_the_facts(client, published):
    results = client.get("/ket-qua-cong-khai").get_data(as_text=True)
    assert "Phường Thành Đông" in results and "Xếp hạng" in results and "mục tiêu 80%" in results
    assert "0,1%" in results  # 1 of 1,000 adults in each commune: the city's progress
    winners = client.get("/dat-giai").get_data(as_text=True)
    assert "Giải Nhất" in winners and "Nguyễn Thị Thuỷ H•••" in winners and "Phường Thành Đông" in winners
    verify = client.get(f"/xac-minh/{published['prize']}").get_data(as_text=True)
    assert "Còn hiệu lực" in verify and "Giải Nhất" in verify and "Nguyễn Thị Thuỷ H•••" in verify


def test_no_public_page_shows_a_phone_a_birth_date_or_a_full_name(app, client, published):
    urls = public_urls(app, published) + [f"/xac-minh/{published['prize']}", "/ket-qua-cong-khai?dot=1"]
    assert "/ket-qua-cong-khai" in urls and "/dat-giai" in urls and "/tra-cuu-chung-nhan" in urls
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        if response.mimetype != "text/html":
            continue
        body = response.get_data(as_text=True)
        for secret in published["names"] + published["phones"] + published["birth_dates"]:
            assert secret not in body, f"{url} shows {secret!r}"
        assert not PHONE_LIKE.search(body), f"{url} shows something like a phone number"


def test_a_winner_without_publication_consent_is_not_named(app, client, published):
    from quiz.models import Consent
    with app.app_context():
        db.session.execute(update(Consent).where(Consent.purpose == Consent.PUBLISH_WINNER).values(withdrawn_at=utcnow()))
        db.session.commit()
    winners = client.get("/dat-giai").get_data(as_text=True)
    assert "Giải Nhất" in winners and "(không công bố tên)" in winners and "H•••" not in winners


def test_public_pages_can_be_cached_and_answer_304(app, client, published):
    for url in public_urls(app, published):
        first = client.get(url)
        assert first.status_code == 200, url
        assert "public" in first.headers["Cache-Control"] and "max-age=" in first.headers["Cache-Control"], url
        assert "Set-Cookie" not in first.headers and "Cookie" not in first.headers.get("Vary", ""), url
        etag = first.headers["ETag"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b"", url


def test_a_logged_in_citizen_gets_the_same_public_bytes(client, published):
    anonymous = client.get("/dat-giai").get_data()
    from tests.test_citizen_flow import login
    login(client, published["phones"][0])
    assert client.get("/dat-giai").get_data() == anonymous


def test_unknown_or_tampered_codes_get_a_clear_not_found(client, published):
    code = published["completion"]
    for bad in [code[:-1] + ("A" if code[-1] != "A" else "B"), "0" * 13, "khong-co", "%00", "x" * 5000, "🙂"]:
        response = client.get(f"/xac-minh/{bad}")
        assert response.status_code == 404, bad
        assert "Không tìm thấy giấy chứng nhận" in response.get_data(as_text=True)
        assert client.get(f"/xac-minh/{bad}/anh-chia-se.png").status_code == 404


def test_lookup_sends_a_typed_code_to_its_verification_page_and_keeps_a_bad_one(client, published):
    code = published["completion"]
    typed = f"{code[:4].lower()}-{code[4:8]}-{code[8:]}"
    response = client.get(f"/tra-cuu-chung-nhan?ma={typed}")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/xac-minh/{code}")
    page = client.get("/tra-cuu-chung-nhan?ma=sai-ma-123").get_data(as_text=True)
    assert 'value="sai-ma-123"' in page and "Mã không đúng dạng" in page


@pytest.mark.parametrize("query", ["?dot=abc", "?dot=-1", "?dot=0", f"?dot={10**30}", "?dot=99999", "?dot=1.5"])
def test_results_page_takes_any_round_argument(client, published, query):
    assert client.get(f"/ket-qua-cong-khai{query}").status_code == 200


def test_share_image_is_1200_by_630_png(client, published):
    response = client.get(f"/xac-minh/{published['prize']}/anh-chia-se.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    with Image.open(io.BytesIO(response.data)) as image:
        assert image.size == (1200, 630)


def test_share_image_is_light_enough_for_3g(client, published):
    """The certificate page shows it as a preview: a palette of a few colours keeps it under 25 KB (52 KB in full colour)."""
    for kind in ("prize", "completion"):
        response = client.get(f"/xac-minh/{published[kind]}/anh-chia-se.png")
        assert len(response.data) < 25_000, (kind, len(response.data))


def test_public_pages_load_nothing_from_another_host(app, client, published):
    for url in public_urls(app, published):
        response = client.get(url)
        if response.mimetype == "text/html":
            assert not re.search(r'(?:href|src)="(?:https?:)?//', response.get_data(as_text=True)), url


def test_compressed_public_pages_keep_their_etag_and_answer_304(client, published):
    import brotli
    plain = client.get("/ket-qua-cong-khai").get_data()
    packed = client.get("/ket-qua-cong-khai", headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["Content-Encoding"] == "br" and "Accept-Encoding" in packed.headers["Vary"]
    assert brotli.decompress(packed.data) == plain
    assert packed.headers["ETag"].endswith(':br"')
    again = client.get("/ket-qua-cong-khai", headers={"Accept-Encoding": "gzip, br", "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304
    gzipped = client.get("/ket-qua-cong-khai", headers={"Accept-Encoding": "gzip"})
    import gzip
    assert gzipped.headers["Content-Encoding"] == "gzip" and gzip.decompress(gzipped.data) == plain


def test_a_certificates_public_surfaces_show_one_form_of_the_name(app, client, published):
    """Red team: the verification page showed 'Nguyễn Thị Thuỷ H•••' and its og:description and share image the
    given name 'Hằng': together, the full name. Every public surface of a certificate shows the masked name only."""
    from quiz.certificates.share_image import ShareCard, share_png
    from quiz.certificates.verification import verify_code
    for kind in ("prize", "completion"):
        code = published[kind]
        page = client.get(f"/xac-minh/{code}").get_data(as_text=True)
        assert "Hằng" not in page and "Nguyễn Thị Thuỷ H•••" in page
        with app.app_context():
            facts = verify_code(code, app.config["CONTEST_TITLE"])
        card = ShareCard("Nguyễn Thị Thuỷ H•••", facts.commune_name, facts.prize or f"Đạt {facts.score}",
                         facts.contest_title, facts.round_name, facts.display_code)  # the code: it can be checked
        assert client.get(f"/xac-minh/{code}/anh-chia-se.png").data == share_png(card), kind


def test_communes_without_participants_get_no_rank_and_equal_figures_share_one(app, published):
    from quiz.reports.public_results import overview
    with app.app_context():
        rows = overview(db.session.get(Round, published["round_id"]), "31").rows
    ranked = [r for r in rows if r.registered]
    assert [r.rank for r in ranked] == [1, 1]  # two communes, 1 of 1,000 adults each: the same place
    assert all(r.rank is None for r in rows if not r.registered)


def test_public_pages_invite_to_take_part(client, published):
    for url in ("/ket-qua-cong-khai", "/dat-giai", f"/xac-minh/{published['prize']}", "/tra-cuu-chung-nhan"):
        assert 'href="/dang-ky"' in client.get(url).get_data(as_text=True), url
