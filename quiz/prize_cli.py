"""`flask prizes …`: set a period's tiers, compute and freeze its winners, recompute, publish, export."""
import click
from flask.cli import AppGroup
from sqlalchemy import select

from quiz.errors import DomainError
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import Round, StaffUser

prizes_cli = AppGroup("prizes", help="Prizes and winners of a period.")


def _actor(username: str | None) -> int | None:
    if not username:
        return None
    actor_id = db.session.scalar(select(StaffUser.id).where(StaffUser.username == username))
    if actor_id is None:
        raise click.BadParameter(f"không có tài khoản {username}", param_hint="--by")
    return actor_id


def _run(action):
    try:
        return action()
    except DomainError as error:
        raise click.ClickException(error.message) from None


@prizes_cli.command("tiers")
@click.argument("round_id", type=int)
@click.argument("tiers", nargs=-1, required=True)
@click.option("--by", "username", help="Organizer recorded in the audit log.")
def prizes_tiers(round_id: int, tiers: tuple[str, ...], username: str | None) -> None:
    """Set the tiers, best first, each as NAME:COUNT[:REWARD] (e.g. "Giải nhất:1:2.000.000 đồng")."""
    from quiz.contest.prizes import TierDraft, set_tiers
    drafts = []
    for text in tiers:
        name, _, rest = text.partition(":")
        count, _, reward = rest.partition(":")
        if not count.strip().isdigit():
            raise click.BadParameter(f"“{text}”: cần dạng TÊN:SỐ_LƯỢNG[:PHẦN_THƯỞNG]")
        drafts.append(TierDraft(name, int(count), reward))
    _run(lambda: set_tiers(round_id, drafts, _actor(username)))
    click.echo(f"Đã lưu {len(drafts)} giải cho đợt {round_id}.")


@prizes_cli.command("compute")
@click.argument("round_id", type=int)
@click.option("--by", "username", help="Organizer recorded in the audit log.")
@click.option("--seed", help="Seed for a draw at a shared prize place (default: random, recorded).")
@click.option("--recompute", "reason", help="Recompute a frozen list; the reason is recorded.")
def prizes_compute(round_id: int, username: str | None, seed: str | None, reason: str | None) -> None:
    """Compute and freeze the winners of a closed period (once; --recompute REASON to redo, audited)."""
    from quiz.contest.prizes import compute_winners, recompute_winners
    actor = _actor(username)
    if reason is None:
        computation = _run(lambda: compute_winners(round_id, utcnow(), actor, seed))
    else:
        computation = _run(lambda: recompute_winners(round_id, utcnow(), actor, reason, seed))
    click.echo(f"Đã chốt danh sách đạt giải lần {computation.number}: {computation.participants} người dự thi, "
               f"{computation.eligible} đủ điều kiện; hạt giống bốc thăm: {computation.seed or 'không cần'}; "
               f"hết hạn khiếu nại {computation.appeal_ends_at:%d/%m/%Y %H:%M} UTC.")


@prizes_cli.command("publish")
@click.argument("round_id", type=int)
@click.option("--by", "username", help="Organizer recorded in the audit log.")
def prizes_publish(round_id: int, username: str | None) -> None:
    """Publish the frozen winners once the appeal window has passed."""
    from quiz.contest.prizes import publish_winners
    _run(lambda: publish_winners(round_id, utcnow(), _actor(username)))
    click.echo(f"Đã công bố danh sách đạt giải của đợt {round_id}.")


@prizes_cli.command("export")
@click.argument("round_id", type=int)
@click.argument("path", type=click.Path(dir_okay=False))
def prizes_export(round_id: int, path: str) -> None:
    """Write the checking spreadsheet: every ranked citizen, every criterion, eligibility and prize."""
    from quiz.contest.prizes import write_prize_sheet
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise click.ClickException("Không tìm thấy đợt thi này.")
    click.echo(f"Đã ghi {write_prize_sheet(round_, path)} người vào {path}.")
