"""Build quiz/data/communes.json from the data inside the `vietnam-provinces` 2026.x wheel.

The 2026.x releases carry the official statistics-office codes but declare Python >= 3.12, so the
wheel is downloaded, not installed, and only its data (public facts) is read: the package is GPL
and none of its code runs in the app. Usage: python3 scripts/build_communes_data.py [--wheel W] [--out F]
"""
import argparse
import json
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from pathlib import Path

PACKAGE = "vietnam-provinces==2026.9.0"
DATA_MEMBER = "vietnam_provinces/data/nested-divisions.json"
OUT = Path(__file__).resolve().parent.parent / "quiz" / "data" / "communes.json"
KINDS = {"phường": "phuong", "xã": "xa", "đặc khu": "dac_khu"}


def download_wheel(folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--python-version", "3.12",
                    "--only-binary=:all:", PACKAGE, "-d", str(folder)], check=True)
    return next(folder.glob("vietnam_provinces-*.whl"))


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def province_entry(province: dict) -> dict:
    communes = [{"code": f"{ward['code']:05d}", "name": nfc(ward["name"]),
                 "type": KINDS[ward["division_type"]]} for ward in province["wards"]]
    return {"name": nfc(province["name"]), "communes": sorted(communes, key=lambda c: c["code"])}


def build(wheel: Path) -> dict:
    with zipfile.ZipFile(wheel) as archive:
        provinces = json.loads(archive.read(DATA_MEMBER))
    version = wheel.name.split("-")[1]
    return {"source": f"vietnam-provinces {version} ({DATA_MEMBER})",
            "provinces": {f"{p['code']:02d}": province_entry(p) for p in provinces}}


def write(data: dict, out: Path) -> None:
    lines = []
    for code, province in data["provinces"].items():
        rows = ",\n".join("    " + json.dumps(c, ensure_ascii=False) for c in province["communes"])
        lines.append(f'  "{code}": {{"name": {json.dumps(province["name"], ensure_ascii=False)}, '
                     f'"communes": [\n{rows}\n  ]}}')
    body = ",\n".join(lines)
    out.write_text(f'{{"source": {json.dumps(data["source"])},\n"provinces": {{\n{body}\n}}}}\n',
                   encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--wheel", type=Path)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data = build(args.wheel or download_wheel(Path(folder)))
    write(data, args.out)
    print(f"{len(data['provinces'])} provinces written to {args.out}")


if __name__ == "__main__":
    main()
