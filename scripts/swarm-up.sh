#!/usr/bin/env bash
# Builds a Docker Swarm of SWARM_NODES (default 3) nodes on this machine — each node a
# dockerd in a network namespace of its own, all on one bridge, node 1 the only manager —
# loads SWARM_IMAGES into every node and prints, for `eval`, where everything is:
#
#   eval "$(sudo scripts/swarm-up.sh)"; DOCKER_HOST=$SWARM_MANAGER_HOST docker node ls
#
# Environment: SWARM_ID (0–250, default 0; `auto` claims a free one and prints it),
# SWARM_NODES (1–9), SWARM_IMAGES (space/comma separated, default docker-symphony-demo:latest;
# '' for none), SWARM_SOURCE_SOCKET (engine to copy images from, /var/run/docker.sock),
# SWARM_HEARTBEAT_SECONDS (swarm dispatcher heartbeat, 5). Layout: scripts/swarm-lib.sh.
# Idempotent: a second run finds the running swarm (and repairs what is missing: a stopped
# dockerd, a node that left). Undo with scripts/swarm-down.sh (same SWARM_ID).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/swarm-lib.sh
source "$HERE/swarm-lib.sh"

SWARM_IMAGES=${SWARM_IMAGES-docker-symphony-demo:latest}
SWARM_IMAGES=${SWARM_IMAGES//,/ }
SOURCE_SOCK=${SWARM_SOURCE_SOCKET:-/var/run/docker.sock}
T0=$(date +%s%N)
elapsed() { local ms=$((($(date +%s%N) - T0) / 1000000)); printf '%d.%03ds' $((ms / 1000)) $((ms % 1000)); }

# Whether 10.231.ID.0/24 is free: no route into or around it (but the default route) and no
# address in it, except our own host link's.
subnet_free() {
  local net=10.231.$1 routes addrs
  routes=$(ip -4 route show table all to match "$net.0/24" 2>/dev/null | grep -v '^default' | grep -v "dev ssw${1}h" || true)
  routes+=$'\n'$(ip -4 route show table all to root "$net.0/24" 2>/dev/null | grep -v "dev ssw${1}h" || true)
  addrs=$(ip -o -4 addr show 2>/dev/null | grep -F " $net." | grep -v " ssw${1}h " || true)
  if [ -n "${routes//$'\n'/}$addrs" ]; then
    printf '%s\n%s\n' "$routes" "$addrs" | sed '/^$/d; s/^/  /' | sort -u >&2
    return 1
  fi
}

CLAIMED=0
if [ "${SWARM_ID:-0}" = auto ]; then
  # A free ID: its run dir is made atomically (mkdir), so concurrent callers never share one.
  for id in $(shuf -i 1-250); do
    mkdir "/run/symphony-swarm-$id" 2>/dev/null || continue
    if subnet_free "$id" 2>/dev/null; then CLAIMED=$id; break; fi
    rmdir "/run/symphony-swarm-$id"
  done
  [ "$CLAIMED" != 0 ] || die "no free SWARM_ID in 1–250 (each needs 10.231.ID.0/24 unrouted)"
  swarm_select "$CLAIMED"
  say "claimed SWARM_ID=$SWARM_ID"
else
  swarm_select "${SWARM_ID:-0}"
fi

take_lock

MADE=0 # whether anything was made yet (a refusal before that leaves nothing behind)
on_exit() {
  local rc=$?
  [ "$rc" = 0 ] && return 0
  if [ "$MADE" = 0 ] && [ ! -e "$ENV_FILE" ]; then
    rm -f "$LOCK"
    rmdir "$RUN" 2>/dev/null || true
    exit "$rc"
  fi
  if [ "$CLAIMED" != 0 ] && [ "${SWARM_KEEP_FAILED:-0}" != 1 ]; then
    say "up failed; tearing swarm $SWARM_ID down (SWARM_KEEP_FAILED=1 keeps it)"
    exec 9>&-
    SWARM_ID=$SWARM_ID bash "$HERE/swarm-down.sh" >&2 || true
  else
    say "up failed after $(elapsed); inspect $RUN/n*/dockerd.log, then: SWARM_ID=$SWARM_ID $HERE/swarm-down.sh"
  fi
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 143' TERM INT

# ---- fast path: it is already up -------------------------------------------------------
ready_count() {
  API_TIMEOUT=5 api 1 GET /nodes 2>/dev/null | json 'j.filter((n) => n.Status.State === "ready").length' || echo 0
}

images_present() {
  local img i want got
  for img in $SWARM_IMAGES; do
    want=$(curl -fsS --max-time 10 --unix-socket "$SOURCE_SOCK" "http://localhost/$API/images/$img/json" | json 'j.Id') || return 1
    for i in $(seq 1 "$SWARM_NODES"); do
      got=$(API_TIMEOUT=10 api "$i" GET "/images/$img/json" 2>/dev/null | json 'j.Id' || true)
      [ "$got" = "$want" ] || return 1
    done
  done
}

if [ -f "$ENV_FILE" ]; then
  built=$(built_nodes)
  [ "$built" = "$SWARM_NODES" ] || die "swarm $SWARM_ID has $built nodes, not $SWARM_NODES; run SWARM_ID=$SWARM_ID $HERE/swarm-down.sh first"
  all=1
  for i in $(seq 1 "$SWARM_NODES"); do answers "$i" || all=0; done
  if [ "$all" = 1 ] && [ "$(ready_count)" = "$SWARM_NODES" ] && images_present; then
    say "swarm $SWARM_ID is up ($SWARM_NODES nodes ready); nothing to do"
    cat "$ENV_FILE"
    exit 0
  fi
  say "swarm $SWARM_ID is incomplete; repairing"
fi

# ---- the images' IDs (before anything is made: a missing image fails fast) ------------
declare -A IMAGE_ID=()
for img in $SWARM_IMAGES; do
  id=$(curl -fsS --max-time 10 --unix-socket "$SOURCE_SOCK" "http://localhost/$API/images/$img/json" 2>/dev/null | json 'j.Id') ||
    die "image $img is not in the engine at $SOURCE_SOCK (build it: make image), or that engine does not answer"
  IMAGE_ID[$img]=$id
done

# ---- network ---------------------------------------------------------------------------
if ! ip link show dev "$HOST_IF" >/dev/null 2>&1; then
  subnet_free "$SWARM_ID" || die "$NET.0/24 is already routed or addressed here (above); pick another SWARM_ID (or SWARM_ID=auto)"
fi
MADE=1
mkdir -p "$RUN" "$DATA"

ns_add() { [ -e "/var/run/netns/$1" ] || ip netns add "$1"; ip -n "$1" link set dev lo up; }
has_link() { ip -n "$1" link show dev "$2" >/dev/null 2>&1; }

ns_add "$NS_SW"
has_link "$NS_SW" sw0 || ip -n "$NS_SW" link add name sw0 type bridge
ip -n "$NS_SW" link set dev sw0 up
if ! ip link show dev "$HOST_IF" >/dev/null 2>&1; then
  has_link "$NS_SW" host && ip -n "$NS_SW" link del dev host
  ip link add name "$HOST_IF" type veth peer name host netns "$NS_SW"
fi
ip -n "$NS_SW" link set dev host master sw0 up
ip addr replace "$HOST_ADDR/24" dev "$HOST_IF"
ip link set dev "$HOST_IF" up
for i in $(seq 1 "$SWARM_NODES"); do
  ns=$(node_ns "$i")
  ns_add "$ns"
  if ! has_link "$ns" eth0; then
    has_link "$NS_SW" "n$i" && ip -n "$NS_SW" link del dev "n$i"
    # Both ends made right in their namespaces: no temporary names in the root namespace.
    ip link add name eth0 netns "$ns" type veth peer name "n$i" netns "$NS_SW"
  fi
  ip -n "$NS_SW" link set dev "n$i" master sw0 up
  ip -n "$ns" addr replace "$(node_addr "$i")/24" dev eth0
  ip -n "$ns" link set dev eth0 up
done
say "network up ($(elapsed))"

# ---- engines (in parallel), and the images saved meanwhile -----------------------------
for i in $(seq 1 "$SWARM_NODES"); do start_engine "$i" 9>&-; done

mkdir -p "$DATA/images"
save_pids=()
for img in $SWARM_IMAGES; do
  tar=$DATA/images/${IMAGE_ID[$img]#sha256:}.tar
  [ -s "$tar" ] && continue
  (curl -fsS --max-time 120 --unix-socket "$SOURCE_SOCK" "http://localhost/$API/images/get?names=$img" -o "$tar.part" && mv "$tar.part" "$tar") 9>&- &
  save_pids+=($!)
done

for i in $(seq 1 "$SWARM_NODES"); do wait_engine "$i"; done
say "$SWARM_NODES engines answer ($(elapsed))"

# ---- swarm -----------------------------------------------------------------------------
state() { api "$1" GET /info | json 'j.Swarm.LocalNodeState'; }

if [ "$(state 1)" != active ]; then
  addr=$(node_addr 1)
  body=$(cat <<JSON
{"ListenAddr":"$addr:2377","AdvertiseAddr":"$addr:2377","DataPathAddr":"$addr",
 "DefaultAddrPool":["$POOL"],"SubnetSize":26,"ForceNewCluster":false,
 "Spec":{"Name":"default","Orchestration":{"TaskHistoryRetentionLimit":5},
  "Dispatcher":{"HeartbeatPeriod":$((SWARM_HEARTBEAT_SECONDS * 1000000000))}}}
JSON
)
  api_verbose 1 POST /swarm/init -H 'Content-Type: application/json' -d "$body" >/dev/null ||
    die "swarm init on node 1 failed (log: $(node_run 1)/dockerd.log)"
fi
token=$(api 1 GET /swarm | json 'j.JoinTokens.Worker')
[ -n "$token" ] || die "node 1 is not a manager (GET /swarm has no worker token)"

join() {
  local i=$1 addr st
  addr=$(node_addr "$i")
  st=$(state "$i")
  [ "$st" = active ] && return 0
  if [ "$st" != inactive ]; then
    say "node $i is '$st'; leaving and joining again"
    api "$i" POST '/swarm/leave?force=1' >/dev/null || true
  fi
  api_verbose "$i" POST /swarm/join -H 'Content-Type: application/json' \
    -d "{\"ListenAddr\":\"$addr:2377\",\"AdvertiseAddr\":\"$addr:2377\",\"DataPathAddr\":\"$addr\",\"RemoteAddrs\":[\"$(node_addr 1):2377\"],\"JoinToken\":\"$token\"}" >/dev/null ||
    die "node $i could not join (log: $(node_run "$i")/dockerd.log)"
}
join_pids=()
for i in $(seq 2 "$SWARM_NODES"); do
  join "$i" 9>&- &
  join_pids+=($!)
done

# ---- images into every node (in parallel) ----------------------------------------------
for p in "${save_pids[@]}"; do wait "$p" || die "could not save an image of $SWARM_IMAGES from $SOURCE_SOCK"; done
load() {
  local i=$1 img=$2 got tar
  got=$(API_TIMEOUT=10 api "$i" GET "/images/$img/json" 2>/dev/null | json 'j.Id' || true)
  [ "$got" = "${IMAGE_ID[$img]}" ] && return 0
  tar=$DATA/images/${IMAGE_ID[$img]#sha256:}.tar
  API_TIMEOUT=180 api_verbose "$i" POST '/images/load?quiet=1' -H 'Content-Type: application/x-tar' -T "$tar" >/dev/null ||
    die "could not load $img into node $i"
}
load_pids=()
for img in $SWARM_IMAGES; do
  for i in $(seq 1 "$SWARM_NODES"); do
    load "$i" "$img" 9>&- &
    load_pids+=($!)
  done
done
for p in "${join_pids[@]}" "${load_pids[@]}"; do wait "$p" || die "a join or an image load failed (above)"; done
say "joined, images loaded ($(elapsed))"

# ---- every node ready ------------------------------------------------------------------
for _ in $(seq 1 $((SWARM_WAIT_SECONDS * 10))); do
  [ "$(ready_count)" = "$SWARM_NODES" ] && break
  sleep 0.1
done
ready=$(ready_count)
[ "$ready" = "$SWARM_NODES" ] || die "only $ready of $SWARM_NODES nodes are ready after ${SWARM_WAIT_SECONDS}s"

write_env "$SWARM_NODES"
say "swarm $SWARM_ID up: $SWARM_NODES nodes ready in $(elapsed); env in $ENV_FILE"
cat "$ENV_FILE"
