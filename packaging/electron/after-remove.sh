#!/bin/sh
# The desktop .deb's removal step: takes away what after-install.sh put in
# place (unless the berth-helper package owns it). Containers outlive the app
# by design; their data root (/var/lib/berth) is the user's and is kept.
set -e
rm -f /usr/bin/berth-desktop
if ! dpkg-query -W -f '${Status}' berth-helper 2>/dev/null | grep -q 'install ok installed'; then
  rm -rf /usr/lib/berth /usr/libexec/berth
  rm -f /usr/share/polkit-1/actions/org.berth.helper.policy
fi
