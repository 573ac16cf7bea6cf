#!/usr/bin/env bash
# `npm run package`: the desktop .deb and AppImage (electron-builder.yml), and
# the helper's own .deb next to them (for AppImage users and servers). Needs
# the Electron binary that npm's electron package downloads at install time;
# where it is missing this says so in one line and exits 1 (build the helper
# alone with scripts/build-helper-deb.sh). Build first (npm run build).
set -euo pipefail
cd "$(dirname "$0")/.."
electron_bin=""
if [[ -f node_modules/electron/path.txt ]]; then
  electron_bin="node_modules/electron/dist/$(cat node_modules/electron/path.txt)"
fi
if [[ -z $electron_bin || ! -x $electron_bin ]]; then
  echo "package: no Electron binary here (node_modules/electron/dist is missing), so no .deb or AppImage; the helper alone builds without it: scripts/build-helper-deb.sh" >&2
  exit 1
fi
[[ -f out/main/index.js ]] || { echo "package: out/ is not built; run npm run build first" >&2; exit 1; }
version=$(node -p "require('./package.json').version")
rm -rf build/helper-root
# The app's helper runs under the app's own Electron as node: no system nodejs needed.
bash scripts/stage-helper.sh build/helper-root "/usr/bin/env ELECTRON_RUN_AS_NODE=1 /opt/Berth/berth-desktop"
bash scripts/build-helper-deb.sh dist
npx electron-builder --linux deb AppImage --config electron-builder.yml --publish never \
  -c.extraMetadata.version="$version"
ls -1 dist/*.deb dist/*.AppImage
