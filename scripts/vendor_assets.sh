#!/usr/bin/env bash
# Vendor front-end files once from npm into static/vendor (and axe-core into tests/vendor); commit the result.
# Nothing is fetched from a CDN or npm at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
CHARTJS=chart.js@4.6.1
FONT=@fontsource/be-vietnam-pro@5.3.0
AXE=axe-core@4.14.1
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

unpack() {  # unpack PACKAGE@VERSION into $work/NAME
  local dest="$work/$2"; mkdir -p "$dest"
  (cd "$work" && npm pack --silent "$1" >/dev/null && tar -xzf ./*.tgz -C "$dest" --strip-components=1 && rm ./*.tgz)
}

mkdir -p static/vendor/fonts static/vendor/LICENSES tests/vendor
unpack "$CHARTJS" chartjs
cp "$work/chartjs/dist/chart.umd.min.js" static/vendor/chart.umd.min.js
cp "$work/chartjs/LICENSE.md" static/vendor/LICENSES/chart.js.txt

unpack "$FONT" font
for weight in 400 700; do
  for subset in latin vietnamese; do
    cp "$work/font/files/be-vietnam-pro-$subset-$weight-normal.woff2" static/vendor/fonts/
  done
done
cp "$work/font/LICENSE" static/vendor/LICENSES/be-vietnam-pro.txt
# @font-face rules for those files, with the package's own unicode ranges.
python3 - "$work/font" > static/vendor/fonts/be-vietnam-pro.css <<'PY'
import re, sys
root = sys.argv[1]
for weight in (400, 700):
    css = open(f"{root}/{weight}.css", encoding="utf-8").read()
    for subset in ("vietnamese", "latin"):
        block = re.search(r"/\* be-vietnam-pro-%s-%d-normal \*/\s*@font-face \{(.*?)\}" % (subset, weight), css, re.S).group(1)
        ranges = re.search(r"unicode-range:\s*([^;]+);", block).group(1).strip()
        print(f"@font-face{{font-family:'Be Vietnam Pro';font-style:normal;font-display:swap;font-weight:{weight};"
              f"src:url(./be-vietnam-pro-{subset}-{weight}-normal.woff2) format('woff2');unicode-range:{ranges};}}")
PY

unpack "$AXE" axe
cp "$work/axe/axe.min.js" tests/vendor/axe.min.js
cp "$work/axe/LICENSE" tests/vendor/LICENSE-axe-core.txt

ls -l static/vendor static/vendor/fonts tests/vendor | awk 'NF>5 {print $5, $NF}'
