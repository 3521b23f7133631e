#!/usr/bin/env bash
# The native stack's SMTP sink (scripts/stack/smtp-sink.ts, compiled to dist/): a local SMTP
# server that accepts every email the shop sends and keeps it in memory for tests and developers.
#
#   scripts/stack/smtp-sink.sh start    start it unless it runs (needs the build: npm run up does it)
#   scripts/stack/smtp-sink.sh stop     TERM it and wait until it exited
#   scripts/stack/smtp-sink.sh status   running or not (exit 0 running, 3 not running)
#
# SMTP on SMTP_SINK_PORT (2525; SMTP_URL points there unless .env says otherwise), the messages on
# http://127.0.0.1:SMTP_SINK_HTTP_PORT/messages (3005). PID in .stack/pids/smtp-sink.pid, output in
# .stack/logs/smtp-sink.log. Daemonised like the apps (see scripts/stack/app.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PIDFILE=$(pidfile_of smtp-sink)
MAIN="$REPO_ROOT/dist/scripts/stack/smtp-sink.js"
HEALTH="http://127.0.0.1:$SMTP_SINK_HTTP_PORT/health"

cmd_start() {
  if pid_alive "$PIDFILE"; then
    say "smtp-sink already running (pid $(cat "$PIDFILE"), SMTP $SMTP_SINK_PORT, HTTP $SMTP_SINK_HTTP_PORT)"
    return 0
  fi
  local port
  for port in "$SMTP_SINK_PORT" "$SMTP_SINK_HTTP_PORT"; do
    if port_open "$port"; then
      die "port $port is taken by a process this checkout did not start; stop it (or its own 'npm run down') first"
    fi
  done
  [ -f "$MAIN" ] || die "${MAIN#"$REPO_ROOT"/} is missing: build first (npm run build)"
  rm -f "$PIDFILE"
  start-stop-daemon --start --quiet --background --make-pidfile --pidfile "$PIDFILE" \
    --chdir "$REPO_ROOT" --output "$LOG_DIR/smtp-sink.log" \
    --startas "$(command -v node)" -- "$MAIN"
  if ! wait_http "$HEALTH" 30 smtp-sink; then
    tail -n 20 "$LOG_DIR/smtp-sink.log" >&2 || true
    die "smtp-sink did not start"
  fi
  say "started smtp-sink (pid $(cat "$PIDFILE"), SMTP $SMTP_SINK_PORT, messages at http://127.0.0.1:$SMTP_SINK_HTTP_PORT/messages)"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) stop_pidfile "$PIDFILE" smtp-sink ;;
  status)
    if pid_alive "$PIDFILE"; then echo "smtp-sink running (pid $(cat "$PIDFILE"))"; exit 0; fi
    echo "smtp-sink not running"; exit 3 ;;
  *) die "usage: scripts/stack/smtp-sink.sh start | stop | status" ;;
esac
