# shellcheck shell=bash
# A real multi-node Docker Swarm on one machine, for tests and the demo: the shared part of
# scripts/swarm-up.sh, swarm-down.sh and swarm-node.sh (sourced, not run). Root only.
#
# Layout of swarm SWARM_ID (0 unless told; `auto` claims a free one), node i = 1..SWARM_NODES:
#   netns symphony-swarm-ID-sw   a "switch": bridge `sw0` with ports `host` and `n1`…`n3`
#   netns symphony-swarm-ID-nI   node i: `eth0` = 10.231.ID.(10+i)/24, its own dockerd
#   link  sswIDh (root netns)    10.231.ID.1/24, so host processes reach node addresses
#   /run/symphony-swarm-ID/      env (what `up` prints), nI/{docker.sock,docker.pid,exec,dockerd.log}
#   /var/lib/symphony-swarm-ID/  nI (data roots), images (tars saved from the main engine)
# Node i's dockerd: hostname symphony-swarm-ID-nI (own UTS namespace), docker0
# 10.232.ID.(64i+1)/27, local pool 10.232.ID.(64i+32)/27 (size 28), cgroup parent
# /symphony-swarm-ID-nI. The swarm's overlay pool (DefaultAddrPool) is 10.233.ID.0/24 in /26s.
# dockerd is started with `nsenter --net=…` (not `ip netns exec`, which remounts /sys and
# hides the cgroups from it).

set -euo pipefail

say() { printf 'swarm: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (ip netns, dockerd); run it with sudo"
for _bin in ip nsenter unshare dockerd curl flock node; do
  command -v "$_bin" >/dev/null || die "$_bin is missing (Debian: apt-get install iproute2 util-linux docker.io curl nodejs)"
done

SWARM_NODES=${SWARM_NODES:-3}
[[ "$SWARM_NODES" =~ ^[1-3]$ ]] || die "SWARM_NODES must be 1–3 (the address plan has room for 3), got '$SWARM_NODES'"
SWARM_WAIT_SECONDS=${SWARM_WAIT_SECONDS:-60}
SWARM_HEARTBEAT_SECONDS=${SWARM_HEARTBEAT_SECONDS:-5}
[[ "$SWARM_HEARTBEAT_SECONDS" =~ ^[1-9][0-9]?$ ]] || die "SWARM_HEARTBEAT_SECONDS must be 1–99, got '$SWARM_HEARTBEAT_SECONDS'"
API=v1.41

# Sets every name and path of swarm $1.
swarm_select() {
  SWARM_ID=$1
  [[ "$SWARM_ID" =~ ^[0-9]{1,3}$ ]] && [ "$SWARM_ID" -le 250 ] || die "SWARM_ID must be 0–250 or auto, got '$SWARM_ID'"
  PFX=symphony-swarm-$SWARM_ID
  RUN=/run/$PFX
  DATA=/var/lib/$PFX
  ENV_FILE=$RUN/env
  LOCK=/run/$PFX.lock
  NS_SW=$PFX-sw
  HOST_IF=ssw${SWARM_ID}h
  NET=10.231.$SWARM_ID
  HOST_ADDR=$NET.1
  POOL=10.233.$SWARM_ID.0/24
}

node_ns() { echo "$PFX-n$1"; }
node_netns() { echo "/var/run/netns/$PFX-n$1"; }
node_addr() { echo "$NET.$((10 + $1))"; }
node_run() { echo "$RUN/n$1"; }
node_sock() { echo "$RUN/n$1/docker.sock"; }
node_pidfile() { echo "$RUN/n$1/docker.pid"; }
node_data() { echo "$DATA/n$1"; }
node_cgroup() { echo "$PFX-n$1"; }

# How many nodes swarm $SWARM_ID was built with (its env file), else SWARM_NODES.
built_nodes() {
  local n
  n=$(sed -n 's/^SWARM_NODES=//p' "$ENV_FILE" 2>/dev/null || true)
  [[ "$n" =~ ^[1-9]$ ]] && echo "$n" || echo "$SWARM_NODES"
}

# Serializes up/down/node commands on one swarm (fd 9 stays open until the script exits).
take_lock() {
  exec 9>"$LOCK"
  flock -w "$SWARM_WAIT_SECONDS" 9 || die "another swarm command holds $LOCK for ${SWARM_WAIT_SECONDS}s"
}

# api NODE METHOD PATH [curl args…]: the Engine API of node NODE; the body on stdout.
api() {
  local i=$1 method=$2 path=$3
  shift 3
  curl -fsS --max-time "${API_TIMEOUT:-30}" --unix-socket "$(node_sock "$i")" -X "$method" "$@" "http://localhost/$API$path"
}

# Like api, but failures print the engine's message (curl -f would hide it).
api_verbose() {
  local i=$1 method=$2 path=$3 out code
  shift 3
  out=$(curl -sS --max-time "${API_TIMEOUT:-30}" --unix-socket "$(node_sock "$i")" -X "$method" -w '\n%{http_code}' "$@" "http://localhost/$API$path") || return 1
  code=${out##*$'\n'}
  out=${out%$'\n'*}
  if [[ "$code" != 2* ]]; then
    say "node $i: $method $path → $code $out"
    return 1
  fi
  printf '%s' "$out"
}

answers() {
  local s
  s=$(node_sock "$1")
  [ -S "$s" ] && curl -fsS --max-time 2 --unix-socket "$s" http://localhost/_ping >/dev/null 2>&1
}

# json EXPR: evaluates a JS expression over the JSON on stdin (bound to `j`); prints strings bare.
json() {
  node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const j = s.trim() === "" ? null : JSON.parse(s);
      let v; try { v = eval(process.argv[1]); } catch { process.exit(1); }
      if (v !== undefined && v !== null) process.stdout.write(typeof v === "string" ? v + "\n" : JSON.stringify(v) + "\n");
    });' "$1"
}

# Whether pid $1 runs (a zombie does not: pid 1 may be slow to reap).
alive() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null | tr -d ' ' || true)
  [ -n "$state" ] && [[ "$state" != Z* ]]
}

# The pid of node i's dockerd, if it runs (alive, not a zombie, ours: pids get reused).
engine_pid() {
  local pidfile pid state
  pidfile=$(node_pidfile "$1")
  pid=$(cat "$pidfile" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  state=$(ps -o stat= -p "$pid" 2>/dev/null | tr -d ' ' || true)
  [ -n "$state" ] && [[ "$state" != Z* ]] || return 1
  { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -q -- "--pidfile $pidfile" || return 1
  echo "$pid"
}

# A SIGKILLed dockerd leaves its pid file (and containerd's) behind; a new one refuses to start.
clear_stale_pidfiles() {
  local i=$1 pidfile cpid pid
  pidfile=$(node_pidfile "$i")
  if [ -f "$pidfile" ] && ! engine_pid "$i" >/dev/null; then
    say "node $i: removing stale $pidfile"
    rm -f "$pidfile"
  fi
  # Its containerd dies with it (parent-death signal), but not at once: a new dockerd that
  # finds the old one still alive waits for its socket and gives up after ~15 s.
  cpid=$(node_run "$i")/exec/containerd/containerd.pid
  if [ -f "$cpid" ] && ! engine_pid "$i" >/dev/null; then
    pid=$(cat "$cpid" 2>/dev/null || true)
    if [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid" &&
      { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -q -- "$(node_run "$i")/exec/containerd"; then
      for _ in $(seq 1 20); do alive "$pid" || break; sleep 0.05; done
      if alive "$pid"; then kill -s KILL "$pid" 2>/dev/null || true; fi
      for _ in $(seq 1 40); do alive "$pid" || break; sleep 0.05; done
    fi
    rm -f "$cpid"
  fi
}

# Starts node i's dockerd unless it runs; does not wait (see wait_engine).
start_engine() {
  local i=$1 run
  run=$(node_run "$i")
  if engine_pid "$i" >/dev/null; then return 0; fi
  clear_stale_pidfiles "$i"
  mkdir -p "$(node_data "$i")" "$run/exec"
  [ -f "$run/daemon.json" ] || echo '{}' >"$run/daemon.json"
  # Own UTS namespace: each node gets its own hostname (the swarm's node names).
  nohup setsid nsenter --net="$(node_netns "$i")" unshare --uts sh -c 'hostname "$0" && exec "$@"' "$(node_ns "$i")" \
    dockerd \
    --config-file "$run/daemon.json" \
    -H "unix://$(node_sock "$i")" \
    --data-root "$(node_data "$i")" \
    --exec-root "$run/exec" \
    --pidfile "$(node_pidfile "$i")" \
    --bip "10.232.$SWARM_ID.$((64 * i + 1))/27" \
    --default-address-pool "base=10.232.$SWARM_ID.$((64 * i + 32))/27,size=28" \
    --exec-opt native.cgroupdriver=cgroupfs --cgroup-parent "/$(node_cgroup "$i")" \
    --iptables=true --ip-masq=false \
    --log-level warn \
    >>"$run/dockerd.log" 2>&1 </dev/null &
  disown
}

wait_engine() {
  local i=$1 n
  for n in $(seq 1 $((SWARM_WAIT_SECONDS * 10))); do
    if answers "$i"; then return 0; fi
    # Gave up early: it exited (e.g. a stale pid file, a bad flag).
    if [ "$n" -gt 20 ] && ! engine_pid "$i" >/dev/null; then break; fi
    sleep 0.1
  done
  tail -n 20 "$(node_run "$i")/dockerd.log" >&2 || true
  die "node $i: dockerd in $(node_ns "$i") did not answer (log: $(node_run "$i")/dockerd.log)"
}

# Stops node i's dockerd: TERM (it stops its containers first) or KILL (they keep running).
stop_engine() {
  local i=$1 signal=${2:-TERM} wait=${3:-$SWARM_WAIT_SECONDS} pid
  if pid=$(engine_pid "$i"); then
    kill -s "$signal" "$pid" 2>/dev/null || true
    for _ in $(seq 1 $((wait * 10))); do
      alive "$pid" || break
      sleep 0.1
    done
    if alive "$pid"; then
      say "node $i: dockerd $pid still running after ${wait}s; SIGKILL"
      kill -s KILL "$pid" 2>/dev/null || true
      while alive "$pid"; do sleep 0.05; done
    fi
  fi
  clear_stale_pidfiles "$i"
}

# Processes node i's dockerd started that may outlive it: containerd, shims, docker-proxy,
# and the containers' own processes (under its cgroup parent).
node_pids() {
  local i=$1 run data cg p
  run=$(node_run "$i")
  data=$(node_data "$i")
  cg=$(node_cgroup "$i")
  # One grep over every cmdline (NUL-separated, hence -a); a fork per process is slow.
  # `[/]` so that grep does not find its own command line.
  grep -laE -e "[/]${run#/}/" -e "[/]${data#/}" /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3 || true
  for p in /sys/fs/cgroup/*/"$cg" /sys/fs/cgroup/"$cg"; do
    [ -d "$p" ] && find "$p" -name cgroup.procs -exec cat {} + 2>/dev/null
  done
  true
}

# Every line of the env file (also what `up` prints).
write_env() {
  local n=$1 i tmp
  tmp=$ENV_FILE.tmp
  {
    echo "SWARM_ID=$SWARM_ID"
    echo "SWARM_NODES=$n"
    echo "SWARM_SUBNET=$NET.0/24"
    echo "SWARM_HOST_ADDRESS=$HOST_ADDR"
    echo "SWARM_HOST_LINK=$HOST_IF"
    echo "SWARM_SWITCH_NETNS=/var/run/netns/$NS_SW"
    echo "SWARM_ADDR_POOL=$POOL"
    echo "SWARM_MANAGER_HOST=unix://$(node_sock 1)"
    echo "SWARM_MANAGER_ADDRESS=$(node_addr 1)"
    for i in $(seq 1 "$n"); do
      echo "SWARM_NODE_${i}_HOST=unix://$(node_sock "$i")"
      echo "SWARM_NODE_${i}_ADDRESS=$(node_addr "$i")"
      echo "SWARM_NODE_${i}_NETNS=$(node_netns "$i")"
      echo "SWARM_NODE_${i}_HOSTNAME=$(node_ns "$i")"
    done
  } >"$tmp"
  mv "$tmp" "$ENV_FILE"
}
