#!/usr/bin/env bash
# Runs Berth: the desktop window where an Electron binary and a display
# exist, otherwise web mode (prints its URL with the per-start token).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh || true
bash scripts/ensure-node-deps.sh
[[ -f out/main/index.js ]] || npm run build
# Read electron's path.txt ourselves: require('electron') would try to download a missing binary.
electron_bin=
if [[ -f node_modules/electron/path.txt ]]; then
  candidate="node_modules/electron/dist/$(cat node_modules/electron/path.txt)"
  [[ -x $candidate ]] && electron_bin=$candidate
fi
if [[ -n $electron_bin && ( -n ${DISPLAY:-} || -n ${WAYLAND_DISPLAY:-} ) ]]; then
  extra=()
  [[ $(id -u) -eq 0 ]] && extra+=(--no-sandbox)   # Chromium refuses to run as root otherwise
  exec "$electron_bin" . "${extra[@]}"
fi
if [[ -z $electron_bin ]]; then
  echo "No Electron binary here (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1): starting web mode." >&2
else
  echo "No display (DISPLAY/WAYLAND_DISPLAY unset): starting web mode." >&2
fi
exec node bin/berth.js web "$@"
