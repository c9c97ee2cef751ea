"""Time: stored as naive UTC, shown in Asia/Ho_Chi_Minh."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

DISPLAY_TIMEZONE = "Asia/Ho_Chi_Minh"  # the one place the time zone is named (create_app and the SQL day read it here)
DISPLAY_TZ = ZoneInfo(DISPLAY_TIMEZONE)
UTC_OFFSET_HOURS = 7  # Vietnam has no daylight saving time, so SQL can shift by a fixed offset


def utcnow() -> datetime:
    """The current time as naive UTC, the form every timestamp is stored in."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_local(moment: datetime) -> datetime:
    """A stored naive-UTC time as an aware Vietnam time."""
    return moment.replace(tzinfo=UTC).astimezone(DISPLAY_TZ)


def local_to_utc(moment: datetime) -> datetime:
    """A naive Vietnam wall-clock time (as typed by an organizer) as naive UTC."""
    return moment.replace(tzinfo=DISPLAY_TZ).astimezone(UTC).replace(tzinfo=None)


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
