#!/usr/bin/env bash
# The containment suite under Berth and under podman, side by side: one row
# per attempt (main/testing/containment/attempts.ts) with the errno each
# engine's default container got, and what Berth must get. Root only.
#   scripts/containment-compare.sh               default containers
#   scripts/containment-compare.sh --privileged  also --privileged ones
# Berth runs from this checkout's build (npm run build first); podman with
# --runtime runc on a private --root. Holds the shared root-test lock.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $(id -u) -ne 0 ]]; then
  echo "containment-compare: run as root (containers of both engines)" >&2
  exit 1
fi
[[ ${1:-} == --privileged ]] && export CONTAINMENT_PRIVILEGED=1
exec flock /tmp/berth-root-tests.lock npx vitest run -c bench/vitest.bench.config.ts containment-compare
