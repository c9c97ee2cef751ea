"""Subset Be Vietnam Pro to the characters Vietnamese and our UI need: one small file per weight.

The @fontsource files (assets/fonts/, vendored by scripts/vendor_assets.sh) come as a "latin" and a
"vietnamese" file per weight, 67 KB in all; a Vietnamese page needs both. This merges each pair and keeps
only printable ASCII, the Vietnamese letters, the combining tone marks (text typed in NFD) and the UI's
punctuation, without hinting: about 30 KB for both weights. Run: .venv/bin/python scripts/subset_fonts.py
"""
import sys
import tempfile
from pathlib import Path

from fontTools import subset
from fontTools.merge import Merger
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "assets" / "fonts"
TARGET = ROOT / "static" / "vendor" / "fonts"
WEIGHTS = (400, 700)
VIETNAMESE_LETTERS = "àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝăĂđĐĩĨũŨơƠưƯ"
UNICODES = ([*range(0x20, 0x7F), 0xA0, *map(ord, VIETNAMESE_LETTERS), *range(0x1EA0, 0x1EFA),
             0x0300, 0x0301, 0x0303, 0x0309, 0x0323,  # tone marks, for NFD text
             0xB7, 0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2026, 0x2192, 0x20AB])


def merged(weight: int, folder: Path) -> Path:
    """The latin and vietnamese files of one weight as one TrueType font."""
    parts = []
    for name in ("latin", "vietnamese"):
        font = TTFont(SOURCE / f"be-vietnam-pro-{name}-{weight}-normal.woff2")
        font.flavor = None
        parts.append(folder / f"{name}-{weight}.ttf")
        font.save(parts[-1])
    out = folder / f"merged-{weight}.ttf"
    Merger().merge([str(p) for p in parts]).save(out)
    return out


def subset_weight(weight: int, folder: Path) -> Path:
    options = subset.Options()
    options.flavor = "woff2"
    options.hinting = False
    options.desubroutinize = True
    options.layout_features = ["kern", "mark", "mkmk", "ccmp", "liga"]
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]  # family names and the licence notice pointer
    font = subset.load_font(str(merged(weight, folder)), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=UNICODES)
    subsetter.subset(font)
    out = TARGET / f"be-vietnam-pro-{weight}.woff2"
    subset.save_font(font, str(out), options)
    return out


def write_css() -> Path:
    rules = [f"@font-face{{font-family:'Be Vietnam Pro';font-style:normal;font-display:optional;font-weight:{w};"
             f"src:url(./be-vietnam-pro-{w}.woff2) format('woff2');}}"
             for w in WEIGHTS]
    # no unicode-range: every page needs the one file; a character it lacks falls back by itself.
    # optional: no late swap (no layout shift); both weights are preloaded, so bold never flashes a fallback
    out = TARGET / "be-vietnam-pro.css"
    out.write_text("\n".join(rules) + "\n", encoding="utf-8")
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for weight in WEIGHTS:
            out = subset_weight(weight, Path(tmp))
            print(f"{out.stat().st_size:7d}  {out.relative_to(ROOT)}")
    print(f"{write_css().stat().st_size:7d}  {TARGET.relative_to(ROOT)}/be-vietnam-pro.css")


if __name__ == "__main__":
    sys.exit(main())
