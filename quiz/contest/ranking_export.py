"""The ranking as a spreadsheet with every criterion of every ranked citizen, so anyone can check the order."""
from collections.abc import Iterable
from typing import IO

import xlsxwriter

from quiz.contest.ranking import ANONYMISED, RankingRow
from quiz.contest.standings import STANDING_RULE, Standing
from quiz.contest.tiebreak import CRITERION_NAMES, NO_PREDICTION, prediction_distance
from quiz.infra.clock import to_local
from quiz.infra.public_names import masked_name
from quiz.infra.spreadsheet import safe_cell

BASE_HEADERS = ("Hạng", "Đồng hạng", "Mã người dự thi", "Họ và tên", "Xã, phường, đặc khu", "Điểm",
                "Thời gian làm bài (giây)", "Dự đoán", "Độ lệch dự đoán", "Bắt đầu lúc", "Nộp lúc", "Số lượt đã dùng")
PRIZE_HEADERS = ("Đủ điều kiện nhận giải", "Lý do", "Giải", "Phần giải")


def _when(moment) -> str:
    return f"{to_local(moment):%d/%m/%Y %H:%M:%S}" if moment else ""


def row_values(row: RankingRow, prediction_answer: int | None, masked: bool) -> list:
    """The ranking columns of one row, as written to the sheet."""
    result = row.result
    distance = prediction_distance(result.prediction, prediction_answer)
    return [row.place, "đồng hạng" if row.shared else "", result.citizen_id,
            masked_name(row.full_name) if masked else row.full_name, row.commune_name, result.score,
            result.duration_seconds, "" if result.prediction is None else result.prediction,
            "" if distance == NO_PREDICTION else distance, _when(result.started_at), _when(result.submitted_at),
            result.attempts_used]


def write_ranking(target: IO[bytes] | str, lines: Iterable[tuple[RankingRow, list]], prediction_answer: int | None,
                  chain: list[str], title: str, masked: bool = False, with_prizes: bool = False) -> int:
    """Write the sheet (constant memory: a million rows fit), each row with its extra (prize) values."""
    book = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": not isinstance(target, str)})
    sheet = book.add_worksheet("Xếp hạng")
    sheet.write_string(0, 0, safe_cell(title))
    order = " → ".join(CRITERION_NAMES[c] for c in chain)
    sheet.write_string(1, 0, f"Thứ tự xếp hạng: {order}. Bằng nhau ở mọi tiêu chí thì đồng hạng.")
    headers = BASE_HEADERS + (PRIZE_HEADERS if with_prizes else ())
    for col, header in enumerate(headers):
        sheet.write_string(2, col, header)
    count = 0
    for count, (row, extra) in enumerate(lines, start=1):
        values = row_values(row, prediction_answer, masked) + extra
        for col, value in enumerate(values):
            if value == "" or value is None:
                continue  # an empty cell
            if isinstance(value, bool):
                sheet.write_string(count + 2, col, "có" if value else "không")
            elif isinstance(value, (int, float)):
                sheet.write_number(count + 2, col, value)
            else:
                sheet.write_string(count + 2, col, safe_cell(str(value)))
    book.close()
    return count


STANDING_HEADERS = ("Hạng", "Đồng hạng", "Mã người dự thi", "Họ và tên", "Xã, phường, đặc khu", "Số đợt có điểm",
                    "Tổng điểm", "Tổng thời gian làm bài (giây)", "Tổng số lượt đã dùng")


def write_standings(target: IO[bytes], standings: Iterable[Standing], title: str) -> int:
    """The whole-contest standing of every citizen (constant memory), with the order's rule on top."""
    book = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet("Cả cuộc thi")
    sheet.write_string(0, 0, safe_cell(title))
    sheet.write_string(1, 0, STANDING_RULE)
    for col, header in enumerate(STANDING_HEADERS):
        sheet.write_string(2, col, header)
    count = 0
    for count, s in enumerate(standings, start=1):
        sheet.write_number(count + 2, 0, s.place)
        sheet.write_string(count + 2, 1, "đồng hạng" if s.shared else "")
        sheet.write_number(count + 2, 2, s.citizen_id)
        sheet.write_string(count + 2, 3, safe_cell(s.full_name or ANONYMISED))
        sheet.write_string(count + 2, 4, safe_cell(s.commune_name))
        for col, value in enumerate((s.periods, s.total_score, s.total_seconds, s.attempts_used), start=5):
            sheet.write_number(count + 2, col, value)
    book.close()
    return count
