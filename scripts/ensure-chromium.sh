#!/usr/bin/env bash
# Makes sure a headless Chromium exists for the dashboard's browser test and screenshots.
#   1. `chromium` (or CHROMIUM=path) is already installed: do nothing.
#   2. Root on Debian: apt-get update (quietly) and install Debian's `chromium` package.
#   3. Otherwise: say how to install it, and fail.
# Idempotent: a second run finds the binary and does nothing.
set -euo pipefail

say() { printf 'ensure-chromium: %s\n' "$*" >&2; }

find_chromium() {
  if [ -n "${CHROMIUM:-}" ] && [ -x "$CHROMIUM" ]; then echo "$CHROMIUM"; return 0; fi
  local name
  for name in chromium chromium-browser; do
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
  done
  return 1
}

if path=$(find_chromium); then
  say "found $path"
  exit 0
fi

if [ "$(id -u)" = "0" ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; then
  say "chromium is missing; installing Debian's chromium package (a minute or two)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
  if path=$(find_chromium); then
    say "installed $path"
    exit 0
  fi
  say "apt-get finished but no chromium binary is on PATH"
  exit 1
fi

cat >&2 <<'MSG'
ensure-chromium: chromium is missing, and this script can only install it as root on Debian.
  - Debian/Ubuntu:  sudo apt-get install chromium   (Ubuntu: chromium-browser)
  - Fedora:         sudo dnf install chromium
  - macOS:          brew install --cask chromium
  - or point CHROMIUM at an existing Chromium/Chrome binary: CHROMIUM=/path/to/chrome
Then run the browser test again.
MSG
exit 1
