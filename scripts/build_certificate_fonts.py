"""Build the single-file Be Vietnam Pro fonts that certificates and share images embed.

The @fontsource web fonts come split by script (latin / vietnamese woff2 subsets, chosen by the browser
through unicode-range). WeasyPrint and Pillow want one font holding every glyph, so the two subsets
of each weight are merged into one TrueType file: quiz/data/fonts/be-vietnam-pro-<weight>.ttf.
Run: .venv/bin/python scripts/build_certificate_fonts.py (fontTools comes with WeasyPrint).
"""
import tempfile
from pathlib import Path

from fontTools.merge import Merger
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
WEB_FONTS = ROOT / "assets" / "fonts"  # the npm subsets, before the site's own subsetting
OUT = ROOT / "quiz" / "data" / "fonts"


def build(weight: str) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        parts = []
        for subset in ("latin", "vietnamese"):
            font = TTFont(WEB_FONTS / f"be-vietnam-pro-{subset}-{weight}-normal.woff2")
            font.flavor = None
            parts.append(Path(tmp) / f"{subset}.ttf")
            font.save(parts[-1])
        merged = Merger().merge([str(p) for p in parts])
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / f"be-vietnam-pro-{weight}.ttf"
    merged.save(target)
    return target


if __name__ == "__main__":
    for weight in ("400", "700"):
        print(build(weight))
