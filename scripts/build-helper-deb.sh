#!/usr/bin/env bash
# Builds the privileged helper alone as a Debian package, without Electron:
# the polkit action, the fixed launcher, the helper bundle, the addon and the
# monitor (scripts/stage-helper.sh), owned by root. For a server or a headless
# machine that runs `berth` (CLI) or `berth web`, and the part the desktop
# packages install too.
#   usage: scripts/build-helper-deb.sh [OUT_DIR]   (default dist/) → prints the .deb's path
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist}
command -v dpkg-deb >/dev/null || { echo "build-helper-deb: dpkg-deb is missing (apt-get install dpkg)" >&2; exit 1; }
version=$(node -p "require('./package.json').version")
arch=$(dpkg --print-architecture)
root=$(mktemp -d)
chmod 755 "$root"
trap 'rm -rf "$root"' EXIT
bash scripts/stage-helper.sh "$root" /usr/bin/node
install -d -m 755 "$root/DEBIAN"
size=$(du -sk "$root/usr" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: berth-helper
Version: $version
Architecture: $arch
Maintainer: Berth developers <berth@localhost>
Depends: nodejs (>= 20.19), pkexec | policykit-1
Installed-Size: $size
Section: admin
Priority: optional
Description: Berth's privileged container helper
 The root helper of Berth (containers with namespaces, cgroups and overlay),
 started through pkexec and its own polkit action (org.berth.helper), with
 the native addon and the per-container monitor it runs.
CONTROL
# A helper started from the files being removed keeps running until its owner's
# client exits; its containers outlive it by design (each has its monitor).
mkdir -p "$out"
deb="$out/berth-helper_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
