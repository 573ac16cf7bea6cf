#!/usr/bin/env bash
# Lays out the privileged helper's files under DEST as they go on a system:
#   DEST/usr/libexec/berth/berth-helper     the fixed launcher (the polkit action's exec.path)
#   DEST/usr/lib/berth/                     every part in packaging/helper-parts (bundle, addon, monitor)
#   DEST/usr/share/polkit-1/actions/org.berth.helper.policy
# What scripts/install-helper.sh copies into / directly; the packages (the helper
# .deb, and the app's .deb / AppImage) carry this tree. Refuses, writing
# nothing, when a declared part is missing.
#   usage: scripts/stage-helper.sh DEST [NODE]   (NODE: the node the launcher runs, default /usr/bin/node)
set -euo pipefail
cd "$(dirname "$0")/.."
dest=${1:?usage: scripts/stage-helper.sh DEST [NODE]}
node_bin=${2:-/usr/bin/node}
# NODE may carry a prefix ("/usr/bin/env ELECTRON_RUN_AS_NODE=1 /opt/Berth/berth-desktop"); it must start at /.
case "$node_bin" in /*) ;; *) echo "stage-helper: NODE must start with an absolute path" >&2; exit 1 ;; esac
mapfile -t parts < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' packaging/helper-parts)
((${#parts[@]} > 0)) || { echo "stage-helper: packaging/helper-parts lists no parts" >&2; exit 1; }
missing=()
for p in "${parts[@]}"; do
  case "$p" in
    /* | *..*) echo "stage-helper: bad part '$p' in packaging/helper-parts (relative paths only)" >&2; exit 1 ;;
    */) [[ -d $p ]] || missing+=("$p") ;;
    *) [[ -f $p ]] || missing+=("$p") ;;
  esac
done
[[ -f out/main/helper.js ]] || missing+=(out/main/helper.js)
if ((${#missing[@]} > 0)); then
  echo "stage-helper: missing: ${missing[*]}; run npm install (it builds native/ and out/) first" >&2
  exit 1
fi
lib="$dest/usr/lib/berth"
mkdir -p "$lib"
for p in "${parts[@]}"; do
  if [[ $p == */ ]]; then
    mkdir -p "$lib/$(dirname "$p")"
    cp -r "${p%/}" "$lib/${p%/}"
  else
    mode=644
    [[ -x $p ]] && mode=755
    install -D -m "$mode" "$p" "$lib/$p"
  fi
done
# Source maps are for developers; the installed helper does not need them.
find "$lib/out" -name '*.map' -delete
cp packaging/helper-parts "$lib/helper-parts"
printf '{ "type": "module", "private": true }\n' >"$lib/package.json"
install -d -m 755 "$dest/usr/libexec/berth"
sed "s|@NODE@|$node_bin|" packaging/berth-helper.in >"$dest/usr/libexec/berth/berth-helper"
chmod 755 "$dest/usr/libexec/berth/berth-helper"
install -D -m 644 packaging/org.berth.helper.policy "$dest/usr/share/polkit-1/actions/org.berth.helper.policy"
chmod -R go-w "$dest/usr"
