#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine: system packages, npm
# packages, build, typecheck, lint, unit + integration (root-only parts run
# for real as root), then Playwright e2e in Chromium.
# Each layer alone: npm run test:unit | test:integration | test:e2e.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh
bash scripts/ensure-node-deps.sh
npm run build
npm run typecheck
npm run lint
npm run test:unit
npm run test:integration
npm run test:e2e
