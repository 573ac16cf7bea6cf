#!/usr/bin/env bash
# Installs the privileged helper where Berth's polkit action points:
#   /usr/libexec/berth/berth-helper   the fixed launcher (exec.path)
#   /usr/lib/berth/                   the bundled helper and the native addon
#   /usr/share/polkit-1/actions/org.berth.helper.policy
# Everything is copied and root-owned, so root never runs code from a
# user-writable checkout. Needs root; run `npm run build` (or npm install) first.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $(id -u) -ne 0 ]]; then
  echo "install-helper: run as root (sudo npm run install-helper)" >&2
  exit 1
fi
for f in out/main/helper.js native/build/Release/berth.node; do
  [[ -f $f ]] || { echo "install-helper: $f is missing; run npm install (or npm run build) first" >&2; exit 1; }
done
node_bin=$(command -v node)
case "$node_bin" in /usr/*) ;; *) echo "install-helper: warning: node at $node_bin is outside /usr; root will run it" >&2 ;; esac

prefix=/usr/lib/berth
tmp=$(mktemp -d /usr/lib/.berth-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/out" "$tmp/native/build/Release"
cp -r out/main "$tmp/out/main"
cp native/build/Release/berth.node "$tmp/native/build/Release/"
printf '{ "type": "module", "private": true }\n' >"$tmp/package.json"
chown -R root:root "$tmp"
chmod -R go-w "$tmp"
chmod 755 "$tmp"
rm -rf "$prefix.old"
[[ -d $prefix ]] && mv "$prefix" "$prefix.old"
mv "$tmp" "$prefix"
rm -rf "$prefix.old"
trap - EXIT

install -d -m 755 /usr/libexec/berth
sed "s|@NODE@|$node_bin|" packaging/berth-helper.in >/usr/libexec/berth/berth-helper.new
chmod 755 /usr/libexec/berth/berth-helper.new
mv /usr/libexec/berth/berth-helper.new /usr/libexec/berth/berth-helper
install -D -m 644 packaging/org.berth.helper.policy /usr/share/polkit-1/actions/org.berth.helper.policy
echo "installed: /usr/libexec/berth/berth-helper, $prefix, polkit action org.berth.helper"
