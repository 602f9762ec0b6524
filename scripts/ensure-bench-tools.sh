#!/usr/bin/env bash
# Makes sure `make bench` has its reference tools: wrk (load), nginx and HAProxy (the
# proxies Docker Symphony is compared with).
#   1. wrk, nginx and haproxy are all on PATH: do nothing.
#   2. Root on Debian: apt-get update once, install Debian's `wrk`, `nginx-light` and
#      `haproxy` with their services kept from starting (a policy-rc.d for the length of
#      the install), and disable those services for later boots. The benchmark runs its
#      own instances, in the foreground, with configs in a temporary directory.
#   3. Otherwise: say how to install them, and fail.
# Idempotent: a second run finds the binaries and does nothing.
set -euo pipefail

say() { printf 'ensure-bench-tools: %s\n' "$*" >&2; }

# Debian puts nginx and haproxy in /usr/sbin, which a non-login PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"

missing() {
  local out=() bin
  for bin in wrk nginx haproxy; do
    command -v "$bin" >/dev/null 2>&1 || out+=("$bin")
  done
  echo "${out[*]:-}"
}

# Package that provides each binary on Debian.
package_of() {
  case "$1" in
    wrk) echo wrk ;;
    nginx) echo nginx-light ;;
    haproxy) echo haproxy ;;
  esac
}

need=$(missing)
if [ -z "$need" ]; then
  say "found wrk, nginx and haproxy"
  exit 0
fi

if [ "$(id -u)" = "0" ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; then
  packages=()
  for bin in $need; do packages+=("$(package_of "$bin")"); done
  say "missing: $need; installing Debian's ${packages[*]} (services kept stopped)"
  export DEBIAN_FRONTEND=noninteractive
  # A policy-rc.d answering 101 tells the packages' scripts not to start their services:
  # the benchmark must own every nginx and haproxy process and every port it uses.
  policy=/usr/sbin/policy-rc.d
  own_policy=no
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    own_policy=yes
  fi
  cleanup() { if [ "$own_policy" = yes ]; then rm -f "$policy"; fi; }
  trap cleanup EXIT
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  cleanup
  own_policy=no
  # Keep them off at later boots too, and stop any that a pre-existing policy let start.
  for service in nginx haproxy; do
    if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
      systemctl disable --now "$service" >/dev/null 2>&1 || true
    elif [ -x "/etc/init.d/$service" ]; then
      "/etc/init.d/$service" stop >/dev/null 2>&1 || true
      update-rc.d "$service" disable >/dev/null 2>&1 || true
    fi
  done
  need=$(missing)
  if [ -z "$need" ]; then
    say "installed wrk, nginx and haproxy (system services disabled)"
    exit 0
  fi
  say "apt-get finished but these are still not on PATH: $need"
  exit 1
fi

cat >&2 <<MSG
ensure-bench-tools: missing $need, and this script can only install them as root on Debian.
  - Debian/Ubuntu:  sudo apt-get install wrk nginx-light haproxy
                    (then: sudo systemctl disable --now nginx haproxy — the benchmark
                    starts its own instances on free 127.0.0.1 ports)
  - Fedora:         sudo dnf install wrk nginx haproxy
  - macOS:          brew install wrk nginx haproxy
Then run \`make bench\` again.
MSG
exit 1
