#!/usr/bin/env bash
# One of the shop's Node apps, compiled from this checkout (dist/), run as a daemon.
#
#   scripts/stack/app.sh start NAME   start dist/apps/NAME/src/main.js unless it runs already
#   scripts/stack/app.sh stop NAME    TERM it and wait until it exited (KILL after 20 s)
#
# NAME is one of ALL_APPS in common.sh; its port is port_of NAME, its pid in
# .stack/pids/NAME.pid, its output appended to .stack/logs/NAME.log. NAME-2 (cluster mode) is a
# second process of NAME: the same build, told its own port through NAME's port variable.
# start-stop-daemon --background forks it into a session of its own with stdin from /dev/null and
# every other inherited descriptor closed: closing the shell that ran `npm run up` stops nothing,
# and a lock held around `up` (flock) is not kept by the app. The environment (ports from
# common.sh, .env) is passed on.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

cmd_start() {
  local app=$1 port pidfile main
  port=$(port_of "$app")
  pidfile=$(pidfile_of "$app")
  local build=${app%-2}
  main="$REPO_ROOT/dist/apps/$build/src/main.js"
  if pid_alive "$pidfile"; then
    say "$app already running (pid $(cat "$pidfile"), port $port)"
    return 0
  fi
  if port_open "$port"; then
    die "port $port is taken by a process this checkout did not start; stop it (or its own 'npm run down') first"
  fi
  [ -f "$main" ] || die "${main#"$REPO_ROOT"/} is missing: the build did not produce $app"
  # A pidfile whose process is gone: start-stop-daemon would take a reused pid for the app.
  rm -f "$pidfile"
  # env execs node: the recorded pid is the app's. NODE_APP_OPTIONS: see common.sh.
  start-stop-daemon --start --quiet --background --make-pidfile --pidfile "$pidfile" \
    --chdir "$REPO_ROOT" --output "$LOG_DIR/$app.log" \
    --startas "$(command -v env)" -- "$(port_variable_of "$build")=$port" \
    "NODE_OPTIONS=$NODE_APP_OPTIONS ${NODE_OPTIONS:-}" "$(command -v node)" "$main"
  say "started $app (pid $(cat "$pidfile"), port $port, log .stack/logs/$app.log)"
}

cmd_stop() {
  stop_pidfile "$(pidfile_of "$1")" "$1"
}

# port_variable_of BUILD: the variable an app reads its port from (stock-api: STOCK_API_PORT).
port_variable_of() {
  local name=${1^^}
  echo "${name//-/_}_PORT"
}

known_app() {
  local app
  for app in "${ALL_APPS[@]}"; do [ "$app" = "$1" ] && return 0; done
  die "unknown app '$1' (one of: ${ALL_APPS[*]})"
}

case "${1:-}" in
  start) known_app "${2:-}"; cmd_start "$2" ;;
  stop) known_app "${2:-}"; cmd_stop "$2" ;;
  *) die "usage: scripts/stack/app.sh start|stop NAME" ;;
esac
