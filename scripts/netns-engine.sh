#!/usr/bin/env bash
# A private Docker engine in a network namespace of its own, for tests that must stop
# and restart an engine without touching the shared one (and, later, for several
# "nodes" on one machine). Every subcommand is idempotent.
#
#   netns-engine.sh up     NAME INDEX   netns + dockerd (bridge 10.213.INDEX.0/24), wait until it answers
#   netns-engine.sh stop   NAME [TERM|KILL]  stop its dockerd (and clear a stale pid file)
#   netns-engine.sh start  NAME         start its dockerd again on the same data root
#   netns-engine.sh load   NAME IMAGE   copy IMAGE from the main engine into it (skipped if present)
#   netns-engine.sh env    NAME         print NETNS=… DOCKER_HOST=… for `eval`
#   netns-engine.sh down   NAME         remove its containers, kill what it started, unmount, delete all
#
# NAME is [a-z0-9-]{1,20}. The namespace is symphony-test-NAME; the engine's socket
# /run/symphony-test-NAME/docker.sock; its data root /var/lib/symphony-test-NAME; its
# exec root, pid file and log under /run/symphony-test-NAME. The bridge and address pool
# are 10.213.INDEX.0/24, only as the engine's internal ranges: published ports are on
# 127.0.0.1 inside the namespace, so run clients there (`nsenter --net=$NETNS …`).
# dockerd is started with `nsenter --net=…`, not `ip netns exec`, which remounts /sys
# and hides the cgroups from it.
set -euo pipefail

say() { printf 'netns-engine: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (ip netns, dockerd)"
cmd=${1:-}
name=${2:-}
[[ "$name" =~ ^[a-z0-9-]{1,20}$ ]] || die "usage: $0 up|stop|start|load|env|down NAME …  (NAME: [a-z0-9-]{1,20}, got '${name}')"

NS=symphony-test-$name
NETNS=/var/run/netns/$NS
RUN=/run/symphony-test-$name
DATA=/var/lib/symphony-test-$name
SOCK=$RUN/docker.sock
PIDFILE=$RUN/docker.pid
EXEC=$RUN/exec
LOG=$RUN/dockerd.log
CGROUP=symphony-test-$name
WAIT_SECONDS=${NETNS_ENGINE_WAIT_SECONDS:-60}

engine_pid() {
  local pid
  pid=$(cat "$PIDFILE" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  # Alive, not a zombie, and really our dockerd (pids get reused).
  local state
  state=$(ps -o stat= -p "$pid" 2>/dev/null | tr -d ' ' || true)
  [ -n "$state" ] && [[ "$state" != Z* ]] || return 1
  { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -q -- "--pidfile $PIDFILE" || return 1
  echo "$pid"
}

answers() { [ -S "$SOCK" ] && curl -fsS --max-time 3 --unix-socket "$SOCK" http://localhost/_ping >/dev/null 2>&1; }

clear_stale_pidfiles() {
  if [ -f "$PIDFILE" ] && ! engine_pid >/dev/null; then
    say "removing stale $PIDFILE"
    rm -f "$PIDFILE"
  fi
  local cpid=$EXEC/containerd/containerd.pid
  if [ -f "$cpid" ]; then
    local pid
    pid=$(cat "$cpid" 2>/dev/null || true)
    if ! [[ "$pid" =~ ^[0-9]+$ ]] || ! kill -0 "$pid" 2>/dev/null; then rm -f "$cpid"; fi
  fi
}

ensure_netns() {
  if [ ! -e "$NETNS" ]; then
    ip netns add "$NS"
  fi
  nsenter --net="$NETNS" ip link set lo up
}

start_engine() {
  local index
  index=$(cat "$RUN/index" 2>/dev/null || true)
  [[ "$index" =~ ^[0-9]+$ ]] || die "$NS was never brought up (run: $0 up $name INDEX)"
  if engine_pid >/dev/null && answers; then return 0; fi
  clear_stale_pidfiles
  if ! engine_pid >/dev/null; then
    mkdir -p "$DATA" "$EXEC"
    [ -f "$RUN/daemon.json" ] || echo '{}' >"$RUN/daemon.json"
    say "starting dockerd in $NS (log: $LOG)"
    nohup setsid nsenter --net="$NETNS" dockerd \
      --config-file "$RUN/daemon.json" \
      -H "unix://$SOCK" \
      --data-root "$DATA" \
      --exec-root "$EXEC" \
      --pidfile "$PIDFILE" \
      --bip "10.213.$index.1/25" \
      --default-address-pool "base=10.213.$index.128/25,size=27" \
      --cgroup-parent "/$CGROUP" \
      --iptables=true --ip-masq=false \
      --log-level warn \
      >>"$LOG" 2>&1 </dev/null &
  fi
  for _ in $(seq 1 $((WAIT_SECONDS * 4))); do
    if answers; then return 0; fi
    sleep 0.25
  done
  tail -n 30 "$LOG" >&2 || true
  die "dockerd in $NS did not answer within ${WAIT_SECONDS}s"
}

stop_engine() {
  local signal=${1:-TERM} pid
  [[ "$signal" == TERM || "$signal" == KILL ]] || die "signal must be TERM or KILL, got $signal"
  if pid=$(engine_pid); then
    say "sending SIG$signal to dockerd $pid of $NS"
    kill -s "$signal" "$pid" 2>/dev/null || true
    # A clean stop stops the containers first (up to their stop timeouts).
    for _ in $(seq 1 $((WAIT_SECONDS * 4))); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "dockerd $pid still running after ${WAIT_SECONDS}s; SIGKILL"
      kill -s KILL "$pid" 2>/dev/null || true
      sleep 0.5
    fi
  fi
  # SIGKILL leaves the pid file behind; a new dockerd refuses to start until it is gone.
  clear_stale_pidfiles
}

# Processes this engine started that may outlive it: containerd, its shims, docker-proxy,
# and the containers' own processes (all under our cgroup parent).
our_pids() {
  local p
  for p in /proc/[0-9]*; do
    { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -qE -- "($EXEC|$SOCK|$DATA)( |/|$)" && echo "${p#/proc/}"
  done
  # cgroup v1 (one tree per controller) and v2 (one tree).
  for p in /sys/fs/cgroup/*/"$CGROUP" /sys/fs/cgroup/"$CGROUP"; do
    [ -d "$p" ] && find "$p" -name cgroup.procs -exec cat {} + 2>/dev/null
  done
  true
}

teardown() {
  if answers; then
    local ids
    ids=$(curl -fsS --max-time 10 --unix-socket "$SOCK" 'http://localhost/containers/json?all=1' | grep -o '"Id":"[0-9a-f]*"' | cut -d'"' -f4 || true)
    for id in $ids; do
      curl -fsS --max-time 20 -X DELETE --unix-socket "$SOCK" "http://localhost/containers/$id?force=1" >/dev/null 2>&1 || true
    done
  fi
  stop_engine TERM
  local pids
  pids=$(our_pids | sort -u | grep -vx "$$" || true)
  if [ -n "$pids" ]; then
    say "killing leftover processes of $NS: $(echo $pids)"
    kill -s KILL $pids 2>/dev/null || true
    sleep 0.5
  fi
  local m
  # Deepest first: overlays and shm under the data root, netns files under the exec root.
  { grep -E " ($DATA|$RUN)[/ ]" /proc/mounts || true; } | awk '{print $2}' | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done
  for m in /sys/fs/cgroup/*/"$CGROUP" /sys/fs/cgroup/"$CGROUP"; do
    [ -d "$m" ] && find "$m" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  rm -rf "$DATA" "$RUN"
  if [ -e "$NETNS" ]; then ip netns del "$NS"; fi
}

case "$cmd" in
  up)
    index=${3:-}
    [[ "$index" =~ ^[0-9]+$ ]] && [ "$index" -le 255 ] || die "usage: $0 up NAME INDEX (0–255)"
    mkdir -p "$RUN"
    echo "$index" >"$RUN/index"
    ensure_netns
    start_engine
    ;;
  start) ensure_netns; start_engine ;;
  stop) stop_engine "${3:-TERM}" ;;
  load)
    image=${3:?usage: $0 load NAME IMAGE}
    answers || die "the engine of $NS does not answer; run: $0 up $name INDEX"
    if ! docker -H "unix://$SOCK" image inspect "$image" >/dev/null 2>&1; then
      docker save "$image" | docker -H "unix://$SOCK" load >/dev/null
    fi
    ;;
  env) printf 'NETNS=%s\nDOCKER_HOST=unix://%s\n' "$NETNS" "$SOCK" ;;
  down) teardown ;;
  *) die "unknown subcommand '$cmd' (up|stop|start|load|env|down)" ;;
esac
