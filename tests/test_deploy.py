"""deploy/: the nginx site passes `nginx -t` and, run for real in front of the app, caches static files for a
year, micro-caches the home page and feed for visitors without a session, compresses, limits bodies and
redirects plain HTTP; the systemd units name real commands and valid calendar expressions.

Needs Debian's nginx (scripts/run_tests.sh installs it like chromium); skipped with the reason without it.
"""
import configparser
import re
import runpy
import shutil
import subprocess
import threading

import httpx
import pytest
from werkzeug.serving import make_server

from bench import nginx_site

DEPLOY = nginx_site.DEPLOY
NGINX, BROTLI_MODULES = nginx_site.NGINX, nginx_site.BROTLI_MODULES
needs_nginx = pytest.mark.skipif(NGINX is None, reason="Debian's nginx is not installed (apt-get install nginx)")


@needs_nginx
def test_the_site_passes_nginx_t(tmp_path):
    main, _, _ = nginx_site.site_config(tmp_path, nginx_site.free_port())
    checked = nginx_site.check(main)
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr and "test is successful" in checked.stderr


@pytest.fixture
def served(app, tmp_path, contest):
    """The real app on a loopback port, nginx with the deploy/ site in front of it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    main, http_port, https_port = nginx_site.site_config(tmp_path, server.server_port)
    try:
        with nginx_site.running(main), httpx.Client(base_url=f"https://127.0.0.1:{https_port}", verify=False, timeout=10) as client:
            for _ in range(100):
                try:
                    client.get("/healthz")
                    break
                except httpx.TransportError:
                    threading.Event().wait(0.05)
            yield client, http_port
    finally:
        server.shutdown()


@needs_nginx
def test_nginx_in_front_caches_compresses_and_limits(served):
    client, http_port = served
    css = client.get("/static/css/app.css?v=1", headers={"Accept-Encoding": "br, gzip"})
    assert css.status_code == 200 and css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert css.headers["Content-Encoding"] == ("br" if BROTLI_MODULES else "gzip")
    first, second = client.get("/"), client.get("/")
    assert first.status_code == 200 and (first.headers["X-Cache-Status"], second.headers["X-Cache-Status"]) \
        == ("MISS", "HIT")
    feed = [client.get("/quan-tri/cong-khai/so-lieu.json").headers["X-Cache-Status"] for _ in range(2)]
    assert feed == ["MISS", "HIT"]
    with_session = client.get("/", headers={"Cookie": "session=abc"})
    assert with_session.headers["X-Cache-Status"] == "BYPASS"
    assert client.post("/dang-nhap", content=b"x" * (11 * 1024 * 1024)).status_code == 413
    plain = httpx.get(f"http://127.0.0.1:{http_port}/thi", follow_redirects=False)
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # keys are case-sensitive in systemd units
    parser.read(DEPLOY / "systemd" / name)
    return parser


def test_every_timer_runs_a_real_flask_command_at_a_valid_time(app):
    timers = sorted((DEPLOY / "systemd").glob("*.timer"))
    assert {t.stem for t in timers} == {"congdanso-overdue", "congdanso-retention", "congdanso-stats"}
    for timer in timers:
        when = unit(timer.name)["Timer"]["OnCalendar"]
        if shutil.which("systemd-analyze"):
            assert subprocess.run(["systemd-analyze", "calendar", when], capture_output=True).returncode == 0, when
        command = unit(f"{timer.stem}.service")["Service"]["ExecStart"].split()
        assert command[0] == "/srv/congdanso/.venv/bin/flask"
        group = app.cli.get_command(None, command[1])
        if timer.stem == "congdanso-overdue" and group is None:
            pytest.skip("`flask attempts close-overdue` comes with issue 14's branch")
        assert group is not None and group.get_command(None, command[2]) is not None, command


def test_the_gunicorn_unit_runs_migrations_then_gunicorn():
    service = unit("congdanso.service")["Service"]
    assert service["ExecStartPre"].endswith("flask db upgrade")
    assert service["ExecStart"].endswith("gunicorn -c gunicorn.conf.py wsgi:app")
    assert service["ExecReload"] == "/bin/kill -s HUP $MAINPID" and service["User"] == "congdanso"


def test_nginx_drops_an_idle_upstream_connection_before_gunicorn_does():
    """nginx reusing a kept-alive connection at the moment gunicorn closes it answers a POST with 502
    (a retry is not allowed for it), so nginx's idle timeout for gunicorn must be the shorter one."""
    site = (DEPLOY / "nginx" / "congdanso.conf").read_text()
    upstream = re.search(r"upstream congdanso_app \{(.*?)\}", site, re.S)
    assert upstream is not None
    nginx_idle = re.search(r"keepalive_timeout\s+(\d+)s;", upstream.group(1))
    gunicorn_idle = runpy.run_path(str(DEPLOY.parent / "gunicorn.conf.py"))["keepalive"]
    assert nginx_idle is not None, "nginx's default for upstream connections is 60 s"
    assert int(nginx_idle.group(1)) < gunicorn_idle
