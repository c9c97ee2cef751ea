"""Flask CLI commands, grouped by noun: communes, questions, rounds, setup."""
from datetime import timedelta
from typing import TextIO

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from quiz import tallies
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import Contest, Round
from quiz.people.communes import sync_communes
from quiz.people.consents import ensure_default_notice
from quiz.questions.bank import load_sample_bank

communes_cli = AppGroup("communes", help="The official communes of the province.")
questions_cli = AppGroup("questions", help="The question bank.")
rounds_cli = AppGroup("rounds", help="Contest rounds.")
tallies_cli = AppGroup("tallies", help="The live per-commune tallies in Redis.")
admins_cli = AppGroup("admins", help="Staff accounts: organizers and commune admins.")
privacy_cli = AppGroup("privacy", help="Personal data: retention.")


@communes_cli.command("sync")
@click.option("--province", default=None, help="Province code (default: PROVINCE_CODE).")
def communes_sync(province: str | None) -> None:
    """Load the province's communes from the official data file (idempotent)."""
    code = province or current_app.config["PROVINCE_CODE"]
    report = sync_communes(code)
    click.echo(f"{report.province_name}: {report.added} thêm mới, {report.updated} cập nhật, "
               f"{report.unchanged} không đổi.")


@questions_cli.command("load-sample")
def questions_load_sample() -> None:
    """Load the sample question bank shipped with the app (skips questions already present)."""
    click.echo(f"Đã thêm {load_sample_bank()} câu hỏi mẫu.")


@questions_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv", "aiken", "gift"]), help="Default: from the file name.")
@click.option("--topic", "topic_slug", help="Topic (slug) for questions that name none (Aiken).")
@click.option("--dry-run", is_flag=True, help="Only check the file and print the preview.")
@click.option("--by", "username", help="Organizer account recorded in the audit log as the importer.")
def questions_import(path: str, fmt: str | None, topic_slug: str | None, dry_run: bool, username: str | None) -> None:
    """Import questions from a file: a dry run first; any error imports nothing (exit 1)."""
    from pathlib import Path

    from quiz.models import StaffUser, Topic
    from quiz.questions.transfer import apply_import, describe_draft, detect_format, preview_import
    topic_id = db.session.scalar(select(Topic.id).where(Topic.slug == topic_slug)) if topic_slug else None
    if topic_slug and topic_id is None:
        raise click.BadParameter(f"không có chủ đề {topic_slug}", param_hint="--topic")
    actor_id = db.session.scalar(select(StaffUser.id).where(StaffUser.username == username)) if username else None
    if username and actor_id is None:
        raise click.BadParameter(f"không có tài khoản {username}", param_hint="--by")
    content = Path(path).read_bytes()
    preview = preview_import(content, fmt or detect_format(path, content), topic_id)
    click.echo(f"{preview.new_count} câu mới, {len(preview.duplicates)} câu trùng, {len(preview.errors)} lỗi.")
    if preview.duplicates:
        click.echo(f"  câu trùng (bỏ qua): {preview.duplicates_text()}")
    for line, message in preview.errors:
        click.echo(f"  dòng {line}: {message}", err=True)
    for line, message in preview.warnings:
        click.echo(f"  dòng {line} (lưu ý): {message}", err=True)
    if dry_run:
        for line, draft in preview.drafts:
            click.echo(describe_draft(line, draft))
    if preview.errors:
        raise SystemExit(1)
    if not dry_run:
        click.echo(f"Đã nhập {apply_import(preview, actor_id, Path(path).name)} câu hỏi.")


@questions_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["xlsx", "gift", "aiken"]), help="Default: from the file name.")
@click.option("--topic", "topic_slug", help="Only this topic (slug).")
@click.option("--active-only", is_flag=True, help="Only questions in use.")
def questions_export(path: str, fmt: str | None, topic_slug: str | None, active_only: bool) -> None:
    """Export the bank (or one topic, or the active questions) to .xlsx, GIFT or Aiken."""
    from pathlib import Path

    from quiz.models import Topic
    from quiz.questions.editing import filtered_questions
    from quiz.questions.transfer import export_aiken, export_gift, export_xlsx
    topic_id = db.session.scalar(select(Topic.id).where(Topic.slug == topic_slug)) if topic_slug else None
    if topic_slug and topic_id is None:
        raise click.BadParameter(f"không có chủ đề {topic_slug}", param_hint="--topic")
    questions = filtered_questions(topic_id=topic_id, active=True if active_only else None)
    fmt = fmt or {".gift": "gift", ".txt": "aiken", ".aiken": "aiken"}.get(Path(path).suffix.lower(), "xlsx")
    skipped: list = []
    if fmt == "xlsx":
        Path(path).write_bytes(export_xlsx(questions))
    elif fmt == "gift":
        Path(path).write_text(export_gift(questions), encoding="utf-8")
    else:
        text, skipped = export_aiken(questions)
        Path(path).write_text(text, encoding="utf-8")
    click.echo(f"Đã xuất {len(questions) - len(skipped)} câu hỏi ra {path}.")
    for question, reason in skipped:
        click.echo(f"  bỏ qua câu Q{question.id}: {reason}", err=True)


@questions_cli.command("stats-refresh")
@click.option("--round", "round_id", type=int, help="Only this round (default: every round).")
def questions_stats_refresh(round_id: int | None) -> None:
    """Recompute the question statistics (for cron, e.g. every 15 minutes while a round is open)."""
    from quiz.contest.question_stats import refresh_stats
    round_ids = [round_id] if round_id else list(db.session.scalars(select(Round.id)))
    for one in round_ids:
        click.echo(f"Đợt {one}: {refresh_stats(one, utcnow())} dòng thống kê.")


@rounds_cli.command("ensure-open")
@click.option("--days", default=30, show_default=True, help="How long the new round stays open.")
def rounds_ensure_open(days: int) -> None:
    """Create an open round with the default rules when no round exists yet."""
    if db.session.scalar(select(Round.id).limit(1)):
        click.echo("Đã có đợt thi; không tạo thêm.")
        return
    now = utcnow()
    contest = Contest(name=current_app.config["CONTEST_TITLE"])  # not named like its round ("cuộc thi “Đợt 1”")
    db.session.add(Round(name="Đợt 1", opens_at=now - timedelta(minutes=1), closes_at=now + timedelta(days=days),
                         contest=contest))
    db.session.commit()
    click.echo(f"Đã tạo Đợt 1, mở trong {days} ngày.")


@tallies_cli.command("rebuild")
def tallies_rebuild() -> None:
    """Recompute every tally from the database into new keys and swap them in atomically."""
    generation = tallies.rebuild()
    click.echo(f"Đã dựng lại số liệu trực tiếp (thế hệ {generation}).")


@tallies_cli.command("verify")
def tallies_verify() -> None:
    """Compare Redis with the database; exit 1 naming each commune and figure that differs."""
    round_ids = list(db.session.scalars(select(Round.id)))
    differences = tallies.verify(round_ids)
    for line in differences:
        click.echo(line)
    if differences:
        raise SystemExit(1)
    click.echo("Số liệu trong Redis khớp với cơ sở dữ liệu.")


@admins_cli.command("create-organizer")
@click.argument("username")
@click.password_option(help="Initial password (changed at first login).")
def admins_create_organizer(username: str, password: str) -> None:
    """Create an organizer account for the whole province."""
    from quiz.errors import DomainError
    from quiz.people.staff_accounts import create_organizer
    try:
        create_organizer(username, password)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Đã tạo tài khoản Ban Tổ chức {username}; phải đổi mật khẩu khi đăng nhập lần đầu.")


@admins_cli.command("create-commune-admins")
@click.option("--out", type=click.Path(dir_okay=False), required=True, help="Excel file for the credentials.")
def admins_create_commune_admins(out: str) -> None:
    """Create one commune-admin account per commune (skips existing) and write their credentials to .xlsx."""
    from pathlib import Path

    from quiz.people.staff_accounts import create_commune_admins, write_credentials
    rows = create_commune_admins(current_app.config["PROVINCE_CODE"])
    write_credentials(rows, Path(out))
    click.echo(f"Đã tạo {len(rows)} tài khoản cán bộ xã; thông tin đăng nhập ở {out}.")


@communes_cli.command("import-population")
@click.argument("csv_file", type=click.File(encoding="utf-8-sig"))
def communes_import_population(csv_file: TextIO) -> None:
    """Set adult population per commune from a CSV of `ma_xa,dan_so_truong_thanh` (header optional)."""
    from quiz.people.communes import import_population
    updated, problems = import_population(csv_file.read(), current_app.config["PROVINCE_CODE"])
    for line in problems:
        click.echo(line, err=True)
    click.echo(f"Đã cập nhật dân số cho {updated} xã, phường, đặc khu.")
    if problems:
        raise SystemExit(1)


@privacy_cli.command("apply-retention")
def privacy_apply_retention() -> None:
    """Anonymise every citizen whose retention period has passed (for cron; safe to run twice)."""
    from quiz.privacy.anonymise import apply_retention, retention_deadline
    deadline = retention_deadline()
    from quiz.contest.allowance import purge_expired_allowances
    from quiz.privacy.anonymise import retention_days
    count = apply_retention(utcnow())
    when = f"hạn lưu {deadline:%d/%m/%Y %H:%M} UTC" if deadline else "chưa có đợt thi"
    click.echo(f"Đã ẩn danh {count} người dự thi ({when}).")
    purged = purge_expired_allowances(utcnow(), retention_days())
    click.echo(f"Đã xóa {purged} bản ghi lượt thi theo số điện thoại (mã băm) của các đợt đã hết hạn lưu.")


@click.command("setup")
@click.pass_context
def setup(ctx: click.Context) -> None:
    """Load communes, the sample bank, the privacy notice and an open round (after `flask db upgrade`)."""
    ctx.invoke(communes_sync, province=None)
    ctx.invoke(questions_load_sample)
    ensure_default_notice()
    ctx.invoke(rounds_ensure_open, days=30)


def init_app(app: Flask) -> None:
    from quiz.certificate_cli import certificates_cli
    from quiz.fairness_cli import attempts_cli, integrity_cli
    from quiz.prize_cli import prizes_cli
    for command in (communes_cli, questions_cli, rounds_cli, tallies_cli, admins_cli, privacy_cli, certificates_cli,
                    prizes_cli, setup, attempts_cli, integrity_cli):
        app.cli.add_command(command)
