"""Rewrite imports of the modules that moved when quiz/ was grouped into subpackages (2026-12-01).

Usage: python scripts/port_imports.py FILE.py [...]   (rewrites in place; safe to run twice)
Kept for branches started before the move; see README "Layout" for where each module lives now.
"""
import re
import sys
from pathlib import Path

MOVED = {
    "quiz.extensions": "quiz.infra.extensions",
    "quiz.database": "quiz.infra.database",
    "quiz.redis_client": "quiz.infra.redis_client",
    "quiz.clock": "quiz.infra.clock",
    "quiz.text": "quiz.infra.text",
    "quiz.phones": "quiz.infra.phones",
    "quiz.spreadsheet": "quiz.infra.spreadsheet",
    "quiz.web": "quiz.web.hooks",
    "quiz.security": "quiz.web.security",
    "quiz.health": "quiz.web.health",
    "quiz.rate_limits": "quiz.web.rate_limits",
    "quiz.views": "quiz.citizen.views",
    "quiz.my_data_views": "quiz.citizen.my_data_views",
    "quiz.forms": "quiz.web.forms",
    "quiz.attempts": "quiz.contest.attempts",
    "quiz.grading": "quiz.contest.grading",
    "quiz.ranking": "quiz.contest.ranking",
    "quiz.rounds": "quiz.contest.rounds",
    "quiz.question_stats": "quiz.contest.question_stats",
    "quiz.registration": "quiz.people.registration",
    "quiz.communes": "quiz.people.communes",
    "admin.accounts": "quiz.people.staff_accounts",
    "quiz.privacy": "quiz.people.consents",
    "quiz.anonymise": "quiz.privacy.anonymise",
    "quiz.data_requests": "quiz.privacy.data_requests",
    "quiz.my_data": "quiz.privacy.my_data",
    "quiz.question_bank": "quiz.questions.bank",
    "quiz.questions": "quiz.questions.editing",
    "admin.question_moodle": "quiz.questions.moodle",
    "admin.question_io": "quiz.questions.transfer",
    "quiz.tally_snapshot": "quiz.tallies.snapshot",
    "quiz.figures": "quiz.tallies.figures",
    "admin.dashboard": "quiz.reports.dashboard",
    "admin.reports": "quiz.reports.exports",
}
# Subpackages whose old flat module had the same name: `from quiz.privacy import x` means the old module.
_FROM = re.compile(r"^(\s*)from ([\w.]+) import (.+)$")
_FROM_PARENT = re.compile(r"^(\s*)from (quiz|admin) import ([^(]+)$")


def _new(module: str) -> str:
    return MOVED.get(module, module)


def _names_submodules(module: str, names: str) -> bool:
    """`from quiz.privacy import notices` already names the new package's modules: leave it."""
    leaves = {new.rpartition(".")[2] for new in MOVED.values() if new.rpartition(".")[0] == module}
    wanted = {n.strip().split(" as ")[0] for n in names.strip("()").split(",") if n.strip()}
    return bool(leaves) and wanted <= leaves


def _port_line(line: str) -> str:
    parent = _FROM_PARENT.match(line)
    if parent:
        indent, pkg, names = parent.groups()
        groups: dict[str, list[str]] = {}
        for name in (n.strip() for n in names.split(",")):
            full = _new(f"{pkg}.{name.split(' as ')[0]}")
            home, _, leaf = full.rpartition(".")
            alias = name.split(" as ")[1] if " as " in name else None
            item = leaf if alias is None and leaf == name else f"{leaf} as {alias or name}"
            groups.setdefault(home, []).append(item)
        return "\n".join(f"{indent}from {home} import {', '.join(items)}" for home, items in groups.items())
    match = _FROM.match(line)
    if match:
        indent, module, rest = match.groups()
        if _names_submodules(module, rest):
            return line
        return f"{indent}from {_new(module)} import {rest}"
    return re.sub(r"\bimport ((?:quiz|admin)\.[\w.]+)", lambda m: "import " + _new(m.group(1)), line)


def port(text: str) -> str:
    return "\n".join(_port_line(line) for line in text.split("\n"))


if __name__ == "__main__":
    for name in sys.argv[1:]:
        path = Path(name)
        old = path.read_text()
        new = port(old)
        if new != old:
            path.write_text(new)
            print(f"ported {name}")
