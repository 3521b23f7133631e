#!/usr/bin/env bash
# Elasticsearch 8, native (no Docker), for this checkout.
#
#   scripts/stack/elasticsearch.sh provision   download, unpack, configure, build + install our
#                                              analysis plugin; idempotent, safe while running
#   scripts/stack/elasticsearch.sh start       provision and start it, wait until yellow/green
#   scripts/stack/elasticsearch.sh stop        stop exactly the node this checkout started
#   scripts/stack/elasticsearch.sh status      running or not (exit 0 running, 3 not running)
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

# es_running: true when the recorded pid is alive AND is our node (its command line names our
# ES home); a pidfile left by a crash whose pid was reused is removed, never acted on.
es_running() {
  local pid
  pid_alive "$ES_PIDFILE" || return 1
  pid=$(cat "$ES_PIDFILE")
  if tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "-Des.path.home=$ES_HOME"; then
    return 0
  fi
  warn "pid $pid in $ES_PIDFILE is not our Elasticsearch; forgetting it"
  rm -f "$ES_PIDFILE"
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
  if es_running; then
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
  if [ "$(id -u)" -eq 0 ]; then
    chown -R "$ES_USER:" "$ES_HOME" "$ES_DATA" "$ES_LOGS" "$ES_TMP" "$ES_RUN"
  fi
  ensure_plugin "$java_home"
  if [ "$(id -u)" -eq 0 ]; then chown -R "$ES_USER:" "$ES_HOME"; fi
  exec 9>&- # closed, so the node started next does not inherit (and hold) the lock
}

print_logs() {
  warn "--- $ES_CLI_LOG (tail)"
  tail -n 20 "$ES_CLI_LOG" >&2 2>/dev/null || true
  warn "--- $ES_LOGS/$ES_CLUSTER.log (tail)"
  tail -n 40 "$ES_LOGS/$ES_CLUSTER.log" >&2 2>/dev/null || true
}

# elapsed START: seconds since START (an $EPOCHREALTIME value), one decimal.
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

wait_ready() {
  local started=$1 i
  for ((i = 0; i < ES_START_TIMEOUT * 2; i++)); do
    if curl -fsS -o /dev/null --max-time 2 "$ES_URL/_cluster/health?wait_for_status=yellow&timeout=1s" 2>/dev/null; then
      say "Elasticsearch is up on $ES_URL (pid $(cat "$ES_PIDFILE"), $(curl -fsS "$ES_URL/_cluster/health" |
        sed -n 's/.*"status":"\([a-z]*\)".*/\1/p') after $(elapsed "$started") s)"
      return 0
    fi
    if ! es_running; then
      print_logs
      die "Elasticsearch exited during start-up"
    fi
    sleep 0.5
  done
  print_logs
  die "Elasticsearch did not reach yellow within ${ES_START_TIMEOUT}s"
}

start() {
  local started java_home
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
    wait_ready "$EPOCHREALTIME"
    return
  fi
  port_open "$ES_PORT" && die "port $ES_PORT is taken by something that is not Elasticsearch"

  started=$EPOCHREALTIME
  provision
  java_home=$(find_java_home)
  rm -f "$ES_PIDFILE" "$ES_RUN/elasticsearch.pid"
  say "starting Elasticsearch $ES_VERSION as $ES_USER (heap 512m-1g, Java $(java_major "$java_home"))"
  # -d: the launcher returns once the node has started (or failed); -p: the node's own pid.
  if ! as_es env ES_JAVA_HOME="$java_home" ES_TMPDIR="$ES_TMP" ES_PATH_CONF="$ES_HOME/config" \
    "$ES_HOME/bin/elasticsearch" -d -p "$ES_RUN/elasticsearch.pid" </dev/null >"$ES_CLI_LOG" 2>&1; then
    print_logs
    die "Elasticsearch failed to start"
  fi
  for _ in $(seq 20); do [ -s "$ES_RUN/elasticsearch.pid" ] && break; sleep 0.5; done
  [ -s "$ES_RUN/elasticsearch.pid" ] || { print_logs; die "Elasticsearch wrote no pidfile"; }
  cp "$ES_RUN/elasticsearch.pid" "$ES_PIDFILE"
  wait_ready "$started"
}

stop() {
  if es_running; then
    stop_pidfile "$ES_PIDFILE" elasticsearch
  else
    rm -f "$ES_PIDFILE"
    if health_ok; then
      say "Elasticsearch on $ES_URL was not started by this checkout; leaving it alone"
    else
      say "Elasticsearch is not running"
    fi
  fi
}

status() {
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

case "${1:-}" in
  provision) provision ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: $0 provision|start|stop|status" ;;
esac
