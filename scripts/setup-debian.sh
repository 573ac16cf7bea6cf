#!/usr/bin/env bash
# Installs the Debian packages Berth's tests and tools use, only those missing.
# As root it runs apt-get; otherwise it prints the one command to run.
set -euo pipefail
pkgs=(
  chromium          # e2e tests in web mode (Playwright drives /usr/bin/chromium)
  busybox-static    # test images in seconds
  pkexec polkitd dbus  # the helper's privilege path, tested for real
  passwd            # useradd/userdel for the throwaway test users
  util-linux        # lsns, unshare, runuser
  iproute2 nftables # bridge networking: veth, netns, NAT and published ports
  stress-ng         # cgroup behaviour tests (OOM, CPU contention)
  docker-registry skopeo umoci openssl  # registry pull/push and image interop tests
  podman runc uidmap  # interop (podman load/save) and the benchmarks' peers
  python3           # the xattr fallback when the addon is not built
  libseccomp-dev    # static libseccomp for the monitor (the default seccomp profile)
  buildah           # the peer `berth build` is measured against
  gcc libc6-dev     # the containment suite's probe, compiled static in the test (gcc -static)
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0
if [[ $(id -u) -ne 0 ]]; then
  echo "Berth needs these Debian packages: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "setup-debian: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
