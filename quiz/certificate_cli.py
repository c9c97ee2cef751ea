"""`flask certificates …`: bulk issuance into a zip, with a progress line."""
import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from quiz.certificates.bulk import KINDS, BulkSettings, write_zip
from quiz.errors import CertificateError
from quiz.infra.clock import utcnow
from quiz.infra.extensions import db
from quiz.models import Round

certificates_cli = AppGroup("certificates", help="Certificates (giấy chứng nhận).")
CLI_FALLBACK_BASE_URL = "http://127.0.0.1:8000"


@certificates_cli.command("bulk")
@click.option("--round", "round_id", type=click.IntRange(1, 2**31 - 1), required=True, help="Round (đợt thi) id.")
@click.option("--kind", type=click.Choice(KINDS), default="completion", show_default=True,
              help="completion: everyone who passed; prize: the published winners.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, writable=True), required=True, help="The zip file.")
def certificates_bulk(round_id: int, kind: str, out_path: str) -> None:
    """Issue (or keep) the round's certificates and write every PDF into one zip."""
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise click.BadParameter(f"không có đợt thi {round_id}", param_hint="--round")
    base = current_app.config["PUBLIC_BASE_URL"]
    if not base:
        click.echo(f"PUBLIC_BASE_URL chưa đặt: mã QR sẽ trỏ tới {CLI_FALLBACK_BASE_URL}", err=True)
    settings = BulkSettings(current_app.config["CONTEST_TITLE"], base or CLI_FALLBACK_BASE_URL)
    started = time.monotonic()

    def show(done: int, total: int) -> None:
        rate = done / max(time.monotonic() - started, 1e-6)
        sys.stderr.write(f"\r{done}/{total} giấy chứng nhận ({rate:.0f}/s)")
        sys.stderr.flush()

    try:
        count = write_zip(round_, kind, settings, Path(out_path), utcnow(), show)
    except CertificateError as error:
        raise click.ClickException(error.message) from None
    sys.stderr.write("\n")
    click.echo(f"Đã ghi {count} giấy chứng nhận vào {out_path} trong {time.monotonic() - started:.1f} s.")
