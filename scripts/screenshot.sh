#!/usr/bin/env bash
# Screenshots a running dashboard with headless Chromium (same flags as the browser test).
#   scripts/screenshot.sh URL OUT.png
# Env: CHROMIUM (binary), VIRTUAL_TIME_MS (how long the page runs before the shot,
# default 3000: the charts come from the server's five minutes of history, so one poll
# is enough), TIMEOUT_SECONDS (wall-clock limit, default 60).
# `make screenshot` writes .screenshots/dashboard.png (untracked); the README's picture
# is refreshed on purpose: `make screenshot OUT=docs/dashboard.png`.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 URL OUT.png   (e.g. $0 http://127.0.0.1:9900/ .screenshots/dashboard.png)" >&2
  exit 2
fi
url=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)

bash "$here/ensure-chromium.sh"
bin=${CHROMIUM:-$(command -v chromium || command -v chromium-browser)}

profile=$(mktemp -d "${TMPDIR:-/tmp}/symphony-chromium-XXXXXX")
trap 'rm -rf "$profile"' EXIT
mkdir -p "$(dirname "$out")"
out_abs=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
rm -f "$out_abs" # so a stale image never passes for a new one

timeout --kill-after=5 "${TIMEOUT_SECONDS:-60}" "$bin" \
  --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --disable-dev-shm-usage --hide-scrollbars --mute-audio \
  --user-data-dir="$profile" \
  --virtual-time-budget="${VIRTUAL_TIME_MS:-3000}" \
  --window-size=1280,1000 \
  --screenshot="$out_abs" \
  "$url" >/dev/null 2>&1 || true

if [ ! -s "$out_abs" ]; then
  echo "screenshot: chromium wrote no image for $url; is the dashboard up? (try: curl -s $url | head)" >&2
  exit 1
fi
echo "screenshot: wrote $out_abs" >&2
