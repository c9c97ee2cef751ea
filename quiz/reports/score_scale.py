"""The organizer's report settings: the score scale averages are stated on (officials read 9,85 as out of 10)."""
from dataclasses import dataclass

from quiz.audit import record
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.models import Setting

SCORE_SCALE_SETTING = "report_score_scale"
SCORE_SCALES = (20, 10, 100)
DEFAULT_SCORE_SCALE = 20


def score_scale() -> int:
    """The scale averages are shown on: 20 (default), 10 or 100 points."""
    setting = db.session.get(Setting, SCORE_SCALE_SETTING)
    value = int(setting.value) if setting and setting.value.isdigit() else DEFAULT_SCORE_SCALE
    return value if value in SCORE_SCALES else DEFAULT_SCORE_SCALE


def set_score_scale(scale: int, staff_id: int | None) -> None:
    """Choose the scale (audited); anything but 20, 10 or 100 is refused."""
    if scale not in SCORE_SCALES:
        raise ValueError(scale)
    with write_transaction():
        setting = db.session.get(Setting, SCORE_SCALE_SETTING) or Setting(key=SCORE_SCALE_SETTING, value="")
        old = setting.value
        setting.value = str(scale)
        db.session.add(setting)
        record(staff_id, "set_score_scale", "setting", [SCORE_SCALE_SETTING], changes={"old": old, "new": str(scale)})


@dataclass(frozen=True)
class ScoreScale:
    """Averages of points (out of a round's `max_points`) restated on `scale` points."""

    scale: int = DEFAULT_SCORE_SCALE
    max_points: int | None = None

    @property
    def label(self) -> str:
        return f"Điểm trung bình (thang {self.scale})"

    def scaled(self, points: float | None) -> float | None:
        if points is None or not self.max_points:
            return None
        return round(points / self.max_points * self.scale, 2)
