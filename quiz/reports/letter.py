"""The quick report's text, in the city letter's own sentences (or as the older list), ready to paste."""
from dataclasses import dataclass
from datetime import datetime

from babel.numbers import format_decimal

from quiz.infra.clock import to_local
from quiz.reports.ranking import CutList, fewest_participants, most_participants
from quiz.reports.score_scale import ScoreScale
from quiz.tallies.figures import city_totals

LETTER, LIST = "thu", "danh-sach"
TARGET_SHARE = 0.8  # the city's target: 80 % of adults take part


@dataclass(frozen=True)
class LetterOptions:
    """What the organizer chose on the reports page, and the contest's facts the letter names."""

    form: str = LETTER
    with_counts: bool = False
    city_name: str = ""           # "Thành phố Hải Phòng"
    launched_on: datetime | None = None
    scale: ScoreScale = ScoreScale()


def number(value: float, pattern: str = "#,##0") -> str:
    return format_decimal(value, format=pattern, locale="vi")


def percent(share: float) -> str:
    return f"{number(share * 100, '#,##0.#')} %"


def lower_kind(name: str) -> str:
    """"Xã Tứ Kỳ" → "xã Tứ Kỳ", "Đặc khu Cát Hải" → "đặc khu Cát Hải": the letter's form inside a sentence."""
    for kind in ("Xã ", "Phường ", "Đặc khu ", "Thành phố "):
        if name.startswith(kind):
            return kind.lower() + name[len(kind):]
    return name


def _name(row, options: LetterOptions) -> str:
    name = lower_kind(row.name) if options.form == LETTER else row.name
    return f"{name} ({number(row.figures.registered)})" if options.with_counts else name


def _names(rows: list, options: LetterOptions) -> str:
    separator = ", " if options.form == LETTER else "; "
    return separator.join(_name(row, options) for row in rows)


def _tie_note(cut: CutList, options: LetterOptions) -> str:
    """A list cut inside a tie names every commune left out with the same figure."""
    if not cut.cut_in_tie:
        return ""
    figure = cut.rows[-1].figures.registered
    others = " và ".join([", ".join(lower_kind(r.name) for r in cut.tied_out[:-1]), lower_kind(cut.tied_out[-1].name)]
                         ) if len(cut.tied_out) > 1 else lower_kind(cut.tied_out[0].name)
    if figure == 0:
        return f" (ngoài ra {others} cũng chưa có người tham gia)"
    return (f" (ngoài ra {others} cũng có {number(figure)} người tham gia, bằng đơn vị thứ {len(cut.rows)}; "
            "các đơn vị bằng nhau xếp theo tên)")


def quick_report(rows: list, cut_off: datetime, options: LetterOptions = LetterOptions()) -> str:
    """The paragraph for the official letter, with the ten communes with the most and the fewest participants."""
    totals = city_totals(r.figures for r in rows)
    taking_part = sum(1 for r in rows if r.figures.registered)
    top, bottom = most_participants(rows), fewest_participants(rows)
    if options.form == LIST:
        return _list_form(rows, cut_off, totals, taking_part, top, bottom, options)
    sentences = [_opening(rows, cut_off, totals, taking_part, options)]
    sentences += _target_and_score(rows, totals, options)
    sentences.append(f"Các xã, phường, đặc khu có số người tham gia nhiều nhất: {_names(top.rows, options)}"
                     f"{_tie_note(top, options)}.")
    sentences.append(f"Các xã, phường, đặc khu có số người tham gia ít nhất: {_names(bottom.rows, options)}"
                     f"{_tie_note(bottom, options)}.")
    return "\n".join(sentences)


def _moment(cut_off: datetime) -> str:
    local = to_local(cut_off)
    return f"{local:%H} giờ {local:%M} ngày {local:%d/%m/%Y}"


def _opening(rows: list, cut_off: datetime, totals, taking_part: int, options: LetterOptions) -> str:
    since = f", kể từ ngày phát động Cuộc thi ({to_local(options.launched_on):%d/%m/%Y})" if options.launched_on else ""
    where = f" trên địa bàn {lower_kind(options.city_name)}" if options.city_name else ""
    who = (f"toàn bộ {len(rows)} xã, phường, đặc khu{where} đã tham gia" if taking_part == len(rows)
           else f"{taking_part}/{len(rows)} xã, phường, đặc khu{where} đã có người tham gia")
    return (f"Tính đến {_moment(cut_off)}{since}, {who} với {number(totals.registered)} người đăng ký dự thi, "
            f"{number(totals.completed)} người hoàn thành bài thi.")


def _target_and_score(rows: list, totals, options: LetterOptions) -> list[str]:
    sentences = []
    adults = sum(r.adult_population or 0 for r in rows)
    if adults and all(r.adult_population for r in rows):
        share = totals.registered / adults
        sentences.append(f"Số người đăng ký bằng {percent(share)} dân số từ 18 tuổi trở lên ({number(adults)} người), "
                         f"đạt {percent(share / TARGET_SHARE)} chỉ tiêu {percent(TARGET_SHARE)}.")
    average = options.scale.scaled(totals.average_score)
    if average is not None:
        sentences.append(f"Điểm trung bình của người hoàn thành: {number(average, '#,##0.00')} (thang điểm "
                         f"{options.scale.scale}).")
    return sentences


def _list_form(rows, cut_off, totals, taking_part, top, bottom, options) -> str:
    everyone = "toàn bộ " if taking_part == len(rows) else ""
    return (f"Tính đến {_moment(cut_off)}, có {everyone}{taking_part} xã, phường, đặc khu "
            f"có người dự thi, {number(totals.registered)} người đăng ký, {number(totals.completed)} người hoàn thành bài thi.\n"
            f"10 đơn vị có số người dự thi nhiều nhất: {_names(top.rows, options)}{_tie_note(top, options)}.\n"
            f"10 đơn vị có số người dự thi ít nhất: {_names(bottom.rows, options)}{_tie_note(bottom, options)}.")
