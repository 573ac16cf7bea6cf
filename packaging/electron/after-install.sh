#!/bin/sh
# The desktop .deb's post-install step (electron-builder deb.afterInstall):
# installs the privileged helper from the app's resources where Berth's
# polkit action points: the polkit policy, the fixed launcher
# /usr/libexec/berth/berth-helper and /usr/lib/berth (helper bundle, addon,
# monitor), all root-owned. Left alone when the berth-helper package provides
# them (dpkg owns those files).
set -e
app=/opt/Berth
src="$app/resources/helper"
if dpkg-query -W -f '${Status}' berth-helper 2>/dev/null | grep -q 'install ok installed'; then
  echo "berth: the berth-helper package provides the helper; not installing the app's copy"
else
  rm -rf /usr/lib/berth.new
  cp -r "$src/usr/lib/berth" /usr/lib/berth.new
  chown -R root:root /usr/lib/berth.new
  chmod -R go-w /usr/lib/berth.new
  rm -rf /usr/lib/berth.old
  if [ -d /usr/lib/berth ]; then mv /usr/lib/berth /usr/lib/berth.old; fi
  mv /usr/lib/berth.new /usr/lib/berth
  rm -rf /usr/lib/berth.old
  install -d -m 755 /usr/libexec/berth
  install -m 755 -o root -g root "$src/usr/libexec/berth/berth-helper" /usr/libexec/berth/berth-helper
  install -D -m 644 -o root -g root "$src/usr/share/polkit-1/actions/org.berth.helper.policy" \
    /usr/share/polkit-1/actions/org.berth.helper.policy
fi
# electron-builder's own steps: the command on PATH and the sandbox helper's mode.
ln -sf "$app/berth-desktop" /usr/bin/berth-desktop
if [ -f "$app/chrome-sandbox" ]; then chmod 4755 "$app/chrome-sandbox"; fi
if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q || true; fi
