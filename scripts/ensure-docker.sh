#!/usr/bin/env bash
# Makes sure a Docker engine answers before tests or the demo run.
#   1. An engine already answers (DOCKER_HOST or /var/run/docker.sock): use it.
#   2. Root on Debian: install Debian's docker.io if dockerd is missing, start dockerd
#      in the background and wait (bounded) until it answers.
#   3. Otherwise: say how to get an engine, and fail.
# Idempotent: a second run finds the running engine and does nothing.
set -euo pipefail

LOG=${DOCKERD_LOG:-/var/log/docker-symphony-dockerd.log}
WAIT_SECONDS=${DOCKERD_WAIT_SECONDS:-60}
SOCK=/var/run/docker.sock

say() { printf 'ensure-docker: %s\n' "$*" >&2; }

engine_answers() {
  local host=${DOCKER_HOST:-unix://$SOCK}
  case "$host" in
    unix://*)
      local path=${host#unix://}
      [ -S "$path" ] || return 1
      curl -fsS --max-time 3 --unix-socket "$path" http://localhost/_ping >/dev/null 2>&1
      ;;
    tcp://*)
      local addr=${host#tcp://}
      if [ -n "${DOCKER_TLS_VERIFY:-}" ]; then
        local certs=${DOCKER_CERT_PATH:-$HOME/.docker}
        curl -fsS --max-time 3 --cacert "$certs/ca.pem" --cert "$certs/cert.pem" --key "$certs/key.pem" "https://$addr/_ping" >/dev/null 2>&1
      else
        curl -fsS --max-time 3 "http://$addr/_ping" >/dev/null 2>&1
      fi
      ;;
    *) return 1 ;;
  esac
}

how_to_install() {
  cat >&2 <<'MSG'
ensure-docker: no Docker engine answers, and this script can only install one as root on Debian.
  - Debian/Ubuntu:  sudo apt-get install docker.io && sudo systemctl start docker
  - Elsewhere:      https://docs.docker.com/engine/install/
  - Remote engine:  export DOCKER_HOST=unix:///path/to/docker.sock (or tcp://host:2376 with DOCKER_TLS_VERIFY=1)
  Your user also needs access to the socket (e.g. membership of the 'docker' group).
MSG
}

if engine_answers; then
  say "a Docker engine answers at ${DOCKER_HOST:-unix://$SOCK}"
  exit 0
fi

if [ -n "${DOCKER_HOST:-}" ] && [ "${DOCKER_HOST}" != "unix://$SOCK" ]; then
  say "DOCKER_HOST=$DOCKER_HOST is set but no engine answers there; unset it to use a local engine."
  exit 1
fi

if [ "$(id -u)" != 0 ] || [ ! -f /etc/debian_version ]; then
  how_to_install
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1; then
  say "installing Debian's docker.io (apt-get) ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends docker.io iptables iproute2 ca-certificates curl >/dev/null
fi
command -v curl >/dev/null 2>&1 || { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq curl >/dev/null; }
# The swarm and engine-restart tests build engines in network namespaces (ip netns, veth).
command -v ip >/dev/null 2>&1 || { export DEBIAN_FRONTEND=noninteractive; apt-get update -qq >/dev/null; apt-get install -y -qq --no-install-recommends iproute2 >/dev/null; }

# A dockerd killed hard leaves its pid file behind (its pid possibly a zombie);
# a new dockerd refuses to start until the stale file is gone.
for pidfile in /var/run/docker.pid /var/run/docker/containerd/containerd.pid; do
  if [ -f "$pidfile" ]; then
    pid=$(cat "$pidfile" 2>/dev/null || true)
    state=$(ps -o stat= -p "${pid:-0}" 2>/dev/null | tr -d ' ' || true)
    if [ -z "$state" ] || [[ "$state" == Z* ]]; then
      say "removing stale $pidfile (pid ${pid:-?} is ${state:-gone})"
      rm -f "$pidfile"
    fi
  fi
done

if ! pgrep -x dockerd >/dev/null 2>&1; then
  say "starting dockerd in the background (log: $LOG)"
  nohup setsid dockerd >>"$LOG" 2>&1 </dev/null &
fi

for _ in $(seq 1 "$WAIT_SECONDS"); do
  if engine_answers; then
    say "dockerd answers at unix://$SOCK"
    exit 0
  fi
  sleep 1
done

say "dockerd did not answer within ${WAIT_SECONDS}s; its log is $LOG:"
tail -n 30 "$LOG" >&2 || true
exit 1
