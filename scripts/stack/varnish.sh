#!/usr/bin/env bash
# Varnish in front of the apps, native (no Docker), for this checkout.
#
#   scripts/stack/varnish.sh start    install varnish + varnish-modules if missing, render the VCL
#                                     into $RUNTIME_DIR/varnish, start varnishd on VARNISH_PORT
#   scripts/stack/varnish.sh reload   render the VCL again and switch the running varnishd to it
#   scripts/stack/varnish.sh stop     stop exactly the varnishd this checkout started
#   scripts/stack/varnish.sh status   running or not (exit 0 running, 3 not running)
#
# Environment: VARNISH_PORT (8080), STOREFRONT_PORT (3000), CATALOG_API_PORT (3001),
# STOCK_API_PORT (3002), LIVE_PORT (3004), in cluster mode CATALOG_API_2_PORT (3021) and
# STOCK_API_2_PORT (3022), *_HOST (127.0.0.1), VARNISH_PURGE_NETWORKS (extra networks allowed to
# PURGE besides localhost), VARNISH_MEMORY (256m), VARNISH_{ADMIN,STOCK}_WRITE_{LIMIT,PERIOD}
# (edge rate limits, see varnish/render-vcl.sh). varnishd's parameters: varnish/varnishd.params.
#
# varnishd drops to the users varnish/vcache, who may not be able to enter the checkout (/root is
# 0700): the VCL it loads and its working folder live under $RUNTIME_DIR, outside the checkout.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

VARNISH_MEMORY="${VARNISH_MEMORY:-256m}"
VARNISH_HOME="$RUNTIME_DIR/varnish"
VARNISH_WORKDIR="$VARNISH_HOME/work"           # varnishd -n: shared memory log, compiled VCL
VARNISH_VCL="$VARNISH_HOME/default.vcl"        # the rendered VCL varnishd loads
VARNISH_OWN_PIDFILE="$VARNISH_HOME/varnishd.pid" # varnishd -P: written and removed by varnishd
VARNISH_PIDFILE=$(pidfile_of varnish)          # what `down` stops
VARNISH_LOG="$LOG_DIR/varnish.log"             # varnishd's start-up output (VCL errors land here)
VCL_SOURCE="$REPO_ROOT/varnish/default.vcl"
RENDER="$REPO_ROOT/varnish/render-vcl.sh"
PARAMS_FILE="$REPO_ROOT/varnish/varnishd.params"

# varnishd_params: the NAME=VALUE lines of varnish/varnishd.params, comments and blanks left out.
varnishd_params() {
  grep -Ev '^[[:space:]]*(#|$)' "$PARAMS_FILE"
}

# apply_params: the running varnishd gets the parameters a fresh start would have, so that a
# changed file takes effect with the next `npm run up` or reload, not only after a restart.
apply_params() {
  local line
  while IFS= read -r line; do
    varnishadm -n "$VARNISH_WORKDIR" param.set "${line%%=*}" "${line#*=}" >/dev/null ||
      die "varnishadm param.set ${line%%=*} ${line#*=} failed"
  done < <(varnishd_params)
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root to run: $*"
  fi
}

ensure_installed() {
  if command -v varnishd >/dev/null 2>&1 &&
    [ -n "$(find /usr/lib -name libvmod_xkey.so -print -quit 2>/dev/null)" ]; then
    return 0
  fi
  say "installing varnish and varnish-modules (xkey) with apt-get"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq varnish varnish-modules
  command -v varnishd >/dev/null 2>&1 || die "varnishd still missing after apt-get install"
}

# is_our_varnishd PID: true when PID is a varnishd using our working folder.
is_our_varnishd() {
  tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | grep -qxF -- "$VARNISH_WORKDIR"
}

# varnish_running: true when the recorded pid is alive AND is our varnishd; a pidfile left by a
# crash whose pid was reused is removed, never acted on.
varnish_running() {
  local pid
  pid_alive "$VARNISH_PIDFILE" || return 1
  pid=$(cat "$VARNISH_PIDFILE")
  is_our_varnishd "$pid" && return 0
  warn "pid $pid in $VARNISH_PIDFILE is not our varnishd; forgetting it"
  rm -f "$VARNISH_PIDFILE"
  return 1
}

# listen_address PID: the -a argument the running varnishd was started with.
listen_address() {
  tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | grep -A1 -xF -- -a | sed -n 2p
}

# Readable by varnish/vcache: every folder from / down to the VCL must be enterable.
prepare_runtime_dir() {
  mkdir -p "$VARNISH_HOME"
  chmod a+rx "$RUNTIME_DIR" "$VARNISH_HOME"
  local dir=$VARNISH_HOME
  while [ "$dir" != / ]; do
    if (((8#$(stat -c %a "$dir") & 1) == 0)); then
      die "$dir is not enterable by other users; varnishd (user vcache) could not read the VCL. Set SHOP_RUNTIME_DIR to a folder outside it."
    fi
    dir=$(dirname "$dir")
  done
}

# In cluster mode the second API processes join their first ones behind round-robin directors;
# otherwise the VCL keeps one plain backend per API, whatever the environment says.
render_vcl() {
  if [ -f "$CLUSTER_MARKER" ]; then
    CATALOG_API_2_PORT=$CATALOG_API_2_PORT STOCK_API_2_PORT=$STOCK_API_2_PORT \
      bash "$RENDER" "$VCL_SOURCE" "$VARNISH_VCL"
  else
    CATALOG_API_2_PORT='' STOCK_API_2_PORT='' bash "$RENDER" "$VCL_SOURCE" "$VARNISH_VCL"
  fi
  chmod 0644 "$VARNISH_VCL"
}

port_owner() {
  command -v ss >/dev/null 2>&1 || return 0
  ss -ltnpH "sport = :$VARNISH_PORT" 2>/dev/null | sed -n 's/.*users:((\(.*\)))/\1/p' | head -1
}

start() {
  if varnish_running; then
    local pid address
    pid=$(cat "$VARNISH_PIDFILE")
    address=$(listen_address "$pid")
    if [ "$address" != "127.0.0.1:$VARNISH_PORT" ]; then
      die "our varnish (pid $pid) already runs on $address, not on port $VARNISH_PORT: stop it first"
    fi
    # A checkout that moved on (git pull, an edited VCL) gets its VCL loaded, not the old one kept.
    local before
    before=$(sha1sum <"$VARNISH_VCL" 2>/dev/null || true)
    render_vcl
    apply_params
    if [ "$(sha1sum <"$VARNISH_VCL")" = "$before" ]; then
      say "varnish already running (pid $pid) on $address"
    else
      say "varnish already running (pid $pid) on $address; its VCL changed"
      reload
    fi
    return 0
  fi
  if port_open "$VARNISH_PORT"; then
    local owner
    owner=$(port_owner)
    die "port $VARNISH_PORT is taken by something this checkout did not start${owner:+ ($owner)}; stop it or set VARNISH_PORT"
  fi
  ensure_installed
  prepare_runtime_dir
  render_vcl
  # A varnishd of ours that lost its pidfile in .stack still holds the working folder.
  if pid_alive "$VARNISH_OWN_PIDFILE" && is_our_varnishd "$(cat "$VARNISH_OWN_PIDFILE")"; then
    die "a varnishd (pid $(cat "$VARNISH_OWN_PIDFILE")) already uses $VARNISH_WORKDIR but is not recorded in $VARNISH_PIDFILE (another checkout sharing SHOP_RUNTIME_DIR?); stop it first"
  fi
  rm -f "$VARNISH_OWN_PIDFILE"

  local params=() line
  while IFS= read -r line; do params+=(-p "$line"); done < <(varnishd_params)

  say "starting varnish on 127.0.0.1:$VARNISH_PORT (log: ${VARNISH_LOG#"$REPO_ROOT"/})"
  # Without -F varnishd compiles the VCL, starts its child and then daemonizes: a bad VCL or a
  # busy port makes this command fail, with the reason in the log.
  if ! varnishd \
    -n "$VARNISH_WORKDIR" \
    -P "$VARNISH_OWN_PIDFILE" \
    -a "127.0.0.1:$VARNISH_PORT" \
    -f "$VARNISH_VCL" \
    -s "malloc,$VARNISH_MEMORY" \
    "${params[@]}" \
    >"$VARNISH_LOG" 2>&1; then
    cat "$VARNISH_LOG" >&2
    die "varnishd did not start"
  fi

  local i
  for ((i = 0; i < 40; i++)); do
    [ -s "$VARNISH_OWN_PIDFILE" ] && port_open "$VARNISH_PORT" && break
    sleep 0.25
  done
  [ -s "$VARNISH_OWN_PIDFILE" ] || die "varnishd wrote no pidfile ($VARNISH_OWN_PIDFILE)"
  cp "$VARNISH_OWN_PIDFILE" "$VARNISH_PIDFILE"
  port_open "$VARNISH_PORT" || die "varnishd (pid $(cat "$VARNISH_PIDFILE")) does not listen on $VARNISH_PORT"
  say "varnish running (pid $(cat "$VARNISH_PIDFILE")) on 127.0.0.1:$VARNISH_PORT"
}

reload() {
  varnish_running || die "varnish is not running (start it first)"
  apply_params
  render_vcl
  local name
  name="shop_$(date +%Y%m%d_%H%M%S)_$$"
  varnishadm -n "$VARNISH_WORKDIR" vcl.load "$name" "$VARNISH_VCL" >/dev/null
  varnishadm -n "$VARNISH_WORKDIR" vcl.use "$name" >/dev/null
  say "varnish now runs VCL $name"
}

stop() {
  if varnish_running; then
    stop_pidfile "$VARNISH_PIDFILE" varnish
    # varnishd runs as user varnish by then and cannot always remove its own pidfile.
    rm -f "$VARNISH_OWN_PIDFILE"
  else
    rm -f "$VARNISH_PIDFILE"
    say "varnish (of this checkout) is not running"
  fi
}

status() {
  if varnish_running; then
    local pid
    pid=$(cat "$VARNISH_PIDFILE")
    say "varnish: running (pid $pid) on $(listen_address "$pid"), VCL $VARNISH_VCL"
    varnishadm -n "$VARNISH_WORKDIR" backend.list 2>/dev/null || true
    return 0
  fi
  say "varnish: not running"
  return 3
}

case "${1:-}" in
  start) start ;;
  reload) reload ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: $0 start|reload|stop|status" ;;
esac
