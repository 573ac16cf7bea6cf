#!/usr/bin/env bash
# Removes what install-helper.sh put in place.
set -euo pipefail
[[ $(id -u) -eq 0 ]] || { echo "uninstall-helper: run as root" >&2; exit 1; }
rm -rf /usr/lib/berth /usr/libexec/berth
rm -f /usr/share/polkit-1/actions/org.berth.helper.policy
