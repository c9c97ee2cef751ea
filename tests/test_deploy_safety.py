"""Deployment safety: no public secret off loopback, `make secret` keeps a 0600 key, 0600 credentials, explicit proxy hops."""
import os
import shutil
import stat
import subprocess
from pathlib import Path

import openpyxl
import pytest

import config
from quiz import create_app
from quiz.infra.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def _app(app, name, **overrides):  # type: ignore[no-untyped-def]
    return create_app(name, {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], **overrides})


@pytest.mark.parametrize("env, bind", [("development", "0.0.0.0:8000"), ("production", "127.0.0.1:8000"),
                                       ("development", "10.0.0.5:8000")])
def test_the_public_default_secret_is_refused_off_a_developers_loopback(app, env, bind):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        _app(app, env, SECRET_KEY=config.DEFAULT_SECRET, SERVER_BIND=bind)


def test_the_default_secret_runs_in_development_on_loopback(app):
    dev = _app(app, "development", SECRET_KEY=config.DEFAULT_SECRET, SERVER_BIND="127.0.0.1:8000")
    assert dev.config["SECRET_KEY"] == config.DEFAULT_SECRET
    with dev.app_context():
        db.engine.dispose()


def test_make_secret_creates_a_private_key_once(tmp_path):
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    for _ in range(2):
        subprocess.run(["make", "-s", "-C", str(tmp_path), "secret"], check=True, capture_output=True)
        key_file = tmp_path / "instance" / "secret_key"
        if _ == 0:
            first = key_file.read_text()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text() == first and len(first.strip()) >= 40
    assert config.instance_secret(key_file) == first.strip()
    assert config.instance_secret(tmp_path / "missing") is None


def test_the_credentials_file_is_readable_by_its_owner_only(app, tmp_path):
    out = tmp_path / "tai-khoan.xlsx"
    out.write_bytes(b"old")
    os.chmod(out, 0o644)
    result = app.test_cli_runner().invoke(args=["admins", "create-commune-admins", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert openpyxl.load_workbook(out).active.max_row == 115


def test_x_forwarded_for_is_trusted_only_when_proxy_hops_is_set(app, monkeypatch):
    monkeypatch.delenv("PROXY_HOPS", raising=False)
    import importlib
    importlib.reload(config)
    try:
        assert config.ProductionConfig.PROXY_HOPS == 0 and config.Config.PROXY_HOPS == 0
    finally:
        importlib.reload(config)
