"""Lighthouse (mobile emulation) on the register, quiz and result pages, plus the quiz page's transfer size.

Installs lighthouse@12.8.2 (runs on Node 20) into bench/node_modules on first use, serves the app with
gunicorn on a fresh SQLite database, registers a citizen to reach the quiz and result pages, and prints
performance and accessibility scores and bytes transferred. Run: `make bench-lighthouse`.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.servers import ROOT, bench_env, gunicorn  # noqa: E402

LIGHTHOUSE = ROOT / "bench" / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --disable-quic --no-first-run")
PORT = 8110


def install() -> None:
    if not LIGHTHOUSE.exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(ROOT / "bench"), "lighthouse@12.8.2"],
                       check=True, capture_output=True)


def prepare_database(env: dict) -> None:
    flask = str(Path(sys.executable).with_name("flask"))
    for command in (["db", "upgrade"], ["setup"]):
        subprocess.run([flask, *command], env={**env, "FLASK_APP": "wsgi:app"}, cwd=ROOT, check=True, capture_output=True)


def citizen_pages(base: str) -> tuple[str, str, str]:
    """Register through the real form; return the session cookie, the quiz URL and the result URL."""
    with httpx.Client(base_url=base, follow_redirects=False) as client:
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', client.get("/dang-ky").text).group(1)
        client.post("/dang-ky", data={"csrf_token": token, "full_name": "Người Đo", "birth_date": "01/01/1960",
                                      "phone": "0912999888", "commune_code": "10507", "password": "matkhau123",
                                      "consent": "y"})
        token = re.search(r'value="([^"]+)"', client.get("/thi").text.split('name="csrf_token"')[1]).group(1)
        quiz = client.post("/thi/bat-dau", data={"csrf_token": token}).headers["location"]
        first = client.post("/dang-xuat", data={"csrf_token": token})  # noqa: F841 - a fresh login below
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', client.get("/dang-nhap").text).group(1)
        client.post("/dang-nhap", data={"csrf_token": token, "phone": "0912999888", "password": "matkhau123"})
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    return cookie, quiz, quiz.replace("/thi/", "/ket-qua/")


def submit(base: str, cookie: str, quiz: str) -> None:
    headers = {"Cookie": cookie}
    page = httpx.get(base + quiz, headers=headers).text
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    httpx.post(base + quiz + "/nop", data={"csrf_token": token}, headers=headers)


def audit(url: str, cookie: str | None) -> dict:
    out = Path(tempfile.mkdtemp()) / "report.json"
    command = [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
               "--only-categories=performance,accessibility", "--form-factor=mobile", f"--chrome-flags={CHROME_FLAGS}"]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    subprocess.run(command, env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"}, check=True, capture_output=True,
                   timeout=180)
    report = json.loads(out.read_text())
    requests = report["audits"]["network-requests"]["details"]["items"]
    return {"performance": round(report["categories"]["performance"]["score"] * 100),
            "accessibility": round(report["categories"]["accessibility"]["score"] * 100),
            "bytes": sum(r.get("transferSize", 0) for r in requests),
            "bytes_without_fonts": sum(r.get("transferSize", 0) for r in requests if r.get("resourceType") != "Font"),
            "requests": len(requests)}


def main() -> None:
    install()
    folder = Path(tempfile.mkdtemp(prefix="cds-lighthouse-"))
    env = bench_env(f"sqlite:///{folder / 'lh.db'}", os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8"), folder)
    prepare_database(env)
    with gunicorn("wsgi:app", PORT, env, folder):
        base = f"http://127.0.0.1:{PORT}"
        cookie, quiz, result = citizen_pages(base)
        print("Lighthouse 12.8.2, mobile emulation (Moto G Power, slow 4G throttling), Debian Chromium")
        for name, path, with_cookie in (("register", "/dang-ky", False), ("quiz", quiz, True)):
            figures = audit(base + path, cookie if with_cookie else None)
            print(f"  {name:<9} performance {figures['performance']:3d}  accessibility {figures['accessibility']:3d}  "
                  f"transferred {figures['bytes']:,} B ({figures['bytes_without_fonts']:,} B without fonts) "
                  f"in {figures['requests']} requests")
        submit(base, cookie, quiz)
        figures = audit(base + result, cookie)
        print(f"  {'result':<9} performance {figures['performance']:3d}  accessibility {figures['accessibility']:3d}  "
              f"transferred {figures['bytes']:,} B ({figures['bytes_without_fonts']:,} B without fonts) "
              f"in {figures['requests']} requests")


if __name__ == "__main__":
    main()
