#!/usr/bin/env bash
# Elasticsearch 8, native (no Docker), for this checkout.
#
#   scripts/stack/elasticsearch.sh provision   download, unpack, configure, build + install our
#                                              analysis plugin; idempotent, safe while running
#   scripts/stack/elasticsearch.sh start       provision and start it, wait until yellow/green
#   scripts/stack/elasticsearch.sh start --cluster
#                                              three nodes instead of one (see "Cluster mode")
#   scripts/stack/elasticsearch.sh stop        stop exactly the node(s) this checkout started
#   scripts/stack/elasticsearch.sh status      running or not (exit 0 running, 3 not running)
#   scripts/stack/elasticsearch.sh start-node N | kill-node N
#                                              cluster mode, for failure tests: start node N
#                                              (1-3) and wait until it rejoined; SIGKILL node N
#
# Cluster mode: three nodes from the same home (so the one installed plugin serves all), each
# with its own config folder (a copy of the home's, ES_PATH_CONF), HTTP port 9200-9202, transport
# port 9300-9302, data and logs under $RUNTIME_DIR/es-cluster/node-N (never the single node's
# es-data: switching modes mixes no state), heap 512m each. scripts/stack.sh writes
# .stack/cluster while the stack runs in this mode; common.sh then points the apps at all three.
#
# Maven Central's only 8.x server is the stripped integ-test-zip: no bundled JDK (we pass the
# machine's JDK 17 as ES_JAVA_HOME), no analysis-common (our plugin in elasticsearch/analysis-plugin
# brings back `english`, `edge_ngram`, `asciifolding`), and `GET /` answers 405, so health is
# `_cluster/health`. It refuses to run as root: as root we run it as the system user $ES_USER,
# who owns its home, data and logs under $RUNTIME_DIR (outside the checkout, which that user may
# not be able to enter).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# The Elasticsearch version is named in one place, the image tag in docker-compose.yml: the native
# node and the analysis plugin (built against it) follow it.
ES_VERSION=$(sed -n 's|^ *image: docker\.elastic\.co/elasticsearch/elasticsearch:\([0-9.]*\) *$|\1|p' \
  "$REPO_ROOT/docker-compose.yml")
[[ $ES_VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
  die "no elasticsearch image tag (docker.elastic.co/elasticsearch/elasticsearch:X.Y.Z) in docker-compose.yml"
ES_ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip"
ES_PORT="${ES_HTTP_PORT:-9200}"
ES_URL="http://127.0.0.1:$ES_PORT"
ES_HOME="$RUNTIME_DIR/elasticsearch-$ES_VERSION"
ES_DATA="$RUNTIME_DIR/es-data"
ES_LOGS="$RUNTIME_DIR/es-logs"
ES_TMP="$RUNTIME_DIR/es-tmp"
ES_RUN="$RUNTIME_DIR/es-run"                # the server writes its own pidfile here
ES_PIDFILE=$(pidfile_of elasticsearch)      # what `down` stops
ES_CLI_LOG="$LOG_DIR/elasticsearch.log"     # the launcher's output; the node logs to $ES_LOGS
ES_CLUSTER=beyond-lamp-shop
ES_START_TIMEOUT=120
ES_TRANSPORT_PORT="${ES_TRANSPORT_PORT:-9300}"
ES_CLUSTER_DIR="$RUNTIME_DIR/es-cluster"
ES_CLUSTER_HEAP=512m

PLUGIN_NAME=shop-analysis
PLUGIN_SRC="$REPO_ROOT/elasticsearch/analysis-plugin"
PLUGIN_ZIP="$PLUGIN_SRC/target/$PLUGIN_NAME-1.0.0.zip" # <version> in its pom.xml
PLUGIN_BUILT_FOR="$PLUGIN_SRC/target/elasticsearch.version" # the server version the zip is for
PLUGIN_SUM="$ES_HOME/.$PLUGIN_NAME.sha256" # checksum of the installed zip

if [ "$(id -u)" -eq 0 ]; then
  ES_USER="${SHOP_ES_USER:-shop-es}"
else
  ES_USER="$(id -un)" # not root: Elasticsearch runs as whoever runs this script
fi

# as_es CMD...: runs CMD as the Elasticsearch user, from a folder that user can enter.
as_es() {
  if [ "$(id -u)" -eq 0 ]; then
    (cd "$ES_HOME" 2>/dev/null || cd /; exec runuser -u "$ES_USER" -- "$@")
  else
    (cd "$ES_HOME" 2>/dev/null || cd /; exec "$@")
  fi
}

# es_running [PIDFILE]: true when the recorded pid (default: the single node's) is alive AND is
# our node (its command line names our ES home); a pidfile left by a crash whose pid was reused
# is removed, never acted on.
es_running() {
  local file=${1:-$ES_PIDFILE} pid
  pid_alive "$file" || return 1
  pid=$(cat "$file")
  if tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "-Des.path.home=$ES_HOME"; then
    return 0
  fi
  warn "pid $pid in $file is not our Elasticsearch; forgetting it"
  rm -f "$file"
  return 1
}

# Cluster mode's nodes, 1 to ES_CLUSTER_NODES (common.sh): their ports, pidfiles and folders.
node_http_port() { echo $((ES_PORT + $1 - 1)); }
node_transport_port() { echo $((ES_TRANSPORT_PORT + $1 - 1)); }
node_pidfile() { pidfile_of "elasticsearch-$1"; }
node_dir() { echo "$ES_CLUSTER_DIR/node-$1"; }

# cluster_running: true when any node of cluster mode that this checkout started is alive.
cluster_running() {
  local n
  for ((n = 1; n <= ES_CLUSTER_NODES; n++)); do es_running "$(node_pidfile "$n")" && return 0; done
  return 1
}

health_ok() { curl -fsS -o /dev/null --max-time 2 "$ES_URL/_cluster/health" 2>/dev/null; }

java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p'; }

# The JDK for Elasticsearch: ES_JAVA_HOME if set, else the first JDK 17 among JAVA_HOME, the
# `java` on PATH and /usr/lib/jvm, else any JDK >= 17 found there.
find_java_home() {
  if [ -n "${ES_JAVA_HOME:-}" ]; then
    [ -x "$ES_JAVA_HOME/bin/java" ] || die "ES_JAVA_HOME=$ES_JAVA_HOME has no bin/java"
    echo "$ES_JAVA_HOME"
    return
  fi
  local candidates=() java dir major fallback=''
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if java=$(command -v java 2>/dev/null); then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$java")")")")
  fi
  for dir in /usr/lib/jvm/*; do candidates+=("$dir"); done
  for dir in "${candidates[@]}"; do
    [ -x "$dir/bin/java" ] || continue
    major=$(java_major "$dir")
    if [ "$major" = 17 ]; then echo "$dir"; return; fi
    if [ -z "$fallback" ] && [ -n "$major" ] && [ "$major" -ge 17 ] 2>/dev/null; then fallback=$dir; fi
  done
  [ -n "$fallback" ] || die "no JDK 17 found (set ES_JAVA_HOME)"
  warn "no JDK 17 found; using $fallback (Java $(java_major "$fallback"))"
  echo "$fallback"
}

# write_if_changed FILE: stdin becomes FILE unless FILE already holds exactly that text.
write_if_changed() {
  local file=$1 tmp
  tmp=$(mktemp)
  cat >"$tmp"
  if [ -f "$file" ] && cmp -s "$tmp" "$file"; then
    rm -f "$tmp"
  else
    mv "$tmp" "$file"
    chmod 0644 "$file"
    say "wrote ${file#"$RUNTIME_DIR"/}"
  fi
}

ensure_user() {
  [ "$(id -u)" -eq 0 ] || return 0
  getent passwd "$ES_USER" >/dev/null && return 0
  say "creating system user $ES_USER"
  useradd --system --user-group --no-create-home --home-dir "$RUNTIME_DIR" \
    --shell /usr/sbin/nologin --comment "Elasticsearch for beyond-lamp-shop" "$ES_USER"
}

# Every parent of RUNTIME_DIR must be enterable by the Elasticsearch user.
check_traversable() {
  local dir=$RUNTIME_DIR
  while [ "$dir" != / ]; do
    if ! as_es test -x "$dir"; then
      die "user $ES_USER cannot enter $dir; choose another SHOP_RUNTIME_DIR (default /var/tmp/beyond-lamp-shop)"
    fi
    dir=$(dirname "$dir")
  done
}

ensure_distribution() {
  [ -x "$ES_HOME/bin/elasticsearch" ] && return 0
  local work
  work=$(mktemp -d "$RUNTIME_DIR/.unpack.XXXXXX")
  say "fetching $ES_ARTIFACT with Maven (107 MB on first download)"
  if ! mvn -B -Dstyle.color=never org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="$ES_ARTIFACT" -DoutputDirectory="$work" >"$LOG_DIR/elasticsearch-download.log" 2>&1; then
    rm -rf "$work"
    tail -n 30 "$LOG_DIR/elasticsearch-download.log" >&2
    die "could not download $ES_ARTIFACT (see $LOG_DIR/elasticsearch-download.log)"
  fi
  say "unpacking to $ES_HOME"
  unzip -q "$work/elasticsearch-$ES_VERSION.zip" -d "$work"
  # Move into place only when complete, so an interrupted unpack is never taken for a good one.
  mv "$work/elasticsearch-$ES_VERSION" "$ES_HOME"
  rm -rf "$work"
}

write_config() {
  write_if_changed "$ES_HOME/config/elasticsearch.yml" <<EOF
# Written by scripts/stack/elasticsearch.sh; edits are overwritten at the next provision.
cluster.name: $ES_CLUSTER
node.name: shop-es-1
path.data: $ES_DATA
path.logs: $ES_LOGS
network.host: 127.0.0.1
http.port: $ES_PORT
discovery.type: single-node
xpack.security.enabled: false
# A developer disk that is 90 % full must not turn indices read-only.
cluster.routing.allocation.disk.threshold_enabled: false
EOF
  mkdir -p "$ES_HOME/config/jvm.options.d"
  write_if_changed "$ES_HOME/config/jvm.options.d/heap.options" <<'EOF'
-Xms512m
-Xmx1g
EOF
}

# write_node_config N: cluster mode's node N, configured in a folder of its own (ES_PATH_CONF): a
# copy of the home's (JVM options, logging, security files; the keystore is created per node)
# with its own elasticsearch.yml and heap.
write_node_config() {
  local n=$1 dir conf seeds='' names='' i
  dir=$(node_dir "$n")
  conf="$dir/config"
  mkdir -p "$conf/jvm.options.d" "$dir/data" "$dir/logs" "$dir/tmp" "$dir/run"
  cp "$ES_HOME/config/jvm.options" "$ES_HOME/config/log4j2.properties" "$ES_HOME/config/roles.yml" \
    "$ES_HOME/config/role_mapping.yml" "$ES_HOME/config/users" "$ES_HOME/config/users_roles" "$conf/"
  for ((i = 1; i <= ES_CLUSTER_NODES; i++)); do
    seeds+="${seeds:+, }\"127.0.0.1:$(node_transport_port "$i")\""
    names+="${names:+, }shop-es-$i"
  done
  write_if_changed "$conf/elasticsearch.yml" <<EOF
# Written by scripts/stack/elasticsearch.sh (cluster mode); edits are overwritten at the next start.
cluster.name: $ES_CLUSTER
node.name: shop-es-$n
path.data: $dir/data
path.logs: $dir/logs
network.host: 127.0.0.1
http.port: $(node_http_port "$n")
transport.port: $(node_transport_port "$n")
discovery.seed_hosts: [$seeds]
# Read only when a fresh cluster forms (empty data folders); ignored once it has formed.
cluster.initial_master_nodes: [$names]
xpack.security.enabled: false
cluster.routing.allocation.disk.threshold_enabled: false
EOF
  write_if_changed "$conf/jvm.options.d/heap.options" <<EOF
-Xms$ES_CLUSTER_HEAP
-Xmx$ES_CLUSTER_HEAP
EOF
}

# Builds the plugin and (re)installs it when the built zip differs from the installed one.
ensure_plugin() {
  local java_home=$1 sum
  if [ ! -f "$PLUGIN_ZIP" ] || [ "$(cat "$PLUGIN_BUILT_FOR" 2>/dev/null)" != "$ES_VERSION" ] ||
    [ -n "$(find "$PLUGIN_SRC/pom.xml" "$PLUGIN_SRC/src" -newer "$PLUGIN_ZIP" -print -quit)" ]; then
    say "building the analysis plugin for Elasticsearch $ES_VERSION (mvn -q package)"
    (cd "$PLUGIN_SRC" && JAVA_HOME="$java_home" mvn -q -B -Dstyle.color=never \
      -Delasticsearch.version="$ES_VERSION" package) >"$LOG_DIR/analysis-plugin-build.log" 2>&1 \
      || { tail -n 40 "$LOG_DIR/analysis-plugin-build.log" >&2; die "the analysis plugin did not build"; }
    echo "$ES_VERSION" >"$PLUGIN_BUILT_FOR"
  fi
  sum=$(sha256sum "$PLUGIN_ZIP" | cut -d' ' -f1)
  if [ -d "$ES_HOME/plugins/$PLUGIN_NAME" ] && [ -f "$PLUGIN_SUM" ] && [ "$(cat "$PLUGIN_SUM")" = "$sum" ]; then
    return 0
  fi
  if es_running || cluster_running; then
    warn "the analysis plugin changed but Elasticsearch is running: stop it and provision again"
    return 0
  fi
  # The zip goes where the Elasticsearch user can read it (the checkout may be private).
  install -m 0644 "$PLUGIN_ZIP" "$RUNTIME_DIR/$PLUGIN_NAME.zip"
  if [ -d "$ES_HOME/plugins/$PLUGIN_NAME" ]; then
    as_es env ES_JAVA_HOME="$java_home" "$ES_HOME/bin/elasticsearch-plugin" remove --silent "$PLUGIN_NAME"
  fi
  say "installing the analysis plugin"
  as_es env ES_JAVA_HOME="$java_home" "$ES_HOME/bin/elasticsearch-plugin" install --batch --silent \
    "file://$RUNTIME_DIR/$PLUGIN_NAME.zip"
  echo "$sum" >"$PLUGIN_SUM"
}

provision() {
  local java_home
  mkdir -p "$RUNTIME_DIR"
  [ -w "$RUNTIME_DIR" ] || die "$RUNTIME_DIR is not writable by $(id -un) (provisioned by root? run as root or set SHOP_RUNTIME_DIR)"
  chmod 0755 "$RUNTIME_DIR" 2>/dev/null || true
  # Two provisions at once (up and test in two terminals) must not unpack or install twice.
  exec 9>"$RUNTIME_DIR/.elasticsearch-provision.lock"
  flock 9
  java_home=$(find_java_home)
  ensure_user
  check_traversable
  as_es test -x "$java_home/bin/java" || die "user $ES_USER cannot run $java_home/bin/java"
  ensure_distribution
  mkdir -p "$ES_DATA" "$ES_LOGS" "$ES_TMP" "$ES_RUN"
  write_config
  local n
  if [ "$CLUSTER" = true ]; then
    for ((n = 1; n <= ES_CLUSTER_NODES; n++)); do write_node_config "$n"; done
  fi
  if [ "$(id -u)" -eq 0 ]; then
    chown -R "$ES_USER:" "$ES_HOME" "$ES_DATA" "$ES_LOGS" "$ES_TMP" "$ES_RUN"
    if [ "$CLUSTER" = true ]; then chown -R "$ES_USER:" "$ES_CLUSTER_DIR"; fi
  fi
  ensure_plugin "$java_home"
  if [ "$(id -u)" -eq 0 ]; then chown -R "$ES_USER:" "$ES_HOME"; fi
  exec 9>&- # closed, so the node started next does not inherit (and hold) the lock
}

# print_logs [CLI_LOG LOG_DIR]: the tails of a node's launcher output and own log (default: the
# single node's).
print_logs() {
  local cli_log=${1:-$ES_CLI_LOG} logs=${2:-$ES_LOGS}
  warn "--- $cli_log (tail)"
  tail -n 20 "$cli_log" >&2 2>/dev/null || true
  warn "--- $logs/$ES_CLUSTER.log (tail)"
  tail -n 40 "$logs/$ES_CLUSTER.log" >&2 2>/dev/null || true
}

# elapsed START: seconds since START (an $EPOCHREALTIME value), one decimal.
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# cluster_status URL: the cluster's status (green, yellow, red) as the node at URL reports it.
cluster_status() { curl -fsS --max-time 2 "$1/_cluster/health" | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p'; }

# wait_ready STARTED URL QUERY PIDFILE...: waits until URL's _cluster/health?QUERY answers 200
# (the query's own wait times out within 1 s otherwise); dies when one of the PIDFILEs' nodes
# exited or after ES_START_TIMEOUT.
wait_ready() {
  local started=$1 url=$2 query=$3 i file
  shift 3
  for ((i = 0; i < ES_START_TIMEOUT * 2; i++)); do
    if curl -fsS -o /dev/null --max-time 2 "$url/_cluster/health?$query&timeout=1s" 2>/dev/null; then
      say "Elasticsearch is up on $url ($(cluster_status "$url") after $(elapsed "$started") s)"
      return 0
    fi
    for file in "$@"; do
      es_running "$file" && continue
      print_logs "$(node_cli_log "$file")" "$(node_log_dir "$file")"
      die "Elasticsearch (${file##*/}) exited during start-up"
    done
    sleep 0.5
  done
  for file in "$@"; do print_logs "$(node_cli_log "$file")" "$(node_log_dir "$file")"; done
  die "Elasticsearch did not reach $query within ${ES_START_TIMEOUT}s"
}

# A node's launcher output and log folder, from its pidfile (the single node's or node N's).
node_cli_log() {
  local name=${1##*/}
  echo "$LOG_DIR/${name%.pid}.log"
}
node_log_dir() {
  local n=${1##*/}
  case $n in
    elasticsearch-*.pid) n=${n#elasticsearch-}; echo "$(node_dir "${n%.pid}")/logs" ;;
    *) echo "$ES_LOGS" ;;
  esac
}

# launch PIDFILE CONF TMP RUN: starts one node with ES_PATH_CONF=CONF, TMP as its temporary
# folder and its own pidfile in RUN; returns once the launcher (-d) returned, the pid recorded in
# PIDFILE.
launch() {
  local pidfile=$1 conf=$2 tmp=$3 run=$4 java_home cli_log
  java_home=$(find_java_home)
  cli_log=$(node_cli_log "$pidfile")
  rm -f "$pidfile" "$run/elasticsearch.pid"
  # -d: the launcher returns once the node has started (or failed); -p: the node's own pid.
  if ! as_es env ES_JAVA_HOME="$java_home" ES_TMPDIR="$tmp" ES_PATH_CONF="$conf" \
    "$ES_HOME/bin/elasticsearch" -d -p "$run/elasticsearch.pid" </dev/null >"$cli_log" 2>&1; then
    print_logs "$cli_log" "$(node_log_dir "$pidfile")"
    die "Elasticsearch (${pidfile##*/}) failed to start"
  fi
  for _ in $(seq 20); do [ -s "$run/elasticsearch.pid" ] && break; sleep 0.5; done
  [ -s "$run/elasticsearch.pid" ] || { print_logs "$cli_log" "$(node_log_dir "$pidfile")"; die "Elasticsearch wrote no pidfile"; }
  cp "$run/elasticsearch.pid" "$pidfile"
}

launch_node() {
  local dir
  dir=$(node_dir "$1")
  launch "$(node_pidfile "$1")" "$dir/config" "$dir/tmp" "$dir/run"
}

# The single node and cluster mode never run together from one checkout (they share port 9200).
refuse_other_mode() {
  if [ "$CLUSTER" = true ] && es_running; then
    die "a single Elasticsearch node of this checkout is running: stop it (npm run down) before starting cluster mode"
  fi
  if [ "$CLUSTER" = false ] && cluster_running; then
    die "Elasticsearch runs in cluster mode from this checkout: stop it (npm run down) before starting a single node"
  fi
}

start() {
  local started
  refuse_other_mode
  if [ "$CLUSTER" = true ]; then start_cluster; return; fi
  if health_ok; then
    if es_running; then
      say "Elasticsearch already running (pid $(cat "$ES_PIDFILE"))"
    else
      say "Elasticsearch already answers on $ES_URL but was not started by this checkout; leaving it alone"
    fi
    return 0
  fi
  if es_running; then
    say "Elasticsearch (pid $(cat "$ES_PIDFILE")) is still starting; waiting"
    wait_ready "$EPOCHREALTIME" "$ES_URL" wait_for_status=yellow "$ES_PIDFILE"
    return
  fi
  port_open "$ES_PORT" && die "port $ES_PORT is taken by something that is not Elasticsearch"

  started=$EPOCHREALTIME
  provision
  say "starting Elasticsearch $ES_VERSION as $ES_USER (heap 512m-1g, Java $(java_major "$(find_java_home)"))"
  launch "$ES_PIDFILE" "$ES_HOME/config" "$ES_TMP" "$ES_RUN"
  wait_ready "$started" "$ES_URL" wait_for_status=yellow "$ES_PIDFILE"
}

# start_cluster: starts every node of cluster mode that is not running, all at once (a node's
# launcher waits for the cluster to form), and waits for all of them and yellow or green.
start_cluster() {
  local started=$EPOCHREALTIME n pidfiles=() missing=() pids=() pid
  for ((n = 1; n <= ES_CLUSTER_NODES; n++)); do
    pidfiles+=("$(node_pidfile "$n")")
    es_running "$(node_pidfile "$n")" && continue
    port_open "$(node_http_port "$n")" &&
      die "port $(node_http_port "$n") is taken by an Elasticsearch (or other process) this checkout did not start: stop it (npm run down in its own checkout) first"
    missing+=("$n")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    say "Elasticsearch cluster already running (nodes 1-$ES_CLUSTER_NODES)"
  else
    provision
    say "starting Elasticsearch $ES_VERSION nodes ${missing[*]} of $ES_CLUSTER_NODES as $ES_USER (heap $ES_CLUSTER_HEAP each)"
    for n in "${missing[@]}"; do
      launch_node "$n" &
      pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || die "an Elasticsearch node did not start"; done
  fi
  wait_ready "$started" "$ES_URL" "wait_for_nodes=$ES_CLUSTER_NODES&wait_for_status=yellow" "${pidfiles[@]}"
}

# node_number N: N when it names a node of cluster mode, else dies.
node_number() {
  if ! [[ ${1:-} =~ ^[0-9]+$ ]] || [ "$1" -lt 1 ] || [ "$1" -gt "$ES_CLUSTER_NODES" ]; then
    die "no cluster node '${1:-}' (1-$ES_CLUSTER_NODES)"
  fi
  [ -f "$CLUSTER_MARKER" ] || die "the stack is not in cluster mode (npm run up -- --cluster)"
  echo "$1"
}

# start_node N: starts node N again (after kill_node) and waits until the cluster counts every
# node, as node N sees it.
start_node() {
  local n started=$EPOCHREALTIME
  n=$(node_number "$1")
  if es_running "$(node_pidfile "$n")"; then
    say "node $n already running (pid $(cat "$(node_pidfile "$n")"))"
  else
    say "starting node $n"
    launch_node "$n"
  fi
  wait_ready "$started" "http://127.0.0.1:$(node_http_port "$n")" "wait_for_nodes=$ES_CLUSTER_NODES" "$(node_pidfile "$n")"
}

# kill_node N: SIGKILL to node N (nothing flushed, no goodbye to the cluster), for failure tests.
kill_node() {
  local n pidfile pid
  n=$(node_number "$1")
  pidfile=$(node_pidfile "$n")
  es_running "$pidfile" || die "node $n is not running"
  pid=$(cat "$pidfile")
  kill -KILL "$pid"
  for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  rm -f "$pidfile"
  say "killed node $n (pid $pid)"
}

stop() {
  local n any=false
  for ((n = 1; n <= ES_CLUSTER_NODES; n++)); do
    if es_running "$(node_pidfile "$n")"; then
      any=true
      # Together: a node waits for no other's exit.
      stop_pidfile "$(node_pidfile "$n")" "elasticsearch node $n" &
    else
      rm -f "$(node_pidfile "$n")"
    fi
  done
  wait
  if es_running; then
    stop_pidfile "$ES_PIDFILE" elasticsearch
  else
    rm -f "$ES_PIDFILE"
    if [ "$any" = true ]; then
      :
    elif health_ok; then
      say "Elasticsearch on $ES_URL was not started by this checkout; leaving it alone"
    else
      say "Elasticsearch is not running"
    fi
  fi
}

status() {
  local n running=false
  for ((n = 1; n <= ES_CLUSTER_NODES; n++)); do
    if es_running "$(node_pidfile "$n")"; then
      running=true
      say "elasticsearch node $n: running (pid $(cat "$(node_pidfile "$n")")) on http://127.0.0.1:$(node_http_port "$n")"
    fi
  done
  [ "$running" = true ] && return 0
  if es_running; then
    if health_ok; then
      say "elasticsearch: running (pid $(cat "$ES_PIDFILE")) on $ES_URL"
    else
      say "elasticsearch: starting (pid $(cat "$ES_PIDFILE")), $ES_URL does not answer yet"
    fi
  elif health_ok; then
    say "elasticsearch: running on $ES_URL, not started by this checkout"
  else
    say "elasticsearch: not running"
    return 3
  fi
}

# Cluster mode when asked, or when the stack is in it (a fault test's plain `start` after `stop`
# brings back all three nodes, not a single one the apps do not list).
CLUSTER=false
if [ "${2:-}" = --cluster ] || [ -f "$CLUSTER_MARKER" ]; then CLUSTER=true; fi
case "${1:-}" in
  provision) provision ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  start-node) start_node "${2:-}" ;;
  kill-node) kill_node "${2:-}" ;;
  *) die "usage: $0 provision|start [--cluster]|stop|status|start-node N|kill-node N" ;;
esac
