"""A contest's own settings: name, the per-person prize cap across periods, the communes' unit score."""
from quiz.audit import record
from quiz.contest.commune_prizes import CommuneScore, validate_score
from quiz.errors import DomainError
from quiz.infra.database import write_transaction
from quiz.infra.extensions import db
from quiz.infra.text import clean_text
from quiz.models import Contest


class ContestError(DomainError):
    """A contest setting is not valid."""


def update_contest(contest_id: int, name: str, description: str, max_prizes_per_citizen: int | None,
                   score: CommuneScore, staff_id: int | None) -> Contest:
    """Change the contest's settings (audited)."""
    name = clean_text(name)
    if not 2 <= len(name) <= 200:
        raise ContestError("Vui lòng đặt tên cuộc thi (2–200 ký tự).", "name")
    if max_prizes_per_citizen is not None and not 1 <= max_prizes_per_citizen <= 100:
        raise ContestError("Số giải tối đa mỗi người phải từ 1 đến 100 (để trống: không giới hạn).", "max_prizes_per_citizen")
    validate_score(score)
    with write_transaction():
        contest = db.session.get(Contest, contest_id)
        if contest is None:
            raise ContestError("Không tìm thấy cuộc thi này.")
        contest.name, contest.description = name, (description or "").strip()[:2000]
        contest.max_prizes_per_citizen, contest.commune_score = max_prizes_per_citizen, score.to_json()
        record(staff_id, "update_contest", "contest", [contest_id],
               {"name": name, "max_prizes_per_citizen": max_prizes_per_citizen, "commune_score": score.to_json()})
    return contest
