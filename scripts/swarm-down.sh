#!/usr/bin/env bash
# Tears down everything scripts/swarm-up.sh made for swarm SWARM_ID (default 0), nodes in
# parallel: kills the dockerds, their containerds, shims and containers (SIGKILL: nothing
# outside our namespaces and directories remembers the swarm, so there is nothing to leave
# gracefully), unmounts what they mounted, deletes links, bridge, namespaces, cgroups, data
# and state dirs. Works after a half-failed `up` and when called twice.
#   SWARM_ID=3 scripts/swarm-down.sh      one swarm
#   scripts/swarm-down.sh --all           every symphony-swarm-* on this machine
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/swarm-lib.sh
source "$HERE/swarm-lib.sh"

T0=$(date +%s%N)
elapsed() { local ms=$((($(date +%s%N) - T0) / 1000000)); printf '%d.%03ds' $((ms / 1000)) $((ms % 1000)); }

if [ "${1:-}" = --all ]; then
  ids=$( { ls -d /run/symphony-swarm-* /var/lib/symphony-swarm-* /var/run/netns/symphony-swarm-* 2>/dev/null || true; } |
    sed -nE 's#.*/symphony-swarm-([0-9]+)([.-].*)?$#\1#p'
    ip -o link show 2>/dev/null | sed -nE 's/^[0-9]+: ssw([0-9]+)h[@:].*/\1/p' || true)
  ids=$(echo "$ids" | sort -un)
  [ -n "$ids" ] || { say "no swarm to tear down"; exit 0; }
  pids=()
  for id in $ids; do
    SWARM_ID=$id bash "$0" &
    pids+=($!)
  done
  rc=0
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  exit "$rc"
fi

swarm_select "${SWARM_ID:-0}"
take_lock

# Node indices from anything left: the env file, dirs, namespaces.
indices=$( {
  seq 1 "$(built_nodes)"
  ls -d "$RUN"/n* "$DATA"/n* 2>/dev/null | sed -nE 's#.*/n([0-9])$#\1#p'
  ls /var/run/netns 2>/dev/null | sed -nE "s/^$PFX-n([0-9])\$/\\1/p"
} | sort -un)

down_node() {
  local i=$1 run data cg pids m n shim_sockets
  run=$(node_run "$i")
  data=$(node_data "$i")
  cg=$(node_cgroup "$i")
  # Shims listen on /run/containerd/s/<hash> (a dir shared with the main containerd), and
  # a SIGKILLed shim may leave its socket behind. Their bundles' `address` files name them.
  shim_sockets=$(grep -ohE '/run/containerd/s/[0-9a-f]{64}' "$run"/exec/containerd/daemon/io.containerd.runtime.v2.task/*/*/address 2>/dev/null || true)
  # dockerd first (its containerd dies with it), then whatever is left, until nothing is.
  if pid=$(engine_pid "$i"); then kill -s KILL "$pid" 2>/dev/null || true; fi
  for n in 1 2 3 4 5 6 7 8 9 10; do
    pids=$(node_pids "$i" | sort -u | grep -vx "$$" || true)
    [ -n "$pids" ] || break
    # shellcheck disable=SC2086
    kill -s KILL $pids 2>/dev/null || true
    sleep 0.1
  done
  [ -z "$pids" ] || say "node $i: processes still alive: $(echo $pids)"
  for m in $shim_sockets; do
    case "$m" in /run/containerd/s/*) rm -f "$m" ;; esac
  done
  # Deepest first: overlays and shm under the data root, netns files under the exec root.
  { grep -E " ($data|$run)[/ ]" /proc/mounts || true; } | awk '{print $2}' | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || say "node $i: could not unmount $m"
  done
  for m in /sys/fs/cgroup/*/"$cg" /sys/fs/cgroup/"$cg"; do
    [ -d "$m" ] && { find "$m" -depth -type d -exec rmdir {} + 2>/dev/null || true; }
  done
  rm -rf "$data" "$run"
  if [ -e "$(node_netns "$i")" ]; then ip netns del "$(node_ns "$i")" || say "node $i: could not delete its namespace"; fi
}

pids=()
for i in $indices; do
  down_node "$i" 9>&- &
  pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done

# Anything else of this swarm (e.g. an image save of an `up` killed halfway).
left=$(grep -laE -e "[/]${RUN#/}/" -e "[/]${DATA#/}/" /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3 | grep -vx "$$" || true)
# shellcheck disable=SC2086
[ -z "$left" ] || kill -s KILL $left 2>/dev/null || true

if ip link show dev "$HOST_IF" >/dev/null 2>&1; then ip link del dev "$HOST_IF" || rc=1; fi
if [ -e "/var/run/netns/$NS_SW" ]; then ip netns del "$NS_SW" || rc=1; fi
rm -rf "$DATA" "$RUN"
rm -f "$LOCK"
say "swarm $SWARM_ID down in $(elapsed)"
exit "$rc"
