"""Moodle's text exchange formats for questions: GIFT (quiz/questions/gift.py) and Aiken (quiz/questions/aiken.py).

Parsers yield (line number, entry): an entry is a dict of question fields (with optional "warnings"),
or a Vietnamese error message for that line.
"""
from quiz.questions.aiken import aiken_problem, export_aiken, parse_aiken
from quiz.questions.gift import Entry, export_gift, gift_text, parse_gift

__all__ = ["Entry", "aiken_problem", "export_aiken", "export_gift", "gift_text", "parse_aiken", "parse_gift"]
