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
# Data (AOF) under $RUNTIME_DIR/redis, outside the checkout; PID in .stack/pids/redis.pid.
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
    --dir "$REDIS_DATA" --appendonly yes --appendfsync "$REDIS_APPENDFSYNC" --save "" \
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

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  kill) cmd_kill ;;
  status)
    if answers; then echo "redis running on 127.0.0.1:$REDIS_PORT"; exit 0; fi
    echo "redis not running"; exit 3 ;;
  *) die "usage: scripts/stack/redis.sh start | stop | kill | status" ;;
esac
