#!/usr/bin/env bash
# Renders the demo's monthly packs as they would print, one PNG per page, to check the print set-up by eye:
# landscape, a page wide, the header row on every page, no ##### columns, the cover's checklist in red and green.
#
#     docs/render_pack.sh [OUTPUT_FOLDER]      (default: docs/screenshots)
#
# Needs LibreOffice, poppler and Carlito (metrically the same as Calibri, the workbooks' font, so text wraps and
# fits as it does in Excel), documentation tools and not jointlead dependencies:
#     apt-get install -y --no-install-recommends libreoffice-calc poppler-utils fonts-crosextra-carlito
# Writes pack-NFT-pNN.png for every page of the NFT pack and pack-NCC-p01.png (the NCC cover). LibreOffice prints
# each sheet with its own page set-up (orientation, fit to width, print titles, footer), as Excel would.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
out="${1:-$here/screenshots}"
dpi="${DPI:-90}"
jointlead="$root/.venv/bin/jointlead"

for tool in soffice pdftoppm pdfinfo; do
    command -v "$tool" >/dev/null || { echo "render_pack.sh: $tool is missing (see the comment at the top)" >&2; exit 1; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

"$jointlead" demo --db "$work/demo.sqlite" >/dev/null
for org in NFT NCC; do
    "$jointlead" export pack --db "$work/demo.sqlite" --org "$org" --out "$work/pack-$org.xlsx" --as-at M7 >/dev/null
done

# A private LibreOffice profile: no first-start dialogs, and no clash with a LibreOffice already running.
soffice --headless -env:UserInstallation="file://$work/profile" --convert-to pdf --outdir "$work" \
    "$work/pack-NFT.xlsx" "$work/pack-NCC.xlsx" >/dev/null 2>&1

rm -f "$out"/pack-NFT-p*.png "$out"/pack-NCC-p*.png
pdftoppm -r "$dpi" -png "$work/pack-NFT.pdf" "$out/pack-NFT-p"
pdftoppm -r "$dpi" -png -f 1 -l 1 "$work/pack-NCC.pdf" "$out/pack-NCC-p"
# pdftoppm numbers pages p-01.png or p-1.png depending on the page count: make them pack-NFT-p01.png.
for file in "$out"/pack-*-p-*.png; do
    number="${file##*-p-}"
    number="${number%.png}"
    mv "$file" "${file%-p-*}-p$(printf '%02d' "$((10#$number))").png"
done
fc-list | grep -qi carlito || echo "render_pack.sh: no Carlito font, so text is set wider than in Excel" >&2
pages="$(pdfinfo "$work/pack-NFT.pdf" | awk '/^Pages:/ {print $2}')"
echo "NFT pack: $pages pages; NCC cover: 1 page; PNGs at $dpi dpi in $out"
