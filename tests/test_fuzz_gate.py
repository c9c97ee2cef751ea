"""The fuzz gate: every route of app.url_map × four roles × generated bad input; never a 5xx, never a traceback.

Routes are read from the app's URL map when the tests are collected, so a new route is fuzzed without
anyone listing it; `test_every_route_reached_its_view` fails when a route's view was never entered by
any request (a route the gate cannot reach). Field and parameter names come from the templates and the
form classes, so new forms are fuzzed with their own names. CSRF is off in the gate's app (CSRF has its
own tests): the bad input must reach the views.
"""
import json
import logging
import math
import re
from collections import Counter
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from quiz import create_app
from quiz.infra.extensions import db
from quiz.models import Attempt, Citizen, Question, StaffUser
from tests.admin_helpers import build_scenario

ROOT = Path(__file__).resolve().parent.parent
ROLES = ("anonymous", "citizen", "commune_admin", "organizer")
REQUESTS_PER_BACKEND = 5000


def _routes() -> list:
    probe = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return sorted(probe.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))


RULES = _routes()
EXAMPLES_PER_ROLE = math.ceil(REQUESTS_PER_BACKEND / (len(RULES) * len(ROLES))) + 1
SENT: Counter = Counter()  # requests per endpoint, over the run
ENTERED: Counter = Counter()  # times each endpoint's view function was entered


def _field_names() -> list[str]:
    names = set()
    for template in (ROOT / "templates").rglob("*.html"):
        names.update(re.findall(r'name="([a-z_0-9]+)"', template.read_text(encoding="utf-8")))
    for module in list((ROOT / "quiz").rglob("*.py")) + list((ROOT / "admin").rglob("*.py")):
        source = module.read_text(encoding="utf-8")
        names.update(re.findall(r"^\s+(\w+) = \w*Field\(", source, re.M))
        names.update(re.findall(r"""(?:form|args)\.get(?:list)?\(\s*["'](\w+)["']""", source))
    names -= {"csrf_token", "viewport", "robots"}
    return sorted(names | {"q0", "q1", "q19", "q99999", "choice0", "choice1", "next", "phone", "password"})


FIELDS = _field_names()

huge_ints = st.one_of(st.integers(-2**70, 2**70), st.sampled_from([2**31, 2**31 - 1, 2**15, 2**63, -1, 0, 10**4000]))
weird_numbers = st.sampled_from(["²", "١٢٣", "𝟗", "1e400", "NaN", "Infinity", "-0", "0x10", "9" * 5000, "½", "1_000"])
control_text = st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Mn"]), min_size=1, max_size=20)
dates = st.sampled_from(["0001-01-01T00:00", "9999-12-31T23:59", "2026-02-30T10:00", "01/01/0001", "31/12/9999",
                         "2026-12-01T10:00", "29/02/2023", "-1-01-01T00:00"])
texts = st.one_of(st.text(max_size=40), st.just("x" * 70_000), st.just("a\r\nLocation: //evil"), st.just("/quan-tri/\r\nX: 1"),
                  st.just("//evil.example/"), st.just("\x00"), control_text)
values = st.one_of(huge_ints.map(str), weird_numbers, control_text, dates, texts, st.sampled_from(["", "1", "y", "xlsx"]))
params = st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=10)), values, max_size=6)

_json_leaf = st.one_of(st.none(), st.booleans(), huge_ints, st.floats(), st.text(max_size=20))
json_bodies = st.one_of(
    st.recursive(_json_leaf, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(FIELDS + ["position", "choices"]), inner, max_size=4), max_leaves=12).map(json.dumps),
    st.sampled_from(['{"position": Infinity, "choices": [NaN]}', '{"position": 1e400}', "[" * 5000 + "]" * 5000,
                     '{"a":' * 3000 + "1" + "}" * 3000, '{"position": 32768, "choices": [0]}',
                     '{"position": "²", "choices": ["²"]}', '{"position": 0, "choices": [99999999999999999999]}',
                     '["phone", "password"]', '{"phone": ["0912"], "password": {"x": 1}}', "not json", "\x00"]))


def _xlsx_bomb() -> bytes:
    import io

    import openpyxl
    book = openpyxl.Workbook()
    book.active["A1"] = "x"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


uploads = st.sampled_from([b"", b"\x00" * 10, b"PK\x03\x04 broken", "câu hỏi\n".encode() * 10, b"\xff\xfe", _xlsx_bomb()])


@st.composite
def request_specs(draw, rule, ids):  # type: ignore[no-untyped-def]
    """One request for the rule: a method (sometimes a wrong one), a path, a query and a body."""
    methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
    method = draw(st.one_of(st.sampled_from(methods), st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"])))
    path = re.sub(r"<(?:(\w+)(\([^)]*\))?:)?(\w+)>",
                  lambda m: quote(draw(_path_value(m.group(1) or "default", m.group(3), ids, m.group(2) or "")), safe="/"),
                  rule.rule)
    query = draw(params)
    kind = draw(st.sampled_from(["form", "json", "multipart", "plain", "none"]))
    body: dict = {}
    if kind == "form":
        body = {"data": draw(params)}
    elif kind == "json":
        body = {"data": draw(json_bodies), "content_type": "application/json"}
    elif kind == "multipart":
        import io
        fields = draw(params)
        body = {"data": {**fields, "file": (io.BytesIO(draw(uploads)), draw(st.sampled_from(["a.xlsx", "a.csv", "a.gift", "a.txt", "\x00.xlsx"])))},
                "content_type": "multipart/form-data"}
    elif kind == "plain":
        body = {"data": draw(st.binary(max_size=200)), "content_type": draw(st.sampled_from(["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1", "multipart/form-data; boundary=x"]))}
    return method, path + ("?" + urlencode(query) if query else ""), body


def _path_value(converter: str, name: str, ids: dict, arguments: str = "") -> st.SearchStrategy:
    if converter == "int":
        known = st.sampled_from(ids.get(name) or [1])
        return st.one_of(known.map(str), known.map(str), huge_ints.map(str), weird_numbers)
    if converter == "path":
        return st.one_of(st.sampled_from(["css/app.css", "js/dashboard.js", "../config.py", "x" * 300]), st.text(min_size=1, max_size=20))
    if converter == "default":
        return st.one_of(st.sampled_from(["xlsx", "csv", "json", "gift", "aiken", "pdf"]), st.text(min_size=1, max_size=30))
    if converter == "any":  # <any(a, 'b'):name>: one of the listed words, or anything else
        words = [w.strip(" '\"") for w in arguments.strip("()").split(",") if w.strip(" '\"")]
        return st.one_of(st.sampled_from(words), st.text(min_size=1, max_size=20))
    raise AssertionError(f"the fuzz gate has no strategy for the URL converter {converter!r} (argument {name}): add one")


@pytest.fixture(scope="module")
def gate_app(app):
    """The app under the gate: same database, CSRF off, exceptions turned into 500 pages (and logged)."""
    gate = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                  "WTF_CSRF_ENABLED": False, "PROPAGATE_EXCEPTIONS": False})
    for endpoint, view in list(gate.view_functions.items()):
        gate.view_functions[endpoint] = _counting(endpoint, view)
    yield gate
    with gate.app_context():
        db.session.remove()
        db.engine.dispose()


def _counting(endpoint, view):  # type: ignore[no-untyped-def]
    def entered(*args, **kwargs):  # type: ignore[no-untyped-def]
        ENTERED[endpoint] += 1
        return view(*args, **kwargs)
    return entered


class _Tracebacks(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.records.append(record)


def _login(gate, client, role: str, scenario) -> None:  # type: ignore[no-untyped-def]
    """Put the role's person in the client's session (no password round trip); re-done before each request."""
    if role == "anonymous":
        return
    with gate.app_context():
        if role == "citizen":
            person = db.session.get(Citizen, scenario.citizen_a)
        else:
            person = db.session.scalar(select(StaffUser).where(StaffUser.username == {"commune_admin": "xa-a", "organizer": "bantochuc"}[role]))
            person.must_change_password = False
            db.session.commit()
        user_id, active = person.get_id(), person.is_active
        db.session.remove()
    with client.session_transaction() as session:
        session.clear()
        if active:
            session["_user_id"], session["_fresh"] = user_id, True


@pytest.mark.parametrize("rule", RULES, ids=[f"{r.endpoint}:{r.rule}" for r in RULES])
def test_no_server_error_whatever_the_input(app, gate_app, contest, rule):
    scenario = build_scenario(app, contest)
    with app.app_context():
        ids = {"attempt_id": list(db.session.scalars(select(Attempt.id))), "citizen_id": [scenario.citizen_a, scenario.citizen_b],
               "round_id": [scenario.round_id], "question_id": list(db.session.scalars(select(Question.id).limit(3)))}
    tracebacks = _Tracebacks()
    logging.getLogger().addHandler(tracebacks)
    gate_app.logger.addHandler(tracebacks)
    try:
        for role in ROLES:
            _fuzz(gate_app, rule, ids, role, scenario, tracebacks)
    finally:
        logging.getLogger().removeHandler(tracebacks)
        gate_app.logger.removeHandler(tracebacks)


def _fuzz(gate_app, rule, ids: dict, role: str, scenario, tracebacks: _Tracebacks) -> None:  # type: ignore[no-untyped-def]
    """EXAMPLES_PER_ROLE generated requests to one route as one role."""
    client = gate_app.test_client()

    @settings(max_examples=EXAMPLES_PER_ROLE, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(spec=request_specs(rule, ids))
    def one_request(spec):  # type: ignore[no-untyped-def]
        method, url, body = spec
        tracebacks.records.clear()  # each example answers for its own request
        _login(gate_app, client, role, scenario)
        response = client.open(url, method=method, **body)
        response.close()  # a static file is streamed: close it even though the body is not read
        SENT[rule.endpoint] += 1
        assert response.status_code < 500, f"{role} {method} {url[:300]} {str(body)[:300]} → {response.status_code}"
        assert not tracebacks.records, f"{role} {method} {url[:300]}: traceback logged: {tracebacks.records[0].getMessage()}"

    one_request()


def test_every_route_reached_its_view():
    """Runs after the gate (file order): each route's view was entered at least once, else the gate cannot reach it."""
    endpoints = {rule.endpoint for rule in RULES}
    if set(SENT) != endpoints:
        pytest.skip("the gate did not run in full (a subset was selected)")
    unreached = sorted(endpoint for endpoint in endpoints if not ENTERED[endpoint])
    assert not unreached, f"routes the fuzz gate never reached (teach it their arguments): {unreached}"
    total = sum(SENT.values())
    print(f"\nfuzz gate: {total} requests over {len(RULES)} routes × {len(ROLES)} roles")
    assert total >= REQUESTS_PER_BACKEND
