"""The admission room on the web: the capacity settings, the citizen's group, and the waiting page."""
import random
from datetime import datetime

from flask import current_app, render_template
from flask_login import current_user

from quiz.contest import admission
from quiz.infra.redis_client import get_redis
from quiz.models import Round
from quiz.tallies.figures import province_codes


def room_settings() -> admission.RoomSettings:
    config = current_app.config
    return admission.RoomSettings(
        starts_per_minute=config["ADMISSION_STARTS_PER_MINUTE"], province_code=config["PROVINCE_CODE"],
        draw_seconds=config["ADMISSION_DRAW_SECONDS"], burst_seconds=config["ADMISSION_BURST_SECONDS"],
        processes=config["ADMISSION_PROCESSES"])


def admission_verdict(round_: Round, now: datetime) -> admission.Verdict:
    """Whether the logged-in citizen may start now, in their commune group's room."""
    settings = room_settings()
    if settings.starts_per_minute <= 0:
        return admission.Verdict(True)
    group = 0
    if round_.stagger_groups > 1:
        codes = province_codes(settings.province_code)
        group = admission.commune_group(current_user.commune_code, codes, round_.stagger_groups)
    opens_at = admission.group_opens_at(round_.opens_at, group, round_.stagger_minutes)
    return admission.admit(get_redis(), settings, round_.id, group, opens_at, current_user.id, now,
                           random.SystemRandom())


def waiting_page(verdict: admission.Verdict) -> tuple[str, int, dict[str, str]]:
    """The light page that retries by itself; Retry-After tells scripts and proxies the same delay."""
    body = render_template("quiz/waiting.html", verdict=verdict, retry=max(1, round(verdict.retry_seconds)))
    return body, 200, {"Retry-After": str(max(1, round(verdict.retry_seconds))), "Cache-Control": "no-store"}
