"""Build quiz/data/communes.json from the data inside the `vietnam-provinces` 2026.9.0 wheel.

The 2026.x releases carry the official statistics-office codes of the post-2025 two-level
administrative units but declare Python >= 3.12, so the wheel is downloaded, never installed, and
only its data file `vietnam_provinces/data/nested-divisions.json` (a list of provinces, each with
its "wards") is read with zipfile. The package is GPL: none of its code is imported or run.

Standard library only. Usage:
    python3 scripts/build_communes_data.py [--wheel PATH.whl] [--out PATH.json]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

VERSION = "2026.9.0"
PACKAGE = f"vietnam-provinces=={VERSION}"
SOURCE = f"vietnam-provinces {VERSION}"
DATA_MEMBER = "vietnam_provinces/data/nested-divisions.json"
OUT = Path(__file__).resolve().parent.parent / "quiz" / "data" / "communes.json"
TYPES = {"phường": "phuong", "xã": "xa", "đặc khu": "dac_khu"}
PREFIXES = {"Phường ": "phuong", "Xã ": "xa", "Đặc khu ": "dac_khu"}

Commune = dict[str, str]


def download_wheel(folder: Path) -> Path:
    """Download the wheel (no install, no dependencies) into folder and return its path."""
    subprocess.run(["python3", "-m", "pip", "download", "--no-deps", "--python-version", "3.12",
                    "--only-binary=:all:", PACKAGE, "-d", str(folder)], check=True)
    return next(folder.glob("vietnam_provinces-*.whl"))


def nfc(text: str) -> str:
    """NFC-normalised, trimmed text."""
    return unicodedata.normalize("NFC", text).strip()


def read_provinces(wheel: Path) -> list[dict[str, Any]]:
    """The nested province/ward list stored in the wheel (which must be version VERSION)."""
    with zipfile.ZipFile(wheel) as archive:
        if f"vietnam_provinces-{VERSION}.dist-info/METADATA" not in archive.namelist():
            raise SystemExit(f"{wheel} is not the vietnam-provinces {VERSION} wheel")
        return json.loads(archive.read(DATA_MEMBER))


def commune_type(ward: dict[str, Any]) -> str:
    """'phuong', 'xa' or 'dac_khu' from the division type, else from the name prefix."""
    kind = TYPES.get(nfc(ward.get("division_type") or "").lower())
    if kind:
        return kind
    name = nfc(ward["name"])
    for prefix, prefix_kind in PREFIXES.items():
        if name.startswith(prefix):
            return prefix_kind
    raise ValueError(f"unknown division type for ward {ward['code']}: {ward['name']!r}")


def commune_entry(ward: dict[str, Any]) -> Commune:
    """One commune row: 5-digit code, NFC name, type."""
    return {"code": f"{int(ward['code']):05d}", "name": nfc(ward["name"]), "type": commune_type(ward)}


def province_entry(province: dict[str, Any]) -> dict[str, Any]:
    """A province's name and its communes sorted by code (codes must be unique)."""
    communes = sorted((commune_entry(w) for w in province["wards"]), key=lambda c: c["code"])
    codes = [c["code"] for c in communes]
    if len(set(codes)) != len(codes):
        raise ValueError(f"duplicate commune codes in province {province['code']}")
    return {"name": nfc(province["name"]), "communes": communes}


def build(wheel: Path) -> dict[str, Any]:
    """The whole data file content, provinces keyed by 2-digit code in code order."""
    provinces = sorted(read_provinces(wheel), key=lambda p: int(p["code"]))
    return {"source": SOURCE,
            "provinces": {f"{int(p['code']):02d}": province_entry(p) for p in provinces}}


def dumps(value: Any) -> str:
    """Compact JSON keeping Vietnamese letters as they are."""
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def render(data: dict[str, Any]) -> str:
    """The JSON text with one commune per line."""
    blocks = []
    for code, province in data["provinces"].items():
        rows = ",\n".join("    " + dumps(c) for c in province["communes"])
        blocks.append(f'  {dumps(code)}: {{"name": {dumps(province["name"])}, "communes": [\n{rows}\n  ]}}')
    body = ",\n".join(blocks)
    return f'{{"source": {dumps(data["source"])},\n"provinces": {{\n{body}\n}}}}\n'


def write(data: dict[str, Any], out: Path) -> None:
    """Write the data file, checking it parses back to the same content."""
    text = render(data)
    if json.loads(text) != data:
        raise AssertionError("rendered JSON does not round-trip")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Build quiz/data/communes.json from vietnam-provinces 2026.9.0.")
    parser.add_argument("--wheel", type=Path, help="an already-downloaded vietnam_provinces-2026.9.0 wheel")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output file (default {OUT})")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        data = build(args.wheel or download_wheel(Path(folder)))
    write(data, args.out)
    count = sum(len(p["communes"]) for p in data["provinces"].values())
    print(f"{len(data['provinces'])} provinces, {count} communes written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
