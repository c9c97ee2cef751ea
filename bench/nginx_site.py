"""deploy/nginx as an operator installs it, moved into a temporary directory with loopback ports: for
tests/test_deploy.py and the benchmark's run through nginx."""
import os
import re
import shutil
import socket
import subprocess
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY, STATIC = ROOT / "deploy", ROOT / "static"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
BROTLI_MODULES = sorted(Path("/etc/nginx/modules-enabled").glob("*brotli*.conf"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def site_config(tmp: Path, app_port: int) -> tuple[Path, int, int]:
    """A full nginx.conf including the deploy/ site; returns it with the site's HTTP and HTTPS ports."""
    http_port, https_port = free_port(), free_port()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-days", "1", "-subj", "/CN=localhost", "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem")],
                   check=True, capture_output=True)
    site = (DEPLOY / "nginx" / "congdanso.conf").read_text()
    for old, new in {"/etc/nginx/congdanso/": f"{tmp}/", "/var/cache/nginx/congdanso": str(tmp / "cache"),
                     "/etc/letsencrypt/live/congdanso.haiphong.gov.vn/fullchain.pem": str(tmp / "cert.pem"),
                     "/etc/letsencrypt/live/congdanso.haiphong.gov.vn/privkey.pem": str(tmp / "key.pem"),
                     "/srv/congdanso/static/": f"{STATIC}/", "/var/www/letsencrypt": str(tmp),
                     "127.0.0.1:8000": f"127.0.0.1:{app_port}", "listen 443 ssl": f"listen 127.0.0.1:{https_port} ssl",
                     "listen 80;": f"listen 127.0.0.1:{http_port};"}.items():
        if old not in site:
            raise ValueError(f"deploy/nginx/congdanso.conf no longer holds {old!r}")
        site = site.replace(old, new)
    site = re.sub(r"^\s*listen \[::\].*$", "", site, flags=re.MULTILINE)  # loopback only
    (tmp / "congdanso.conf").write_text(site)
    shutil.copy(DEPLOY / "nginx" / "micro-cache.conf", tmp / "micro-cache.conf")
    (tmp / "brotli.conf").write_text((DEPLOY / "nginx" / "brotli.conf").read_text() if BROTLI_MODULES else "")
    temp_paths = "".join(f"{kind}_temp_path {tmp}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = tmp / "nginx.conf"
    main.write_text("".join(f"include {m};\n" for m in BROTLI_MODULES)
                    + ("user root;\n" if os.geteuid() == 0 else "")  # workers may read the private temp dir
                    + f"worker_processes 1;\npid {tmp}/nginx.pid;\nerror_log {tmp}/error.log;\n"
                    "events { worker_connections 4096; }\n"
                    f"http {{\ninclude /etc/nginx/mime.types;\naccess_log off;\n{temp_paths}"
                    f"include {tmp}/congdanso.conf;\n}}\n")
    return main, http_port, https_port


def check(main: Path) -> subprocess.CompletedProcess:
    """`nginx -t` on the full configuration."""
    return subprocess.run([NGINX, "-t", "-e", str(main.parent / "error.log"), "-c", str(main)],
                          capture_output=True, text=True)


@contextmanager
def running(main: Path):  # type: ignore[no-untyped-def]
    """nginx in the foreground with that configuration, stopped afterwards; yields its process."""
    process = subprocess.Popen([NGINX, "-e", str(main.parent / "error.log"), "-c", str(main), "-g", "daemon off;"],
                               stderr=subprocess.DEVNULL)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(10)
