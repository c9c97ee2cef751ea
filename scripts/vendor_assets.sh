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
mkdir -p assets/fonts
for weight in 400 700; do
  for subset in latin vietnamese; do
    f="be-vietnam-pro-$subset-$weight-normal.woff2"
    put "$work/font/files/$f" "assets/fonts/$f"
  done
done
put "$work/font/LICENSE" static/vendor/LICENSES/be-vietnam-pro.txt
# the served fonts are subsets of those (one file per weight, Vietnamese + UI characters only)
.venv/bin/python scripts/subset_fonts.py

unpack "$AXE" axe
put "$work/axe/axe.min.js" tests/vendor/axe.min.js
put "$work/axe/LICENSE" tests/vendor/LICENSE-axe-core.txt

for f in "${written[@]}"; do printf '%9d  %s\n' "$(stat -c %s "$f")" "$f"; done
