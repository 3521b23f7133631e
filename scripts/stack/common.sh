# Shared by the stack scripts. Source it; it defines paths and small process helpers.
#
# Two places hold state:
#   STACK_DIR   (<checkout>/.stack, git-ignored): PIDs of what THIS checkout started, and logs.
#               `down` stops exactly these PIDs and nothing else.
#   RUNTIME_DIR (outside the checkout): Elasticsearch's home and data, and the VCL varnishd
#               loads. Those run as other users (Elasticsearch refuses root; varnishd drops to
#               varnish/vcache), who may not be able to enter the checkout (/root is 0700).

REPO_ROOT="${REPO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
STACK_DIR="${STACK_DIR:-$REPO_ROOT/.stack}"
PID_DIR="$STACK_DIR/pids"
LOG_DIR="$STACK_DIR/logs"
RUNTIME_DIR="${SHOP_RUNTIME_DIR:-/var/tmp/beyond-lamp-shop}"
mkdir -p "$PID_DIR" "$LOG_DIR"

say()  { printf '\033[1;34m[stack]\033[0m %s\n' "$*"; }
warn() { printf '\033[1;33m[stack]\033[0m %s\n' "$*" >&2; }
die()  { printf '\033[1;31m[stack]\033[0m %s\n' "$*" >&2; exit 1; }

# pid_alive PIDFILE: true when the file names a live process.
pid_alive() {
  local file=$1 pid
  [ -f "$file" ] || return 1
  pid=$(cat "$file" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# port_open PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_http URL SECONDS [LABEL]: waits until URL answers 2xx.
wait_http() {
  local url=$1 seconds=$2 label=${3:-$1} i
  for ((i = 0; i < seconds * 2; i++)); do
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
    sleep 0.5
  done
  warn "$label did not answer $url within ${seconds}s"
  return 1
}

# stop_pidfile PIDFILE LABEL: TERM, wait up to 20 s, then KILL; removes the file.
stop_pidfile() {
  local file=$1 label=$2 pid i
  if ! pid_alive "$file"; then rm -f "$file"; return 0; fi
  pid=$(cat "$file")
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 40; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    warn "$label (pid $pid) ignored TERM; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
  say "stopped $label (pid $pid)"
}
