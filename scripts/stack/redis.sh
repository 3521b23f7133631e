#!/usr/bin/env bash
# The stack's own Redis, native, for this checkout: the stock ledger, its outbox and idempotency
# records live here, so it runs the way production should. AOF with `appendfsync always`: Redis
# writes and fsyncs every change before it answers, so a stock change the API answered 200 survives
# `kill -9` of Redis (and of the machine). The machine's shared Redis on 6379 keeps nothing on
# disk and is not used by the stack.
#
#   scripts/stack/redis.sh start    start redis-server on REDIS_PORT unless it already answers
#   scripts/stack/redis.sh stop     SHUTDOWN (it fsyncs the AOF), or TERM the recorded PID
#   scripts/stack/redis.sh kill     SIGKILL, for fault tests: what was acknowledged must survive
#   scripts/stack/redis.sh status   running or not (exit 0 running, 3 not running)
#
# Environment: REDIS_PORT (6380), REDIS_APPENDFSYNC (always; `everysec` may lose the last second).
# `rdbcompression no`: an AOF rewrite (a forked child writing the whole dataset, each time the AOF
# has doubled) spent a quarter of its CPU compressing keys that are mostly random ids, for a file
# 6 % smaller (1.73 s against 1.26 s of CPU at 85 MB of data). During a checkout rush those
# rewrites come every few tens of seconds and share the cores with the stack.
# Data (AOF) under $RUNTIME_DIR/redis, outside the checkout; PID in .stack/pids/redis.pid.
#
# In cluster mode (the stack's CLUSTER_MARKER, `npm run up -- --cluster`) the same commands act on
# a Redis Cluster of REDIS_CLUSTER_NODES nodes (three masters, one replica each) on consecutive
# ports from REDIS_CLUSTER_PORT (7001), each with AOF as above, data under
# $RUNTIME_DIR/redis-cluster/PORT and PID in .stack/pids/redis-cluster-PORT.pid. `start` starts
# the nodes that are down (a restarted node rejoins from its nodes.conf) and creates the cluster
# the first time, and returns once the cluster answers `cluster_state:ok` and every replica is
# online; `status` is "running" once the cluster answers `cluster_state:ok`. One more:
#   scripts/stack/redis.sh kill-node PORT   SIGKILL one node, for the failover test
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

REDIS_PORT="${REDIS_PORT:-6380}"
REDIS_APPENDFSYNC="${REDIS_APPENDFSYNC:-always}"
REDIS_DATA="$RUNTIME_DIR/redis"
REDIS_PIDFILE=$(pidfile_of redis)
REDIS_LOG="$LOG_DIR/redis.log"

answers() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -qx PONG; }

cmd_start() {
  if answers; then
    pid_alive "$REDIS_PIDFILE" || warn "redis on port $REDIS_PORT was not started by this checkout; using it"
    say "redis already running on 127.0.0.1:$REDIS_PORT"
    return 0
  fi
  command -v redis-server >/dev/null || die "redis-server is not installed (apt-get install redis-server)"
  mkdir -p "$REDIS_DATA"
  # A PID file left by kill -9 is stale: redis-server would refuse nothing, but `down` must not
  # signal whatever process reuses that PID.
  pid_alive "$REDIS_PIDFILE" || rm -f "$REDIS_PIDFILE"
  say "starting redis on 127.0.0.1:$REDIS_PORT (AOF, appendfsync $REDIS_APPENDFSYNC, data $REDIS_DATA)"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" \
    --dir "$REDIS_DATA" --appendonly yes --appendfsync "$REDIS_APPENDFSYNC" --save "" --rdbcompression no \
    --pidfile "$REDIS_PIDFILE" --logfile "$REDIS_LOG"
  local i
  for ((i = 0; i < 120; i++)); do
    # Loading a large AOF answers LOADING to PING: wait until it says PONG.
    answers && { say "redis running (pid $(cat "$REDIS_PIDFILE" 2>/dev/null || echo '?'))"; return 0; }
    sleep 0.25
  done
  tail -n 20 "$REDIS_LOG" >&2 || true
  die "redis did not start on port $REDIS_PORT"
}

cmd_stop() {
  if ! pid_alive "$REDIS_PIDFILE"; then
    rm -f "$REDIS_PIDFILE"
    say "redis: not running from this checkout"
    return 0
  fi
  local pid
  pid=$(cat "$REDIS_PIDFILE")
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true
  local i
  for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  stop_pidfile "$REDIS_PIDFILE" redis
}

cmd_kill() {
  pid_alive "$REDIS_PIDFILE" || die "redis is not running from this checkout"
  local pid
  pid=$(cat "$REDIS_PIDFILE")
  kill -KILL "$pid"
  local i
  for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  say "killed redis (pid $pid) with SIGKILL"
}

# --- cluster mode --------------------------------------------------------------------------------

cluster_ports() {
  local n
  for ((n = 0; n < REDIS_CLUSTER_NODES; n++)); do echo $((REDIS_CLUSTER_PORT + n)); done
}
node_pidfile() { pidfile_of "redis-cluster-$1"; }
node_answers() { redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null | grep -qx PONG; }
cluster_ok() {
  local port
  for port in $(cluster_ports); do
    redis-cli -h 127.0.0.1 -p "$port" cluster info 2>/dev/null | grep -q '^cluster_state:ok' || return 1
  done
}

# replication_ok: every master has its replica online and every replica's link is up. WAIT (see
# ReplicaWait) refuses writes until then, so `start` waits for it: after a restart the replicas
# resynchronise, and cluster_state:ok alone does not say they have.
replication_ok() {
  local port info
  for port in $(cluster_ports); do
    info=$(redis-cli -h 127.0.0.1 -p "$port" info replication 2>/dev/null) || return 1
    if grep -q '^role:master' <<<"$info"; then
      grep -q '^slave0:.*state=online' <<<"$info" || return 1
    else
      grep -q '^master_link_status:up' <<<"$info" || return 1
    fi
  done
}

cluster_start() {
  command -v redis-server >/dev/null || die "redis-server is not installed (apt-get install redis-server)"
  local port dir i
  for port in $(cluster_ports); do
    node_answers "$port" && continue
    pid_alive "$(node_pidfile "$port")" || rm -f "$(node_pidfile "$port")"
    dir="$RUNTIME_DIR/redis-cluster/$port"
    mkdir -p "$dir"
    # node-timeout 2 s: a master that stops answering is replaced by its replica within seconds.
    redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --dir "$dir" \
      --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 2000 \
      --appendonly yes --appendfsync "$REDIS_APPENDFSYNC" --save "" --rdbcompression no \
      --pidfile "$(node_pidfile "$port")" --logfile "$LOG_DIR/redis-cluster-$port.log"
  done
  for port in $(cluster_ports); do
    for ((i = 0; i < 120; i++)); do node_answers "$port" && break; sleep 0.25; done
    node_answers "$port" || die "redis cluster node $port did not start (log: $LOG_DIR/redis-cluster-$port.log)"
  done
  if redis-cli -h 127.0.0.1 -p "$REDIS_CLUSTER_PORT" cluster info | grep -q '^cluster_slots_assigned:0'; then
    say "creating the Redis Cluster (ports $(cluster_ports | paste -sd, -), one replica per master)"
    local nodes=()
    for port in $(cluster_ports); do nodes+=("127.0.0.1:$port"); done
    redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >/dev/null
  fi
  for ((i = 0; i < 240; i++)); do
    cluster_ok && replication_ok && { say "redis cluster running on ports $(cluster_ports | paste -sd, -)"; return 0; }
    sleep 0.25
  done
  die "the Redis Cluster did not reach cluster_state:ok with every replica online (logs: $LOG_DIR/redis-cluster-*.log)"
}

cluster_stop() {
  local port file pid any=false
  for port in $(cluster_ports); do
    file=$(node_pidfile "$port")
    if ! pid_alive "$file"; then rm -f "$file"; continue; fi
    any=true
    pid=$(cat "$file")
    redis-cli -h 127.0.0.1 -p "$port" shutdown >/dev/null 2>&1 || true
    local i
    for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    stop_pidfile "$file" "redis-cluster-$port"
  done
  [ "$any" = true ] || say "redis cluster: not running from this checkout"
}

kill_node() {
  local port=$1 file pid i
  file=$(node_pidfile "$port")
  pid_alive "$file" || die "redis cluster node $port is not running from this checkout"
  pid=$(cat "$file")
  kill -KILL "$pid"
  for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  say "killed redis cluster node $port (pid $pid) with SIGKILL"
}

cluster_kill() {
  local port
  for port in $(cluster_ports); do pid_alive "$(node_pidfile "$port")" && kill_node "$port"; done
  return 0
}

# REDIS_MODE (server | cluster) overrides the marker: `down` stops each kind it finds.
if [ "${REDIS_MODE:-$([ -f "$CLUSTER_MARKER" ] && echo cluster || echo server)}" = cluster ]; then
  case "${1:-}" in
    start) cluster_start ;;
    stop) cluster_stop ;;
    kill) cluster_kill ;;
    kill-node) [[ "${2:-}" =~ ^[0-9]+$ ]] || die "usage: scripts/stack/redis.sh kill-node PORT"; kill_node "$2" ;;
    status)
      if cluster_ok; then echo "redis cluster running on ports $(cluster_ports | paste -sd, -)"; exit 0; fi
      echo "redis cluster not running (or not cluster_state:ok)"; exit 3 ;;
    *) die "usage: scripts/stack/redis.sh start | stop | kill | kill-node PORT | status" ;;
  esac
  exit 0
fi

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  kill) cmd_kill ;;
  status)
    if answers; then echo "redis running on 127.0.0.1:$REDIS_PORT"; exit 0; fi
    echo "redis not running"; exit 3 ;;
  *) die "usage: scripts/stack/redis.sh start | stop | kill | status" ;;
esac
