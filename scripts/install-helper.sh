#!/usr/bin/env bash
# Installs the privileged helper where Berth's polkit action points:
#   /usr/libexec/berth/berth-helper   the fixed launcher (exec.path)
#   /usr/lib/berth/                   every part in packaging/helper-parts: the
#                                     bundled helper, the native addon, the monitor
#   /usr/share/polkit-1/actions/org.berth.helper.policy
# Everything is copied and root-owned, so root never runs code from a
# user-writable checkout. Needs root; run `npm run build` (or npm install) first.
# The layout and the parts check are scripts/stage-helper.sh's (the packages use
# it too): it stages the tree beside /usr/lib, refusing, with nothing written,
# when a declared part is missing; this script then moves the tree into place.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $(id -u) -ne 0 ]]; then
  echo "install-helper: run as root (sudo npm run install-helper)" >&2
  exit 1
fi
node_bin=$(command -v node)
case "$node_bin" in /usr/*) ;; *) echo "install-helper: warning: node at $node_bin is outside /usr; root will run it" >&2 ;; esac

stage=$(mktemp -d /usr/lib/.berth-install.XXXXXX)
trap 'rm -rf "$stage"' EXIT
bash scripts/stage-helper.sh "$stage" "$node_bin"
chown -R root:root "$stage"

prefix=/usr/lib/berth
chmod 755 "$stage/usr/lib/berth"
rm -rf "$prefix.old"
[[ -d $prefix ]] && mv "$prefix" "$prefix.old"
mv "$stage/usr/lib/berth" "$prefix"
rm -rf "$prefix.old"

install -d -m 755 /usr/libexec/berth
install -m 755 "$stage/usr/libexec/berth/berth-helper" /usr/libexec/berth/berth-helper.new
mv /usr/libexec/berth/berth-helper.new /usr/libexec/berth/berth-helper
install -D -m 644 "$stage/usr/share/polkit-1/actions/org.berth.helper.policy" /usr/share/polkit-1/actions/org.berth.helper.policy
echo "installed: /usr/libexec/berth/berth-helper, $prefix, polkit action org.berth.helper"
