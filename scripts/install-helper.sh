#!/usr/bin/env bash
# Installs the privileged helper where Berth's polkit action points:
#   /usr/libexec/berth/berth-helper   the fixed launcher (exec.path)
#   /usr/lib/berth/                   every part in packaging/helper-parts: the
#                                     bundled helper, the native addon, the monitor
#   /usr/share/polkit-1/actions/org.berth.helper.policy
# Everything is copied and root-owned, so root never runs code from a
# user-writable checkout. Needs root; run `npm run build` (or npm install) first.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $(id -u) -ne 0 ]]; then
  echo "install-helper: run as root (sudo npm run install-helper)" >&2
  exit 1
fi
# The declared parts (comments and blank lines aside); every one must exist.
mapfile -t parts < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' packaging/helper-parts)
((${#parts[@]} > 0)) || { echo "install-helper: packaging/helper-parts lists no parts" >&2; exit 1; }
missing=()
for p in "${parts[@]}"; do
  case "$p" in
    /* | *..*) echo "install-helper: bad part '$p' in packaging/helper-parts (relative paths only)" >&2; exit 1 ;;
    */) [[ -d $p ]] || missing+=("$p") ;;
    *) [[ -f $p ]] || missing+=("$p") ;;
  esac
done
[[ -f out/main/helper.js ]] || missing+=(out/main/helper.js)
if ((${#missing[@]} > 0)); then
  echo "install-helper: missing: ${missing[*]}; run npm install (it builds native/ and out/) first" >&2
  exit 1
fi
node_bin=$(command -v node)
case "$node_bin" in /usr/*) ;; *) echo "install-helper: warning: node at $node_bin is outside /usr; root will run it" >&2 ;; esac

prefix=/usr/lib/berth
tmp=$(mktemp -d /usr/lib/.berth-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
for p in "${parts[@]}"; do
  if [[ $p == */ ]]; then
    mkdir -p "$tmp/$(dirname "$p")"
    cp -r "${p%/}" "$tmp/${p%/}"
  else
    mode=644
    [[ -x $p ]] && mode=755
    install -D -m "$mode" "$p" "$tmp/$p"
  fi
done
cp packaging/helper-parts "$tmp/helper-parts"
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
