"""The pages of the weekly contest on a 360 px phone in Debian's Chromium: Thể lệ, the contest page, Thi thử
(timer, answers saved, offline resume, never counted), the share link with its QR code, the winners of a
period, and the organizer's dashboard, contest and prize pages. axe-core finds nothing serious."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from quiz import tallies
from quiz.contest.prizes import TierDraft, compute_winners, publish_winners, set_tiers
from quiz.infra.clock import utcnow
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.models import Attempt, BestResult, Commune, Consent, PracticeAttempt, PrivacyNotice, Round
from tests.admin_helpers import COMMUNE_A, COMMUNE_B, add_staff
from tests.browser.conftest import ARTIFACTS, PHONE, screenshot, serious_accessibility_violations, small_tap_targets
from tests.browser.test_dashboard_live import staff_login
from tests.browser.test_phone_experience import no_overflow, wait_for_offline_shell
from tests.browser.test_phone_flow import choose, register_on_phone, tap_submit
from tests.conftest import make_citizen
from tests.test_prizes import _store_for

PAGE_FITS = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
NAMES = ("Nguyễn Thị Hoa", "Trần Văn Minh", "Lê Thị Thu", "Phạm Văn Nam", "Vũ Thị Lan")


@pytest.fixture
def weekly(app, contest) -> tuple[int, int, int]:
    """A contest of two weeks: week 1 closed with published winners from two communes, week 2 open."""
    with app.app_context():
        week_2 = db.session.get(Round, contest.id)
        week_2.name, week_2.allowance_period, week_2.attempts_allowed = "Tuần 2", "day", 2
        week_2.tiebreak_chain = ["score", "duration", "submitted_at"]
        week_2.contest.name = "Cuộc thi tuần Công dân số"
        week_2.contest.commune_score = {"participation_rate": 1, "completions": 0.5, "pass_rate": 0,
                                        "prize_points": {"1": 10, "2": 5}}
        now = utcnow()
        week_1 = Round(name="Tuần 1", opens_at=now - timedelta(days=8), closes_at=now - timedelta(days=1),
                       contest_id=week_2.contest_id, appeal_days=0, tiebreak_chain=["score", "duration"])
        db.session.add(week_1)
        db.session.get(Commune, COMMUNE_A).adult_population = 12_500
        db.session.get(Commune, COMMUNE_B).adult_population = 8_300
        db.session.commit()
        notice = db.session.scalar(select(PrivacyNotice))
        for n, name in enumerate(NAMES):
            citizen = make_citizen(COMMUNE_A if n % 2 else COMMUNE_B, full_name=name)
            _store_for(week_1, citizen.id, 20 - n)
            if n != 1:  # the others agreed to their name being published
                db.session.add(Consent(citizen_id=citizen.id, purpose=Consent.PUBLISH_WINNER, notice_id=notice.id,
                                       notice_sha256=notice.text_sha256))
        db.session.commit()
        set_tiers(week_1.id, [TierDraft("Giải nhất", 1, "2.000.000 đồng"), TierDraft("Giải nhì", 1, "1.000.000 đồng"),
                              TierDraft("Giải khuyến khích", 2, "300.000 đồng")], None)
        compute_winners(week_1.id, now, None)
        publish_winners(week_1.id, now, None)
        add_staff("bantochuc")
        tallies.rebuild()
        return week_1.id, week_2.id, week_2.contest_id


def _counted() -> tuple:
    """What a practice sitting must never move."""
    return (db.session.scalar(select(func.count(Attempt.id))), db.session.scalar(select(func.count(BestResult.id))),
            tallies.read_commune_figures(None).totals)


def test_practice_counts_down_saves_each_answer_and_resumes_offline(app, live_server, phone, weekly, redis):
    page = phone.new_page()
    register_on_phone(page, live_server, "0912180001")
    with app.app_context():
        before = _counted()
    page.goto(f"{live_server}/thi-thu")
    page.get_by_role("button", name="Bắt đầu thi thử").click()
    page.wait_for_url(re.compile(r"/thi-thu/\d+$"))
    practice_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("#quizbar .practice-tag")).to_have_text("THI THỬ")
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^(20:00|19:5\d)$"))
    choose(page, 0)
    expect(page.locator("#save-status")).to_contain_text(re.compile(r"Đã lưu lúc \d\d:\d\d:\d\d"))
    expect(page.locator("#progress")).to_have_text("Đã trả lời 1/20")
    wait_for_offline_shell(page)
    phone.set_offline(True)
    choose(page, 1)
    expect(page.locator("#save-status")).to_have_text("Mất kết nối – câu trả lời được giữ trên máy.")
    page.reload()  # offline: the service worker's copy, the answers from the phone
    expect(page.locator("#quiz-form")).to_be_visible()
    assert page.locator("input:checked").count() == 2
    screenshot(page, "practice-offline", full_page=False)
    phone.set_offline(False)
    expect(page.locator("#save-status")).to_contain_text("Đã lưu lúc")
    with app.app_context():
        saved = db.session.get(PracticeAttempt, practice_id).items
        assert [item["s"] is not None for item in saved[:3]] == [True, True, False]
        with write_transaction():
            db.session.get(PracticeAttempt, practice_id).deadline_at = utcnow() + timedelta(seconds=4)
    page.reload()
    page.wait_for_selector("text=Kết quả thi thử", timeout=20000)  # submitted by itself when the time ran out
    expect(page.locator(".practice-label")).to_contain_text("không tính điểm")
    with app.app_context():
        assert db.session.get(PracticeAttempt, practice_id).submitted_at is not None
        assert _counted() == before and tallies.verify(list(weekly[:2])) == []
    assert page.evaluate("Object.keys(localStorage).filter(k => k.indexOf('thi-thu') !== -1)") == []


@pytest.fixture
def audited(browser):
    context = browser.new_context(**PHONE, bypass_csp=True)
    yield context
    context.close()


def _check(page, name: str, problems: dict, small: dict, which: str = "controls", full_page: bool = True) -> None:
    screenshot(page, f"campaign-{name}", full_page=full_page)
    screenshot(page, f"campaign-{name}-screen", full_page=False)  # what the phone shows first
    problems[name] = serious_accessibility_violations(page)
    small[name] = small_tap_targets(page, which)
    no_overflow(page)


def test_the_citizen_pages_of_the_contest_pass_axe_and_fit_a_phone(live_server, audited, weekly):
    week_1, _, _ = weekly
    page = audited.new_page()
    problems: dict = {}
    small: dict = {}
    for name, path in (("rules", "/the-le"), ("rules-week-1", f"/the-le/{week_1}"), ("winners", "/dat-giai"),
                       ("public-results", f"/ket-qua-cong-khai?dot={week_1}")):
        page.goto(live_server + path)
        _check(page, name, problems, small)
    register_on_phone(page, live_server, "0912180002")
    for name, path in (("contest", "/thi"), ("practice-home", "/thi-thu"), ("referral", "/lan-toa")):
        page.goto(live_server + path)
        _check(page, name, problems, small)
    page.goto(live_server + "/thi-thu")
    page.get_by_role("button", name="Bắt đầu thi thử").click()
    page.wait_for_url(re.compile(r"/thi-thu/\d+$"))
    choose(page, 0)
    expect(page.locator("#save-status")).to_contain_text("Đã lưu")
    _check(page, "practice-quiz", problems, small, "all", full_page=False)
    tap_submit(page)
    page.wait_for_selector("text=Kết quả thi thử")
    _check(page, "practice-result", problems, small)
    assert {k: v for k, v in problems.items() if v} == {}
    assert {k: v for k, v in small.items() if v} == {}


def test_the_organizer_pages_of_the_contest_pass_axe(live_server, browser, weekly):
    week_1, week_2, contest_id = weekly
    context = browser.new_context(**PHONE, bypass_csp=True)
    page = staff_login(context, live_server, "bantochuc", r"/quan-tri/tong-quan")
    problems: dict = {}
    for name, path in (("dashboard", f"/quan-tri/tong-quan?round={week_2}"), ("contest", f"/quan-tri/cuoc-thi/{contest_id}"),
                       ("prizes", f"/quan-tri/dot-thi/{week_1}/giai-thuong"), ("prizes-open", f"/quan-tri/dot-thi/{week_2}/giai-thuong"),
                       ("referrals", "/quan-tri/lan-toa")):
        page.goto(live_server + path)
        screenshot(page, f"organizer-{name}")
        screenshot(page, f"organizer-{name}-screen", full_page=False)
        problems[name] = serious_accessibility_violations(page)
        assert page.evaluate(PAGE_FITS), name  # wide tables scroll inside their own box
    page.goto(f"{live_server}/quan-tri/tong-quan?round={week_2}")
    ranking = page.locator("#commune-ranking")
    expect(ranking).to_contain_text("Giải tập thể")
    ranking.screenshot(path=str(ARTIFACTS / "organizer-dashboard-commune-ranking.png"))
    context.close()
    assert {k: v for k, v in problems.items() if v} == {}
