#!/usr/bin/env bash
# Refreshes the vendored MapLibre GL JS served by the built-in map (internal/web/page.go
# embeds internal/web/static/...). It takes the dist files and licence from the npm
# package at a pinned version, so the page needs no CDN and works offline.
#
#   bash internal/web/static/vendor/refresh.sh            # the pinned version below
#   bash internal/web/static/vendor/refresh.sh 5.24.1     # another version (then update VERSION here)
#
# Version 5.x ships a single UMD bundle (maplibre-gl.js, worker inlined),
# which a plain <script> tag loads: no build step. 6.x ships ES modules only.
set -euo pipefail
VERSION="${1:-5.24.1}"
here="$(cd "$(dirname "$0")" && pwd)"
dest="$here/maplibre-gl"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "maplibre-gl@$VERSION" >/dev/null)
tar xzf "$tmp/maplibre-gl-$VERSION.tgz" -C "$tmp"
mkdir -p "$dest"
cp "$tmp/package/dist/maplibre-gl.js" "$tmp/package/dist/maplibre-gl.css" "$dest/"
cp "$tmp/package/LICENSE.txt" "$dest/LICENSE.txt"
echo "$VERSION" > "$dest/VERSION"
echo "maplibre-gl $VERSION vendored in $dest"
