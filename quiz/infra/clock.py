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
