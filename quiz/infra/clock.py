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
