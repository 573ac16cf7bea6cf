#!/usr/bin/env bash
# npm packages and the build, redone only when package-lock.json changed.
# Electron's binary cannot be downloaded everywhere: skip it; web mode and the
# build do not need it (the Electron e2e project reports when it is absent).
set -euo pipefail
cd "$(dirname "$0")/.."
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund   # runs our install (node-gyp: the addon) and prepare (the build)
fi
[[ -f native/build/Release/berth.node ]] || npm run install
