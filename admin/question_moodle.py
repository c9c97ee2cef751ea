"""Moodle's text exchange formats for questions: GIFT (admin/question_gift.py) and Aiken (admin/question_aiken.py).

Parsers yield (line number, entry): an entry is a dict of question fields (with optional "warnings"),
or a Vietnamese error message for that line.
"""
from admin.question_aiken import aiken_problem, export_aiken, parse_aiken
from admin.question_gift import Entry, export_gift, gift_text, parse_gift

__all__ = ["Entry", "aiken_problem", "export_aiken", "export_gift", "gift_text", "parse_aiken", "parse_gift"]
