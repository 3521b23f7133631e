#!/usr/bin/env bash
# The whole stack from one command, without Docker.
#
#   scripts/stack.sh up [--detach] [--cluster]
#                                    start what is not running (services, Elasticsearch, apps,
#                                    Varnish), migrate and seed; without --detach it stays in the
#                                    foreground and Ctrl-C stops what this invocation started;
#                                    --cluster: three Elasticsearch nodes (9200-9202) instead of
#                                    one, and the apps use all three; a second catalog-api,
#                                    stock-api (behind a Varnish round-robin director each) and
#                                    sync-worker (3021-3023)
#   scripts/stack.sh down            stop every process this checkout recorded (by PID)
#   scripts/stack.sh status [--json] what runs, and who started it (--json: one document with
#                                    each app's and service's URL, pid and health, for scripts)
#
# Safe to run twice: anything already running is reported and left alone.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/stack/common.sh"
cd "$REPO_ROOT"

STARTED=() # what this invocation started, for Ctrl-C

ensure_npm_packages() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm packages (npm ci)"
    npm ci --no-audit --no-fund
  fi
}

# --- the machine's services: started only when they do not answer -------------------------
ensure_mariadb() {
  if mariadb-admin -h 127.0.0.1 -uroot ping >/dev/null 2>&1 || mysqladmin -h 127.0.0.1 -uroot ping >/dev/null 2>&1; then
    return 0
  fi
  [ -x /usr/sbin/mariadbd ] || die "MySQL/MariaDB does not answer on 127.0.0.1:3306 and /usr/sbin/mariadbd is not installed"
  say "starting MariaDB"
  start-stop-daemon --start --oknodo --background --make-pidfile --pidfile "$(pidfile_of mariadb)" --exec /usr/sbin/mariadbd
  STARTED+=(mariadb)
  for _ in $(seq 60); do mariadb-admin -h 127.0.0.1 -uroot ping >/dev/null 2>&1 && return 0; sleep 0.5; done
  die "MariaDB did not start"
}

# The stack's own Redis (AOF): see scripts/stack/redis.sh. The machine's Redis is not used.
# In cluster mode, a Redis Cluster of six nodes instead.
ensure_redis() {
  if [ -f "$CLUSTER_MARKER" ]; then
    redis_cluster_pidfiles_recorded || STARTED+=(redis-cluster)
  else
    pid_alive "$(pidfile_of redis)" || STARTED+=(redis)
  fi
  bash scripts/stack/redis.sh start
}

ensure_rabbitmq() {
  port_open 5672 && return 0
  command -v rabbitmq-server >/dev/null || die "RabbitMQ does not answer on 127.0.0.1:5672 and rabbitmq-server is not installed"
  say "starting RabbitMQ"
  rabbitmq-server -detached
  for _ in $(seq 120); do port_open 5672 && break; sleep 0.5; done
  port_open 5672 || die "RabbitMQ did not start"
  rabbitmqctl status 2>/dev/null | awk '/OS PID/ {print $3}' >"$(pidfile_of rabbitmq)" || true
  STARTED+=(rabbitmq)
}

build_apps() {
  say "building (tsc)"
  npm run --silent build
}

migrate_and_seed() {
  say "migrating and seeding the database"
  # seed migrates first (and seeds only an empty catalog): one pass, not a migrate then another.
  node dist/scripts/db/seed.js
  node dist/scripts/search/ensure-index.js
}

# Closes every descriptor above stderr in the calling (sub)shell, before it execs a long-lived
# process that must not keep them (Elasticsearch's launcher; the apps get the same from
# start-stop-daemon in scripts/stack/app.sh).
close_inherited_fds() {
  local fd
  for fd in "/proc/$BASHPID/fd/"*; do
    fd=${fd##*/}
    if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
  done
}

# The SMTP sink the apps mail to (scripts/stack/smtp-sink.sh); runs from the build, like the apps.
ensure_smtp_sink() {
  pid_alive "$(pidfile_of smtp-sink)" || STARTED+=(smtp-sink)
  bash scripts/stack/smtp-sink.sh start
}

start_app() {
  pid_alive "$(pidfile_of "$1")" || STARTED+=("$1")
  bash scripts/stack/app.sh start "$1"
}

wait_apps_healthy() {
  local app
  for app in "${APPS[@]}"; do
    if ! wait_http "http://127.0.0.1:$(port_of "$app")/health" 90 "$app"; then
      tail -n 30 "$LOG_DIR/$app.log" >&2 || true
      die "$app is not healthy"
    fi
  done
}

apps_all_running() {
  local app
  for app in "${APPS[@]}"; do pid_alive "$(pidfile_of "$app")" || return 1; done
}

# What the apps are built from: a changed file (git pull, an edit) means the running apps are not
# this checkout's code any more.
APPS_FINGERPRINT="$STACK_DIR/apps.fingerprint"
source_fingerprint() {
  {
    find apps libs scripts -type f -print0 | sort -z | xargs -0 sha1sum
    sha1sum package-lock.json tsconfig.json tsconfig.build.json tsconfig.assets.json
  } | sha1sum | cut -d' ' -f1
}

apps_any_running() {
  local app
  for app in "${ALL_APPS[@]}"; do pid_alive "$(pidfile_of "$app")" && return 0; done
  return 1
}

restart_running_apps() {
  local app
  for app in "${ALL_APPS[@]}"; do
    if pid_alive "$(pidfile_of "$app")"; then bash scripts/stack/app.sh stop "$app"; fi
  done
}

print_where_to_look() {
  cat <<TXT

  Shop is up.
    Storefront (through Varnish)  http://127.0.0.1:$VARNISH_PORT/
    Catalog API                   http://127.0.0.1:$VARNISH_PORT/products   (docs: http://127.0.0.1:$CATALOG_API_PORT/docs)
    Stock API                     http://127.0.0.1:$VARNISH_PORT/products/1/stock
    Sync worker metrics           http://127.0.0.1:$SYNC_WORKER_PORT/metrics
    Live stock (WebSocket)        ws://127.0.0.1:$VARNISH_PORT/live
    Emails sent (SMTP sink)       http://127.0.0.1:$SMTP_SINK_HTTP_PORT/messages   (SMTP_URL=$SMTP_URL)
    Elasticsearch                 http://127.0.0.1:9200/_cluster/health   (nodes: ${ELASTICSEARCH_URL:-http://127.0.0.1:9200})
    Admin token                   ${ADMIN_TOKEN:-dev-admin-token}
    Logs                          .stack/logs/
  Stop with: npm run down

TXT
}

stop_started_by_this_run() {
  trap - INT TERM
  local i
  for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do stop_component "${STARTED[i]}"; done
  exit 0
}

# choose_mode CLUSTER: cluster mode (true) or a single Elasticsearch node (false) for this `up`;
# refuses to switch while Elasticsearch or an app of this checkout still runs in the other mode
# (the apps would keep the other mode's ELASTICSEARCH_URL).
choose_mode() {
  local running=false
  [ -f "$CLUSTER_MARKER" ] && running=true
  if [ "$running" != "$1" ] && es_and_apps_running; then
    if [ "$running" = true ]; then
      die "this checkout's stack runs in cluster mode (three Elasticsearch nodes): stop it with npm run down first, then npm run up"
    fi
    die "this checkout's stack runs with a single Elasticsearch node: stop it with npm run down first, then npm run up -- --cluster"
  fi
  set_cluster_mode "$1"
}

cmd_up() {
  local detach=false cluster=false arg es_args=()
  for arg in "$@"; do
    case $arg in
      --detach) detach=true ;;
      --cluster) cluster=true; es_args=(--cluster) ;;
      *) die "unknown option '$arg' (up [--detach] [--cluster])" ;;
    esac
  done
  choose_mode "$cluster"
  ensure_npm_packages
  ensure_mariadb
  ensure_redis
  ensure_rabbitmq
  es_alive || STARTED+=(elasticsearch)
  # In a session of its own, like the apps: the node outlives the shell that ran `up`.
  (close_inherited_fds && exec setsid --wait bash scripts/stack/elasticsearch.sh start "${es_args[@]}" </dev/null)
  local fingerprint
  fingerprint=$(source_fingerprint)
  if apps_all_running && [ "$(cat "$APPS_FINGERPRINT" 2>/dev/null)" = "$fingerprint" ]; then
    say "all apps already running this checkout's code; nothing to build"
  else
    build_apps
    migrate_and_seed
    if [ "$(cat "$APPS_FINGERPRINT" 2>/dev/null)" != "$fingerprint" ] && apps_any_running; then
      say "the sources changed since the running apps were built: restarting them"
      restart_running_apps
    fi
    if [ "$(cat "$APPS_FINGERPRINT" 2>/dev/null)" != "$fingerprint" ] && pid_alive "$(pidfile_of smtp-sink)"; then
      bash scripts/stack/smtp-sink.sh stop
    fi
    local app
    for app in "${APPS[@]}"; do start_app "$app"; done
    echo "$fingerprint" >"$APPS_FINGERPRINT"
  fi
  ensure_smtp_sink
  wait_apps_healthy
  pid_alive "$(pidfile_of varnish)" || STARTED+=(varnish)
  bash scripts/stack/varnish.sh start
  wait_http "http://127.0.0.1:$VARNISH_PORT/health" 30 varnish || die "Varnish does not answer"
  print_where_to_look
  if [ "$detach" = false ] && [ -t 0 ] && [ ${#STARTED[@]} -gt 0 ]; then
    say "running in the foreground; Ctrl-C stops what this command started (${STARTED[*]})"
    trap stop_started_by_this_run INT TERM
    while true; do sleep 3600 & wait $!; done
  fi
}

cmd_down() {
  local any=false name
  for name in "${STOP_ORDER[@]}" rabbitmq mariadb; do
    if [ -f "$(pidfile_of "$name")" ] || { [ "$name" = elasticsearch ] && es_pidfiles_recorded; } ||
      { [ "$name" = redis-cluster ] && redis_cluster_pidfiles_recorded; }; then
      any=true
      stop_component "$name"
    fi
  done
  rm -f "$CLUSTER_MARKER"
  [ "$any" = true ] || say "nothing of this checkout is running"
}

# status_health NAME: up | down (answers, but not healthy) | unreachable.
status_health() {
  local code
  case $1 in
    mariadb) mariadb-admin -h 127.0.0.1 -uroot ping >/dev/null 2>&1 && echo up || echo unreachable ;;
    redis)
      if [ -f "$CLUSTER_MARKER" ]; then
        bash scripts/stack/redis.sh status >/dev/null 2>&1 && echo up || echo unreachable
      else
        redis-cli -u "${REDIS_URL:-redis://127.0.0.1:6380}" ping >/dev/null 2>&1 && echo up || echo unreachable
      fi ;;
    rabbitmq) port_open 5672 && echo up || echo unreachable ;;
    *)
      code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$(status_url "$1")$(status_health_path "$1")" 2>/dev/null) || true
      case $code in 2??) echo up ;; 000 | '') echo unreachable ;; *) echo down ;; esac ;;
  esac
}
status_url() {
  case $1 in
    elasticsearch) first_elasticsearch_url ;;
    elasticsearch-*) echo "http://127.0.0.1:$((${ES_HTTP_PORT:-9200} + ${1#elasticsearch-} - 1))" ;;
    varnish) echo "http://127.0.0.1:$VARNISH_PORT" ;;
    smtp-sink) echo "http://127.0.0.1:$SMTP_SINK_HTTP_PORT" ;;
    mariadb) echo "mysql://127.0.0.1:3306" ;;
    redis) echo "${REDIS_URL:-redis://127.0.0.1:6380}" ;;
    rabbitmq) echo "amqp://127.0.0.1:5672" ;;
    *) echo "http://127.0.0.1:$(port_of "$1")" ;;
  esac
}
# ELASTICSEARCH_URL may list several nodes (comma-separated): the first, spaces trimmed.
first_elasticsearch_url() {
  local url=${ELASTICSEARCH_URL:-http://127.0.0.1:9200}
  url=${url%%,*}
  echo "${url//[[:space:]]/}"
}
status_health_path() {
  case $1 in elasticsearch*) echo /_cluster/health ;; *) echo /health ;; esac
}

# es_names: what `status` lists for Elasticsearch: its nodes in cluster mode, else the one node.
es_names() {
  local n
  if [ -f "$CLUSTER_MARKER" ]; then
    for ((n = 1; n <= ES_CLUSTER_NODES; n++)); do echo "elasticsearch-$n"; done
  else
    echo elasticsearch
  fi
}

# One JSON document: {"checkout", "apps": [...], "services": [...]}, each entry with name, url,
# pid (null when this checkout did not start it), startedByCheckout, health and (apps) log.
cmd_status_json() {
  local name pid url first=true
  printf '{"checkout":"%s","apps":[' "$REPO_ROOT"
  for name in "${APPS[@]}"; do
    pid=null
    pid_alive "$(pidfile_of "$name")" && pid=$(cat "$(pidfile_of "$name")")
    [ "$first" = true ] || printf ','
    first=false
    printf '{"name":"%s","url":"%s","pid":%s,"startedByCheckout":%s,"health":"%s","log":"%s"}' \
      "$name" "$(status_url "$name")" "$pid" "$([ "$pid" = null ] && echo false || echo true)" \
      "$(status_health "$name")" "$LOG_DIR/$name.log"
  done
  printf '],"services":['
  first=true
  for name in $(es_names) varnish smtp-sink mariadb redis rabbitmq; do
    pid=null
    pid_alive "$(pidfile_of "$name")" && pid=$(cat "$(pidfile_of "$name")")
    url=$(status_url "$name")
    # Credentials in a URL stay out of the output.
    url=${url/\/\/*@/\/\/}
    [ "$first" = true ] || printf ','
    first=false
    printf '{"name":"%s","url":"%s","pid":%s,"startedByCheckout":%s,"health":"%s"}' \
      "$name" "$url" "$pid" "$([ "$pid" = null ] && echo false || echo true)" "$(status_health "$name")"
  done
  printf ']}\n'
}

cmd_status() {
  if [ "${1:-}" = "--json" ]; then cmd_status_json; return; fi
  local name
  for name in $(es_names) "${APPS[@]}" varnish smtp-sink mariadb redis rabbitmq; do
    if pid_alive "$(pidfile_of "$name")"; then
      say "$name: running (pid $(cat "$(pidfile_of "$name")"), started by this checkout)"
    elif [ "$name" = mariadb ] || [ "$name" = rabbitmq ]; then
      say "$name: not started by this checkout (the machine's own service is used)"
    else
      say "$name: not running from this checkout"
    fi
  done
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  down) cmd_down ;;
  status) shift; cmd_status "$@" ;;
  *) die "usage: scripts/stack.sh up [--detach] [--cluster] | down | status [--json]" ;;
esac
