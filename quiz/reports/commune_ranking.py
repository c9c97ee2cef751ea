"""The communes' collective ranking ("giải tập thể") of a period and of its whole contest: dashboards and Excel."""
import io
from dataclasses import dataclass

import xlsxwriter
from sqlalchemy import select

from quiz.contest.commune_prizes import CommuneStanding, commune_standings, contest_round_ids, contest_score
from quiz.infra.extensions import db
from quiz.infra.spreadsheet import safe_cell
from quiz.models import Contest, Round

HEADERS = ("Hạng", "Mã xã", "Xã, phường, đặc khu", "Người tham gia", "Dân số trưởng thành", "Tỷ lệ tham gia (%)",
           "Lượt hoàn thành", "Đạt", "Tỷ lệ đạt (%)", "Điểm giải cá nhân", "Điểm đơn vị")


@dataclass(frozen=True)
class CommuneRanking:
    """One period's ranking beside the whole contest's, computed with the contest's one formula."""

    contest: Contest
    period: Round
    formula: str
    period_rows: list[CommuneStanding]
    contest_rows: list[CommuneStanding]

    def own_lines(self, commune_code: str) -> tuple[CommuneStanding, CommuneStanding]:
        """A commune's own line in the period and in the contest (what its admin may see)."""
        return (next(r for r in self.period_rows if r.code == commune_code),
                next(r for r in self.contest_rows if r.code == commune_code))


def commune_ranking(period: Round, province_code: str) -> CommuneRanking:
    """The unit-score ranking of the period and of the contest it belongs to (one aggregate when it is its only period)."""
    contest, score = period.contest, contest_score(period.contest)
    in_period = commune_standings([period.id], score, province_code)
    round_ids = contest_round_ids(contest.id)
    in_contest = in_period if round_ids == [period.id] else commune_standings(round_ids, score, province_code)
    return CommuneRanking(contest, period, score.describe(), in_period, in_contest)


def contest_periods(contest_id: int) -> list[Round]:
    return list(db.session.scalars(select(Round).where(Round.contest_id == contest_id).order_by(Round.opens_at)))


def standing_values(row: CommuneStanding) -> list:
    """One commune's line as the spreadsheet writes it (HEADERS' order)."""
    return [row.place, row.code, row.name, row.participants, row.adult_population, row.participation_rate,
            row.completions, row.passed, row.pass_rate, row.prize_points, row.score]


def ranking_xlsx(contest: Contest, province_code: str) -> bytes:
    """The whole contest's ranking on the first sheet, then one sheet per period, each under the formula."""
    score = contest_score(contest)
    periods = contest_periods(contest.id)
    sheets = [("Cả cuộc thi", contest.name, [p.id for p in periods])]
    sheets += [(f"Đợt {n}", period.name, [period.id]) for n, period in enumerate(periods, start=1)]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for sheet_name, title, round_ids in sheets:
        sheet = book.add_worksheet(sheet_name)
        sheet.write_string(0, 0, safe_cell(f"Xếp hạng đơn vị – {title}"))
        sheet.write_string(1, 0, safe_cell(score.describe()))
        for col, header in enumerate(HEADERS):
            sheet.write_string(2, col, header)
        for r, row in enumerate(commune_standings(round_ids, score, province_code), start=3):
            _write_line(sheet, r, standing_values(row))
    book.close()
    return buffer.getvalue()


def _write_line(sheet, row_index: int, values: list) -> None:
    for col, value in enumerate(values):
        if isinstance(value, (int, float)):
            sheet.write_number(row_index, col, value)
        elif value is not None:
            sheet.write_string(row_index, col, safe_cell(value))
