#!/usr/bin/env bash
# One node of a swarm made by scripts/swarm-up.sh (SWARM_ID, default 0), for tests that
# take nodes away and bring them back:
#   swarm-node.sh kill  I   SIGKILL its dockerd: containerd dies with it, the containers
#                           keep running (and serving on the node's address); the stale
#                           pid file is cleared so `start` works
#   swarm-node.sh stop  I   SIGTERM: dockerd stops its containers, then exits
#   swarm-node.sh start I   start its dockerd again (same data root: it rejoins the swarm by
#                           itself; without live-restore it stops containers it finds running)
#   swarm-node.sh pid   I   its dockerd's pid (exit 1 when it does not run)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/swarm-lib.sh
source "$HERE/swarm-lib.sh"

cmd=${1:-}
i=${2:-}
swarm_select "${SWARM_ID:-0}"
[ -f "$ENV_FILE" ] || die "swarm $SWARM_ID is not up (no $ENV_FILE); run scripts/swarm-up.sh"
n=$(built_nodes)
[[ "$i" =~ ^[1-9]$ ]] && [ "$i" -le "$n" ] || die "usage: $0 kill|stop|start|pid NODE (1–$n)"
[ "$cmd" = pid ] && { engine_pid "$i"; exit; }
take_lock

case "$cmd" in
  kill)
    pid=$(engine_pid "$i") || { say "node $i: dockerd does not run"; clear_stale_pidfiles "$i"; exit 0; }
    kill -s KILL "$pid"
    while alive "$pid"; do sleep 0.05; done
    clear_stale_pidfiles "$i"
    say "node $i: dockerd $pid killed"
    ;;
  stop)
    stop_engine "$i" TERM
    say "node $i: dockerd stopped"
    ;;
  start)
    start_engine "$i" 9>&-
    wait_engine "$i"
    say "node $i: dockerd answers"
    ;;
  *) die "unknown subcommand '$cmd' (kill|stop|start|pid)" ;;
esac
