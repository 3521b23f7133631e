# shellcheck shell=bash disable=SC2034 # its variables are used by the scripts that source it
# Shared by the stack scripts. Source it; it defines paths, the configuration (.env), the map of
# what listens where, and small process helpers.
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

# Load .env (if any) so the scripts, the tests and the apps see the same configuration.
if [ -f "$REPO_ROOT/.env" ]; then
  set -a
  # shellcheck source=/dev/null # the developer's own file, not in the repository
  source "$REPO_ROOT/.env"
  set +a
fi

# What listens where, for every script that starts, stops or checks the stack: the apps (started
# by scripts/stack/app.sh) and Varnish. Each NAME's pid is in $PID_DIR/NAME.pid.
SINGLE_APPS=(catalog-api stock-api sync-worker storefront live)
# Cluster mode adds a second process of each stateless API and of the worker: NAME-2, the same
# build on a port of its own (*_2_PORT). Varnish balances the APIs' two processes round-robin;
# the two workers compete on every queue.
SECOND_APPS=(catalog-api-2 stock-api-2 sync-worker-2)
APPS=("${SINGLE_APPS[@]}")
# Every app name `down` and the test runs may have to stop, whatever the mode.
ALL_APPS=("${SINGLE_APPS[@]}" "${SECOND_APPS[@]}")
# What this checkout starts, in the order it is stopped: the front door first, then the apps
# (second processes before first), then the services they use. `down` also stops the machine's
# services when this checkout started them (rabbitmq, mariadb).
STOP_ORDER=(varnish "${SECOND_APPS[@]}" live storefront sync-worker stock-api catalog-api smtp-sink elasticsearch redis redis-cluster)
# Every app process runs with these V8 flags (the Dockerfile sets the same). A young generation
# of 64 MB instead of 16 MB: a request allocates short-lived objects (parsed bodies, replies, log
# lines) that a small young generation collects over and over; measured on the stock PUT, about
# a fifth less CPU per request at the cost of up to 100 MB more memory per process.
NODE_APP_OPTIONS="--max-semi-space-size=64"
STOREFRONT_PORT=${STOREFRONT_PORT:-3000}
CATALOG_API_PORT=${CATALOG_API_PORT:-3001}
STOCK_API_PORT=${STOCK_API_PORT:-3002}
SYNC_WORKER_PORT=${SYNC_WORKER_PORT:-3003}
LIVE_PORT=${LIVE_PORT:-3004}
CATALOG_API_2_PORT=${CATALOG_API_2_PORT:-3021}
STOCK_API_2_PORT=${STOCK_API_2_PORT:-3022}
SYNC_WORKER_2_PORT=${SYNC_WORKER_2_PORT:-3023}
VARNISH_PORT=${VARNISH_PORT:-8080}
# The SMTP sink (scripts/stack/smtp-sink.sh): SMTP, and HTTP to read what it received. The apps
# send to SMTP_URL, which is the sink unless .env points it at a real server.
SMTP_SINK_PORT=${SMTP_SINK_PORT:-2525}
SMTP_SINK_HTTP_PORT=${SMTP_SINK_HTTP_PORT:-3005}
SMTP_URL=${SMTP_URL:-smtp://127.0.0.1:$SMTP_SINK_PORT}
export STOREFRONT_PORT CATALOG_API_PORT STOCK_API_PORT SYNC_WORKER_PORT LIVE_PORT VARNISH_PORT
export SMTP_SINK_PORT SMTP_SINK_HTTP_PORT SMTP_URL

# Cluster mode (`npm run up -- --cluster`): while CLUSTER_MARKER exists the stack runs
# ES_CLUSTER_NODES Elasticsearch nodes on consecutive HTTP ports from ES_HTTP_PORT
# (scripts/stack/elasticsearch.sh), and the apps, scripts and tests started from here are given
# all of them; and it runs SECOND_APPS too, which Varnish's VCL is rendered for.
CLUSTER_MARKER="$STACK_DIR/cluster"
ES_CLUSTER_NODES=3
# ... and a Redis Cluster (scripts/stack/redis.sh) instead of the one Redis server.
REDIS_CLUSTER_NODES=6
REDIS_CLUSTER_PORT=${REDIS_CLUSTER_PORT:-7001}
# local_nodes COUNT FIRST_PORT SCHEME: COUNT nodes on consecutive ports of this machine,
# comma-separated, each written SCHEME127.0.0.1:PORT.
local_nodes() {
  local n nodes=''
  for ((n = 0; n < $1; n++)); do nodes+="${nodes:+,}${3}127.0.0.1:$(($2 + n))"; done
  echo "$nodes"
}
# redis_cluster_url: REDIS_URL's cluster form, every node a seed.
redis_cluster_url() { echo "redis+cluster://$(local_nodes "$REDIS_CLUSTER_NODES" "$REDIS_CLUSTER_PORT" '')"; }
# cluster_urls: the nodes' URLs, comma-separated (ELASTICSEARCH_URL's list form).
cluster_urls() { local_nodes "$ES_CLUSTER_NODES" "${ES_HTTP_PORT:-9200}" http://; }
ELASTICSEARCH_URL_CONFIGURED=${ELASTICSEARCH_URL-}
REDIS_URL_CONFIGURED=${REDIS_URL-}
STOCK_SHARDS_CONFIGURED=${STOCK_SHARDS-}
# Six shards on three masters: two each (the shards' hash tags sit in equal runs of slots).
CLUSTER_STOCK_SHARDS=6
# set_cluster_mode true|false: records the mode (the marker) and sets for it ELASTICSEARCH_URL and
# REDIS_URL (every node in cluster mode, else what .env or the environment said; the apps'
# default if nothing), STOCK_SHARDS (CLUSTER_STOCK_SHARDS in cluster mode, so the stock writes
# spread over the three masters) and APPS.
set_cluster_mode() {
  if [ "$1" = true ]; then
    touch "$CLUSTER_MARKER"
    ELASTICSEARCH_URL=$(cluster_urls)
    REDIS_URL=$(redis_cluster_url)
    STOCK_SHARDS=$CLUSTER_STOCK_SHARDS
    export ELASTICSEARCH_URL REDIS_URL STOCK_SHARDS
    APPS=("${SINGLE_APPS[@]}" "${SECOND_APPS[@]}")
  else
    rm -f "$CLUSTER_MARKER"
    if [ -n "$ELASTICSEARCH_URL_CONFIGURED" ]; then
      export ELASTICSEARCH_URL=$ELASTICSEARCH_URL_CONFIGURED
    else
      unset ELASTICSEARCH_URL
    fi
    if [ -n "$REDIS_URL_CONFIGURED" ]; then
      export REDIS_URL=$REDIS_URL_CONFIGURED
    else
      unset REDIS_URL
    fi
    if [ -n "$STOCK_SHARDS_CONFIGURED" ]; then
      export STOCK_SHARDS=$STOCK_SHARDS_CONFIGURED
    else
      unset STOCK_SHARDS
    fi
    APPS=("${SINGLE_APPS[@]}")
  fi
}
if [ -f "$CLUSTER_MARKER" ]; then set_cluster_mode true; fi

# port_of NAME: the port an app or Varnish listens on.
port_of() {
  case $1 in
    storefront) echo "$STOREFRONT_PORT" ;;
    catalog-api) echo "$CATALOG_API_PORT" ;;
    stock-api) echo "$STOCK_API_PORT" ;;
    sync-worker) echo "$SYNC_WORKER_PORT" ;;
    live) echo "$LIVE_PORT" ;;
    catalog-api-2) echo "$CATALOG_API_2_PORT" ;;
    stock-api-2) echo "$STOCK_API_2_PORT" ;;
    sync-worker-2) echo "$SYNC_WORKER_2_PORT" ;;
    varnish) echo "$VARNISH_PORT" ;;
    smtp-sink) echo "$SMTP_SINK_PORT" ;;
    *) die "no port known for '$1'" ;;
  esac
}

# pidfile_of NAME: where the pid of what this checkout started as NAME is recorded.
pidfile_of() { echo "$PID_DIR/$1.pid"; }

say()  { printf '\033[1;34m[stack]\033[0m %s\n' "$*"; }
warn() { printf '\033[1;33m[stack]\033[0m %s\n' "$*" >&2; }
die()  { printf '\033[1;31m[stack]\033[0m %s\n' "$*" >&2; exit 1; }

# Debian packages a step needs: installed when missing (as root), like a CI image would have them.
#   ensure_debian_package COMMAND PACKAGE WHY
ensure_debian_package() {
  command -v "$1" >/dev/null 2>&1 && return 0
  say "installing Debian's $2 for $3"
  [ "$(id -u)" = 0 ] || die "$2 is missing and installing it needs root: apt-get install $2"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

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

# stop_pidfile PIDFILE LABEL: TERM and wait until it exited; KILL after 20 s; removes the file.
stop_pidfile() {
  local file=$1 label=$2 pid status=0
  if ! pid_alive "$file"; then rm -f "$file"; return 0; fi
  pid=$(cat "$file")
  # Exit status 2: still running at the end of the schedule.
  start-stop-daemon --stop --quiet --oknodo --pidfile "$file" --retry TERM/20 || status=$?
  if [ "$status" -eq 2 ]; then
    warn "$label (pid $pid) ignored TERM; killing it"
    start-stop-daemon --stop --quiet --oknodo --pidfile "$file" --signal KILL --retry 5 || true
  fi
  rm -f "$file"
  say "stopped $label (pid $pid)"
}

# es_pidfiles_recorded: true when this checkout recorded an Elasticsearch node (single or cluster).
es_pidfiles_recorded() { compgen -G "$PID_DIR/elasticsearch*.pid" >/dev/null; }

# redis_cluster_pidfiles_recorded: true when this checkout recorded a Redis Cluster node.
redis_cluster_pidfiles_recorded() { compgen -G "$PID_DIR/redis-cluster-*.pid" >/dev/null; }

# es_alive: true when an Elasticsearch node of this checkout (single or cluster) is alive.
es_alive() {
  local file
  for file in "$PID_DIR"/elasticsearch*.pid; do pid_alive "$file" && return 0; done
  return 1
}

# es_and_apps_running: true when an Elasticsearch node or an app of this checkout is alive (what
# the cluster marker describes).
es_and_apps_running() {
  local app
  es_alive && return 0
  for app in "${ALL_APPS[@]}"; do pid_alive "$(pidfile_of "$app")" && return 0; done
  return 1
}

# recorded_pidfiles: the names of this checkout's pidfiles now, one a line, for
# stop_started_since.
recorded_pidfiles() { find "$PID_DIR" -maxdepth 1 -name '*.pid' -printf '%f\n' 2>/dev/null | sort || true; }

# stop_started_since BEFORE: stops what runs now but was not recorded in BEFORE (the output of
# recorded_pidfiles when a test run began), so a stack the developer started is left alone.
stop_started_since() {
  local before=$1 name
  for name in "${STOP_ORDER[@]}"; do
    if [ "$name" = elasticsearch ]; then
      # All nodes together: a node a failure test killed has no pidfile, its siblings do.
      if es_pidfiles_recorded && ! grep -q '^elasticsearch' <<<"$before"; then stop_component elasticsearch; fi
    elif [ "$name" = redis-cluster ]; then
      # All nodes together too: the failover test kills one.
      if redis_cluster_pidfiles_recorded && ! grep -q '^redis-cluster' <<<"$before"; then stop_component redis-cluster; fi
    elif [ -f "$(pidfile_of "$name")" ] && ! grep -qx "$name.pid" <<<"$before"; then
      stop_component "$name"
    fi
  done
  es_and_apps_running || rm -f "$CLUSTER_MARKER"
}

# stop_component NAME: stops what this checkout started as NAME (an app, a service, Varnish).
stop_component() {
  case $1 in
    elasticsearch) bash "$REPO_ROOT/scripts/stack/elasticsearch.sh" stop ;;
    varnish) bash "$REPO_ROOT/scripts/stack/varnish.sh" stop ;;
    redis) REDIS_MODE=server bash "$REPO_ROOT/scripts/stack/redis.sh" stop ;;
    redis-cluster) REDIS_MODE=cluster bash "$REPO_ROOT/scripts/stack/redis.sh" stop ;;
    smtp-sink) bash "$REPO_ROOT/scripts/stack/smtp-sink.sh" stop ;;
    rabbitmq)
      if pid_alive "$(pidfile_of rabbitmq)"; then rabbitmqctl stop >/dev/null 2>&1 || true; fi
      stop_pidfile "$(pidfile_of rabbitmq)" rabbitmq ;;
    *) stop_pidfile "$(pidfile_of "$1")" "$1" ;;
  esac
}
