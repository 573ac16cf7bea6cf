#!/usr/bin/env bash
# Runs Berth: the desktop window where an Electron binary and a display
# exist, otherwise web mode (prints its URL with the per-start token).
#
# As a user in a checkout they cannot write (a root-owned tree): nothing is
# installed or built here, the built tree is only read. A user needs the
# privileged helper installed once by root; when it is missing (or older than
# this build) this says so, and offers to run the step on a terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
launcher=/usr/libexec/berth/berth-helper # main/shared/helper-paths.ts INSTALLED_LAUNCHER
install_step='sudo npm run install-helper'

bash scripts/setup-debian.sh || true
if [[ -w . ]]; then
  bash scripts/ensure-node-deps.sh
  [[ -f out/main/index.js ]] || npm run build
else
  for f in out/main/index.js out/main/cli.js out/renderer/index.html; do
    [[ -f $f ]] || {
      echo "berth: $PWD is not built and not writable by you: its owner runs \`npm install\` there first." >&2
      exit 1
    }
  done
fi

if [[ $(id -u) -ne 0 ]]; then
  problem=
  if [[ ! -x $launcher ]]; then
    problem="Berth's privileged helper is not installed (no $launcher)."
  elif ! cmp -s out/main/helper.js /usr/lib/berth/out/main/helper.js; then
    problem="The installed helper (/usr/lib/berth) is not this build's."
  fi
  if [[ -n $problem ]]; then
    echo "$problem" >&2
    echo "Berth runs containers through it as root (pkexec asks polkit). One-time step, as root:" >&2
    echo "    $install_step" >&2
    answer=n
    if [[ -t 0 && -t 2 ]] && command -v sudo >/dev/null; then
      read -r -p "Run it now? [y/N] " answer
    fi
    if [[ $answer == [yY]* ]]; then
      sudo npm run install-helper
    elif [[ ! -x $launcher ]]; then
      exit 1
    fi
  fi
fi

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
