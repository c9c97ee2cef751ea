"""The reports page's one cut-off field: Vietnam time as an organizer types it ("22/10/2025 15:00")."""
import re
from datetime import datetime

from quiz.errors import DomainError
from quiz.infra.clock import SANE_YEARS, local_to_utc, to_local

_VIETNAMESE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})[ ,T]+(\d{1,2})\s*(?:[:hg]|giờ)\s*(\d{2})?\s*(?:phút)?\s*$",
                         re.I)
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::\d{2})?\s*$")
EXAMPLE = "22/10/2025 15:00"


class CutOffError(DomainError):
    """A cut-off that is not a Vietnam date and time."""


def parse_cut_off(typed: str | None) -> datetime | None:
    """The cut-off as naive UTC; None when the field is empty (live figures)."""
    if not typed or not typed.strip():
        return None
    match = _VIETNAMESE.match(typed)
    if match:
        day, month, year, hour, minute = match.groups()
    else:
        iso = _ISO.match(typed)
        if not iso:
            raise CutOffError(f"Thời điểm chốt “{typed[:40]}” chưa đúng dạng: hãy ghi ngày và giờ, ví dụ {EXAMPLE}.",
                              "den")
        year, month, day, hour, minute = iso.groups()
    try:
        local = datetime(int(year), int(month), int(day), int(hour), int(minute or 0))
    except ValueError:
        raise CutOffError(f"Ngày giờ “{typed[:40]}” không có thật: hãy kiểm tra ngày, tháng và giờ (ví dụ {EXAMPLE}).",
                          "den") from None
    if local.year not in SANE_YEARS:  # year 1 or 9999 would overflow the time-zone conversion
        raise CutOffError(f"Năm của thời điểm chốt cần trong khoảng {SANE_YEARS.start}–{SANE_YEARS.stop - 1}.", "den")
    return local_to_utc(local)


def cut_off_text(cut_off: datetime) -> str:
    """The form the field shows back: "22/10/2025 15:00" (Vietnam time)."""
    return f"{to_local(cut_off):%d/%m/%Y %H:%M}"
