#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine: system packages, npm
# packages, build, typecheck, lint, unit + integration (root-only parts run
# for real as root), then Playwright e2e in Chromium.
# Each layer alone: npm run test:unit | test:integration | test:e2e.
set -euo pipefail
cd "$(dirname "$0")/.."

# Runs the named npm scripts side by side (each is one process on one core:
# tsc, eslint, the bundler), then prints each one's output whole, in the
# order given, with its time; fails when any of them failed.
side_by_side() {
  local dir pids=() names=("$@") failed=0 i
  dir=$(mktemp -d)
  for i in "${!names[@]}"; do
    (
      start=$SECONDS
      rc=0
      npm run "${names[$i]}" >"$dir/$i.out" 2>&1 || rc=$?
      echo "$rc $((SECONDS - start))" >"$dir/$i.rc"
    ) &
    pids+=($!)
  done
  wait "${pids[@]}"
  for i in "${!names[@]}"; do
    read -r rc secs <"$dir/$i.rc"
    echo "── npm run ${names[$i]}: $([[ $rc == 0 ]] && echo ok || echo "FAILED ($rc)") in ${secs}s"
    cat "$dir/$i.out"
    [[ $rc == 0 ]] || failed=1
  done
  rm -rf "$dir"
  return "$failed"
}

bash scripts/setup-debian.sh
bash scripts/ensure-node-deps.sh
side_by_side build typecheck lint
npm run test:unit
npm run test:integration
npm run test:e2e
