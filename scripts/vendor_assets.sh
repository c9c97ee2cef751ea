#!/usr/bin/env bash
# Vendor front-end files once from npm into static/vendor (and axe-core into tests/vendor); commit the result.
# Nothing is fetched from a CDN or npm at run time, and no node_modules is left behind.
set -euo pipefail
cd "$(dirname "$0")/.."
CHARTJS=chart.js@4.6.1
FONT=@fontsource/be-vietnam-pro@5.3.0
AXE=axe-core@4.14.1
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
written=()

unpack() {  # unpack PACKAGE@VERSION into $work/NAME
  local dest="$work/$2"; mkdir -p "$dest"
  (cd "$work" && npm pack --silent --ignore-scripts "$1" >/dev/null \
    && tar -xzf ./*.tgz -C "$dest" --strip-components=1 && rm ./*.tgz)
}
put() {  # copy SRC to DEST and remember DEST
  cp "$1" "$2"; written+=("$2")
}

mkdir -p static/vendor/fonts static/vendor/LICENSES tests/vendor

unpack "$CHARTJS" chartjs
put "$work/chartjs/dist/chart.umd.min.js" static/vendor/chart.umd.min.js
put "$work/chartjs/LICENSE.md" static/vendor/LICENSES/chart.js.txt

unpack "$FONT" font
for weight in 400 700; do
  for subset in latin vietnamese; do
    f="be-vietnam-pro-$subset-$weight-normal.woff2"
    put "$work/font/files/$f" "static/vendor/fonts/$f"
  done
done
put "$work/font/LICENSE" static/vendor/LICENSES/be-vietnam-pro.txt
# @font-face rules for those files, unicode-range taken from the package's 400.css/700.css
# (its per-subset CSS files carry no unicode-range).
python3 - "$work/font" > "$work/be-vietnam-pro.css" <<'PY'
import re, sys
root = sys.argv[1]
for weight in (400, 700):
    css = open(f"{root}/{weight}.css", encoding="utf-8").read()
    for subset in ("vietnamese", "latin"):
        m = re.search(r"/\* be-vietnam-pro-%s-%d-normal \*/\s*@font-face \{(.*?)\}" % (subset, weight), css, re.S)
        r = m and re.search(r"unicode-range:\s*([^;]+);", m.group(1))
        if not r:
            sys.exit(f"no unicode-range for {subset} {weight} in {weight}.css")
        # optional: no late swap (no layout shift on slow phones); the font is preloaded and cached
        print(f"@font-face{{font-family:'Be Vietnam Pro';font-style:normal;font-display:optional;font-weight:{weight};"
              f"src:url(./be-vietnam-pro-{subset}-{weight}-normal.woff2) format('woff2');unicode-range:{r.group(1).strip()};}}")
PY
put "$work/be-vietnam-pro.css" static/vendor/fonts/be-vietnam-pro.css

unpack "$AXE" axe
put "$work/axe/axe.min.js" tests/vendor/axe.min.js
put "$work/axe/LICENSE" tests/vendor/LICENSE-axe-core.txt

for f in "${written[@]}"; do printf '%9d  %s\n' "$(stat -c %s "$f")" "$f"; done
