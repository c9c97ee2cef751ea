"""Time: stored as naive UTC, shown in Asia/Ho_Chi_Minh."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

DISPLAY_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    """The current time as naive UTC, the form every timestamp is stored in."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def to_local(moment: datetime) -> datetime:
    """A stored naive-UTC time as an aware Vietnam time."""
    return moment.replace(tzinfo=timezone.utc).astimezone(DISPLAY_TZ)


def local_to_utc(moment: datetime) -> datetime:
    """A naive Vietnam wall-clock time (as typed by an organizer) as naive UTC."""
    return moment.replace(tzinfo=DISPLAY_TZ).astimezone(timezone.utc).replace(tzinfo=None)


def local_day(moment: datetime) -> str:
    """The Vietnam calendar day (YYYY-MM-DD) of a stored time, for daily charts."""
    return to_local(moment).date().isoformat()


SANE_YEARS = range(2000, 2101)  # every date an organizer types: round times, report cut-offs


def parse_local_minute(text: str | None) -> datetime:
    """'2026-12-01T09:30' typed as Vietnam time (a datetime-local field), as naive UTC; ValueError when not
    such a time or outside SANE_YEARS (year 1 or 9999 would overflow the conversion and every date sum)."""
    moment = datetime.strptime((text or "")[:16], "%Y-%m-%dT%H:%M")
    if moment.year not in SANE_YEARS:
        raise ValueError("year out of range")
    return local_to_utc(moment)
