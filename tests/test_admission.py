"""The admission room for "Bắt đầu": capacity reached → waiting page, then admitted; a random draw at an
opening; staggered commune groups; a per-process share when Redis is down. Real Redis throughout."""
import random
import re
import socket
import time
from datetime import timedelta

import pytest
import redis as redis_lib
from redis.backoff import NoBackoff
from redis.retry import Retry

from quiz.contest import admission
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.infra.redis_client import get_redis
from quiz.models import Round
from quiz.tallies.figures import province_codes
from tests.conftest import make_citizen, make_staff, staff_login
from tests.test_citizen_flow import csrf_token, login

EPOCH = utcnow().replace(microsecond=0)


def settings(per_minute=60.0, burst_seconds=2.0, **changes) -> admission.RoomSettings:
    return admission.RoomSettings(starts_per_minute=per_minute, province_code="31", draw_seconds=10,
                                  burst_seconds=burst_seconds, **changes)


def poll(client, room, citizen_id, now, opens_at=EPOCH, group=0, rng=None):
    return admission.admit(client, room, 1, group, opens_at, citizen_id, now, rng or random.Random(citizen_id))


@pytest.fixture
def room_redis(app, redis):
    """The app's own Redis client (a cluster client when the suite runs against a Redis Cluster)."""
    with app.app_context():
        yield get_redis()


def test_capacity_reached_gives_a_place_and_a_wait_then_admission(room_redis):
    room, later = settings(), EPOCH + timedelta(hours=1)  # one start a second, two at once
    assert [poll(room_redis, room, c, later).admitted for c in (1, 2)] == [True, True]
    third = poll(room_redis, room, 3, later)
    assert not third.admitted and third.position == 1 and 0 < third.wait_seconds <= 1.0
    assert admission.RETRY_MIN * 0.8 <= third.retry_seconds <= admission.RETRY_MAX * 1.2
    assert not poll(room_redis, room, 4, later).admitted  # queued behind citizen 3
    assert poll(room_redis, room, 4, later + timedelta(seconds=1)).admitted is False  # 3 is ahead
    assert poll(room_redis, room, 3, later + timedelta(seconds=1)).admitted
    assert poll(room_redis, room, 3, later + timedelta(seconds=1.1)).admitted  # a pass: pressing again is fine
    assert poll(room_redis, room, 4, later + timedelta(seconds=2)).admitted


def test_those_waiting_at_the_opening_are_admitted_in_random_order(room_redis):
    room, arrivals = settings(), list(range(1, 21))
    during_draw = EPOCH + timedelta(seconds=1)
    taken = [poll(room_redis, room, c, during_draw) for c in arrivals]
    assert not any(v.admitted for v in taken) and all(v.drawing for v in taken)
    first = [poll(room_redis, room, c, during_draw) for c in arrivals]  # places once all have tickets
    assert sorted(v.position for v in first) == arrivals
    for _ in range(30):  # hammering the button during the draw keeps the same ticket
        assert poll(room_redis, room, 1, during_draw + timedelta(seconds=2), rng=random.Random()).position \
            == first[0].position
    late = poll(room_redis, room, 99, EPOCH + timedelta(seconds=11))  # after the draw: behind all drawn tickets
    assert late.position == 21
    batches, now = [], EPOCH + timedelta(seconds=11)
    while sum(map(len, batches)) < 20:  # everyone polls each second, in arrival order
        now += timedelta(seconds=1)
        admitted = {c for c in arrivals if c not in set().union(*batches) and poll(room_redis, room, c, now).admitted}
        batches.append(admitted)
    drawn = sorted(arrivals, key=lambda c: first[c - 1].position)
    assert drawn != arrivals
    start = 0
    for batch in batches:  # admitted exactly in the drawn order, whoever polled first
        assert batch == set(drawn[start:start + len(batch)])
        start += len(batch)
    assert poll(room_redis, room, 99, now + timedelta(seconds=1)).admitted


def test_a_ticket_nobody_polls_gives_up_its_place(room_redis):
    room, later = settings(burst_seconds=0), EPOCH + timedelta(hours=1)
    assert poll(room_redis, room, 1, later).admitted and poll(room_redis, room, 2, later).admitted
    assert poll(room_redis, room, 3, later).position == 1
    assert poll(room_redis, room, 4, later).position == 2
    gone = later + timedelta(seconds=admission.STALE_SECONDS + 1)  # citizen 3 closed the page
    assert poll(room_redis, room, 4, gone).admitted


def test_staggered_groups_wait_for_their_opening(room_redis):
    codes = [f"{n:05d}" for n in range(10)]
    assert [admission.commune_group(c, codes, 2) for c in codes] == [0] * 5 + [1] * 5
    room, group_opening = settings(), EPOCH + timedelta(minutes=30)
    early = poll(room_redis, room, 7, EPOCH + timedelta(minutes=29), opens_at=group_opening, group=1)
    assert not early.admitted and early.opens_at == group_opening
    assert early.wait_seconds >= 60 and group_opening - EPOCH - timedelta(minutes=29) \
        <= timedelta(seconds=early.retry_seconds) <= timedelta(minutes=1, seconds=10)


def test_redis_down_falls_back_to_a_share_per_process():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    down = redis_lib.Redis(port=port, socket_connect_timeout=0.2, socket_timeout=0.2, retry=Retry(NoBackoff(), 0))
    room = settings(per_minute=120, burst_seconds=0, processes=2)  # this process: one start a second
    first = admission.admit(down, room, 9, 0, EPOCH, 1, EPOCH + timedelta(hours=1))
    second = admission.admit(down, room, 9, 0, EPOCH, 2, EPOCH + timedelta(hours=1))
    assert first.admitted and first.degraded
    assert not second.admitted and second.degraded and 0 < second.wait_seconds <= 1.0
    assert admission.admit(down, room, 9, 0, EPOCH, 2, EPOCH + timedelta(hours=1, seconds=1)).admitted


# ---- through the web: the "Bắt đầu" button, the waiting page, then the quiz ----

@pytest.fixture
def busy_room(app, redis, monkeypatch):
    monkeypatch.setitem(app.config, "ADMISSION_STARTS_PER_MINUTE", 120.0)  # one start every 0.5 s
    monkeypatch.setitem(app.config, "ADMISSION_BURST_SECONDS", 0.0)  # at most two at once
    monkeypatch.setitem(app.config, "ADMISSION_DRAW_SECONDS", 0.0)


def press_start(client):
    return client.post("/thi/bat-dau", data={"csrf_token": csrf_token(client.get("/thi"))})


def citizens_logged_in(app, count):
    clients = []
    with app.app_context():
        phones = [make_citizen().phone for _ in range(count)]
    for phone in phones:
        clients.append(app.test_client())
        assert login(clients[-1], phone=phone).status_code == 302
    return clients


def test_the_button_shows_the_waiting_page_then_lets_the_citizen_in(app, contest, busy_room):
    first, second, third = citizens_logged_in(app, 3)
    assert press_start(first).status_code == 302 and press_start(second).status_code == 302
    waiting = press_start(third)
    html = waiting.get_data(as_text=True)
    assert waiting.status_code == 200 and int(waiting.headers["Retry-After"]) >= 1
    assert "Xin vui lòng chờ" in html and "Thời gian chờ ước tính" in html and "tự thử lại" in html
    assert re.search(r'<form method="post" action="/thi/bat-dau" data-retry-seconds="\d+"', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline scripts are forbidden by the CSP"
    assert "script-src 'self'" in waiting.headers["Content-Security-Policy"]
    assert waiting.headers["Cache-Control"] == "no-store"
    time.sleep(0.6)
    admitted = third.post("/thi/bat-dau", data={"csrf_token": csrf_token(waiting)})
    assert admitted.status_code == 302 and "/thi/" in admitted.headers["Location"]
    assert press_start(first).status_code == 302  # resuming an open attempt never waits


def test_a_later_commune_group_sees_its_opening_time(app, contest, busy_room):
    with app.app_context():
        round_ = db.session.get(Round, contest.id)
        round_.stagger_groups, round_.stagger_minutes = 2, 90
        db.session.commit()
        late_code = max(province_codes("31"))
        phone = make_citizen(commune_code=late_code).phone
    client = app.test_client()
    login(client, phone=phone)
    html = press_start(client).get_data(as_text=True)
    assert "Xã, phường của bạn được bắt đầu làm bài từ" in html
    early, = citizens_logged_in(app, 1)  # commune 10507 is in the first group
    assert press_start(early).status_code == 302


def test_the_room_is_off_without_a_capacity(app, contest, redis):
    assert app.config["ADMISSION_STARTS_PER_MINUTE"] == 0
    clients = citizens_logged_in(app, 3)
    assert [press_start(c).status_code for c in clients] == [302, 302, 302]


def test_the_round_form_saves_a_staggered_opening_and_refuses_bad_numbers(app, client, contest):
    with app.app_context():
        make_staff()
    staff_login(client)
    form = {"csrf_token": csrf_token(client.get("/quan-tri/dot-thi/moi")), "name": "Tuần lệch giờ",
            "opens_at": "2030-01-01T08:00", "closes_at": "2030-01-08T08:00", "stagger_groups": "4",
            "stagger_minutes": "15"}
    assert client.post("/quan-tri/dot-thi/moi", data=form).status_code == 302
    with app.app_context():
        saved = db.session.scalar(db.select(Round).where(Round.name == "Tuần lệch giờ"))
        assert (saved.stagger_groups, saved.stagger_minutes) == (4, 15)
    refused = client.post("/quan-tri/dot-thi/moi", data={**form, "name": "Sai", "stagger_groups": "0"})
    assert refused.status_code == 200 and "Số nhóm xã mở lệch giờ: nhập số nguyên từ 1 đến 50." in refused.get_data(as_text=True)
