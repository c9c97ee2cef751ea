"""Cheap integrity signals flag results (never block them); organizers review and disqualify, reversibly."""
from datetime import timedelta

from sqlalchemy import select

from quiz.contest import attempts
from quiz.contest.integrity import scan_round
from quiz.contest.ranking import round_ranking
from quiz.contest.review import disqualify, requalify
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import AuditEvent, IntegrityFlag, Round
from quiz.tallies.figures import figures_from_database
from tests.admin_helpers import add_staff
from tests.conftest import csrf_token, make_citizen, staff_login
from tests.fair_helpers import logged_in, only_active_questions, set_round, start, submit

GRACE = timedelta(seconds=30)


def _flags(round_id: int) -> set[tuple[int, str]]:
    return {(f.citizen_id, f.kind) for f in db.session.scalars(select(IntegrityFlag).where(IntegrityFlag.round_id == round_id))}


def test_an_implausibly_fast_attempt_is_flagged_not_blocked(ctx, contest):
    round_ = db.session.get(Round, contest.id)
    round_.min_seconds_per_question = 3
    db.session.commit()
    fast, slow, now = make_citizen(), make_citizen(), utcnow()
    for citizen, seconds in ((fast, 20), (slow, 300)):
        attempt = attempts.start_attempt(citizen.id, round_, now, GRACE)
        outcome = attempts.submit_attempt(attempt.id, citizen.id, None, None, now + timedelta(seconds=seconds), GRACE)
        assert outcome.newly_graded
    scan_round(round_.id, utcnow())
    assert _flags(round_.id) == {(fast.id, "too_fast")}
    scan_round(round_.id, utcnow())  # a second scan adds nothing
    assert db.session.scalar(select(db.func.count(IntegrityFlag.id))) == 1


def test_many_accounts_from_one_device_cookie_are_flagged(app, contest):
    ids = []
    device = app.test_client()
    for _ in range(3):  # one phone, several accounts logging in in turn: the device cookie stays
        ids.append(logged_in(app, device)[0])
        start(device)
    with app.app_context():
        scan_round(contest.id, utcnow())
        assert {(cid, "device_burst") for cid in ids} <= _flags(contest.id)


def test_identical_answer_sequences_across_accounts_are_flagged(app, contest):
    only_active_questions(app, 20)
    ids = []
    for right in ({0, 1, 2}, {0, 1, 2}, set(range(20))):
        client = app.test_client()
        ids.append(logged_in(app, client)[0])
        attempt_id = start(client)
        _answer_by_question(app, client, attempt_id, right)
        submit(client, attempt_id)
    with app.app_context():
        scan_round(contest.id, utcnow())
        flagged = {cid for cid, kind in _flags(contest.id) if kind == "same_answers"}
        assert flagged == set(ids[:2])


def _answer_by_question(app, client, attempt_id, right_question_ranks):
    """Right answers for the questions whose id ranks in the set, the same wrong choice text for the others."""
    from quiz.models import Attempt
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        order = sorted(item.version.question_id for item in attempt.items)
        plan = []
        for item in attempt.items:
            rank = order.index(item.version.question_id)
            if rank in right_question_ranks:
                plan.append((item.position, item.shown_correct))
            else:
                wrong = min(i for i in range(len(item.version.choices)) if i not in item.version.correct)
                plan.append((item.position, [item.choice_order.index(wrong)]))
    token = csrf_token(client.get(f"/thi/{attempt_id}"))
    for position, choices in plan:
        client.post(f"/thi/{attempt_id}/tra-loi", json={"position": position, "choices": choices},
                    headers={"X-CSRFToken": token})


def test_a_disqualified_result_leaves_the_ranking_but_stays_in_participation(ctx, contest):
    from tests.admin_helpers import take
    round_ = db.session.get(Round, contest.id)
    cheat, honest = make_citizen(), make_citizen()
    take(round_, cheat.id, right=20)
    take(round_, honest.id, right=10)
    staff = add_staff("bantochuc")
    db.session.commit()
    disqualify(round_.id, cheat.id, "Cùng thiết bị với 5 tài khoản khác", staff.id, utcnow())
    assert [row.result.citizen_id for row in round_ranking(round_, 10)] == [honest.id]
    assert figures_from_database("31", round_.id)["10507"].completed == 2
    requalify(round_.id, cheat.id, "Đã xác minh trực tiếp", staff.id, utcnow())
    assert [row.result.citizen_id for row in round_ranking(round_, 10)] == [cheat.id, honest.id]
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == ["disqualify_result", "requalify_result"]


def test_the_organizer_review_list_and_its_forms(app, client, contest):
    with app.app_context():
        set_round(app, contest.id, min_seconds_per_question=30)
        add_staff("bantochuc")
        db.session.commit()
    citizen = app.test_client()
    citizen_id = logged_in(app, citizen)[0]
    submit(citizen, start(citizen))
    staff_login(client)
    page = client.get(f"/quan-tri/dot-thi/{contest.id}/kiem-tra")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Làm bài quá nhanh" in html
    token = csrf_token(page)
    empty = client.post(f"/quan-tri/dot-thi/{contest.id}/kiem-tra/{citizen_id}/loai",
                        data={"csrf_token": token, "reason": " "})
    assert "lý do" in empty.get_data(as_text=True)
    done = client.post(f"/quan-tri/dot-thi/{contest.id}/kiem-tra/{citizen_id}/loai",
                       data={"csrf_token": token, "reason": "Nộp sau 2 giây"})
    assert done.status_code == 302
    assert "Đã loại" in client.get(f"/quan-tri/dot-thi/{contest.id}/kiem-tra").get_data(as_text=True)


def test_a_disqualified_winner_loses_the_rounds_certificates_and_gets_no_new_one(ctx, contest):
    """Red team: after 'Đã loại kết quả khỏi xếp hạng và giải', the prize certificate still verified as valid and
    the citizen could still ask for one."""
    import pytest

    from quiz.certificates.issuing import issue_completion
    from quiz.errors import CertificateError
    from quiz.models import Certificate
    from tests.admin_helpers import take
    round_ = db.session.get(Round, contest.id)
    cheat = make_citizen()
    take(round_, cheat.id, right=20)
    staff = add_staff("bantochuc")
    db.session.commit()
    code = issue_completion(cheat.id, round_.id, "Ban Tổ chức", utcnow()).code
    outcome = disqualify(round_.id, cheat.id, "Cùng thiết bị với 5 tài khoản khác", staff.id, utcnow())
    assert outcome.revoked == 1 and not outcome.frozen_winner
    certificate = db.session.scalar(select(Certificate).where(Certificate.code == code))
    assert certificate.status == Certificate.REVOKED and "bị loại" in certificate.status_reason
    assert "thiết bị" not in certificate.status_reason  # the organizer's note is not published
    with pytest.raises(CertificateError):
        issue_completion(cheat.id, round_.id, "Ban Tổ chức", utcnow())
    requalify(round_.id, cheat.id, "Đã xác minh trực tiếp", staff.id, utcnow())
    assert issue_completion(cheat.id, round_.id, "Ban Tổ chức", utcnow()).code != code  # a new one


def test_a_disqualified_result_is_offered_no_certificate(ctx, contest):
    from quiz.certificates.issuing import offers_for
    from tests.admin_helpers import take
    round_ = db.session.get(Round, contest.id)
    cheat = make_citizen()
    take(round_, cheat.id, right=20)
    staff = add_staff("bantochuc")
    db.session.commit()
    assert offers_for(cheat.id, [round_], utcnow()).get(round_.id) is not None
    disqualify(round_.id, cheat.id, "Cùng thiết bị với 5 tài khoản khác", staff.id, utcnow())
    assert offers_for(cheat.id, [round_], utcnow()).get(round_.id) is None
