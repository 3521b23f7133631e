#!/usr/bin/env bash
# Renders varnish/default.vcl with this environment's backends and purge networks.
#
#   render-vcl.sh SOURCE.vcl OUTPUT.vcl
#
# Environment (defaults in brackets):
#   STOREFRONT_HOST [127.0.0.1]   STOREFRONT_PORT [3000]
#   CATALOG_API_HOST [127.0.0.1]  CATALOG_API_PORT [3001]
#   STOCK_API_HOST [127.0.0.1]    STOCK_API_PORT [3002]
#   LIVE_HOST [127.0.0.1]         LIVE_PORT [3004]
#   VARNISH_PURGE_NETWORKS []     extra networks allowed to PURGE, comma or space separated
#                                 addresses or CIDRs, e.g. "10.0.0.0/8, 192.168.1.7"
#   VARNISH_PROBE [on]            off: backends without health probe (varnishtest cases)
#   VARNISH_PROBE_INTERVAL []     e.g. 100ms; empty keeps the VCL's value
#   VARNISH_HEALTHY_GRACE []      how long a stale object may be served while its backend is
#                                 healthy (one background refresh), e.g. 0s; empty keeps 10s
#   VARNISH_ADMIN_WRITE_LIMIT [3000]   VARNISH_ADMIN_WRITE_PERIOD [10s]
#   VARNISH_STOCK_WRITE_LIMIT [10000]  VARNISH_STOCK_WRITE_PERIOD [10s]
#                                 writes per client address (token bucket: LIMIT at once,
#                                 refilled at LIMIT per PERIOD); PERIOD in s, m or h
#
# The VCL marks each rewritable line with a trailing `# NAME` comment; this is plain sed over
# those lines, the idiom Magento's own .vtc tests use.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 SOURCE.vcl OUTPUT.vcl" >&2
  exit 64
fi
src=$1
out=$2

fail() {
  echo "render-vcl: $*" >&2
  exit 1
}

host_ok() { [[ $1 =~ ^[A-Za-z0-9.:_-]+$ ]] || fail "bad host '$1'"; }
port_ok() {
  if ! [[ $1 =~ ^[0-9]+$ ]] || [ "$1" -lt 1 ] || [ "$1" -gt 65535 ]; then fail "bad port '$1'"; fi
}

sf_host=${STOREFRONT_HOST:-127.0.0.1}
sf_port=${STOREFRONT_PORT:-3000}
ca_host=${CATALOG_API_HOST:-127.0.0.1}
ca_port=${CATALOG_API_PORT:-3001}
st_host=${STOCK_API_HOST:-127.0.0.1}
st_port=${STOCK_API_PORT:-3002}
lv_host=${LIVE_HOST:-127.0.0.1}
lv_port=${LIVE_PORT:-3004}
for h in "$sf_host" "$ca_host" "$st_host" "$lv_host"; do host_ok "$h"; done
for p in "$sf_port" "$ca_port" "$st_port" "$lv_port"; do port_ok "$p"; done

# One ACL entry per network: "10.0.0.0"/8; or "192.0.2.7";
acl_entries=''
purge_networks=${VARNISH_PURGE_NETWORKS:-}
for net in ${purge_networks//,/ }; do
  [[ $net =~ ^([0-9A-Fa-f.:]+)(/([0-9]{1,3}))?$ ]] || fail "bad purge network '$net'"
  entry="\"${BASH_REMATCH[1]}\""
  [ -n "${BASH_REMATCH[3]}" ] && entry="$entry/${BASH_REMATCH[3]}"
  acl_entries="$acl_entries    $entry;\\n"
done

probe_expr=''
case "${VARNISH_PROBE:-on}" in
  on) ;;
  off) probe_expr='/^probe health {$/,/^}$/d;/# PROBE$/d' ;;
  *) fail "VARNISH_PROBE must be on or off" ;;
esac
interval_expr=''
if [ -n "${VARNISH_PROBE_INTERVAL:-}" ]; then
  [[ $VARNISH_PROBE_INTERVAL =~ ^[0-9.]+(ms|s|m)$ ]] || fail "bad probe interval"
  interval_expr="/# PROBE_INTERVAL\$/s/= [^;]*;/= ${VARNISH_PROBE_INTERVAL};/"
fi

grace_expr=''
if [ -n "${VARNISH_HEALTHY_GRACE:-}" ]; then
  [[ $VARNISH_HEALTHY_GRACE =~ ^[0-9.]+(ms|s|m|h)$ ]] || fail "bad healthy grace"
  grace_expr="/# HEALTHY_GRACE\$/s/= [^;]*;/= ${VARNISH_HEALTHY_GRACE};/"
fi

# add_limit NAME LIMIT PERIOD: rewrites the lines marked NAME_LIMIT, NAME_PERIOD and
# NAME_RETRY_AFTER (whole seconds until the bucket holds a token again, at least 1).
limit_args=()
add_limit() {
  local name=$1 limit=$2 period=$3 seconds
  [[ $limit =~ ^[1-9][0-9]{0,8}$ ]] || fail "bad ${name} limit '$limit' (requests, 1 or more)"
  [[ $period =~ ^([1-9][0-9]{0,6})(s|m|h)$ ]] || fail "bad ${name} period '$period' (e.g. 10s, 1m)"
  case ${BASH_REMATCH[2]} in
    s) seconds=${BASH_REMATCH[1]} ;;
    m) seconds=$((BASH_REMATCH[1] * 60)) ;;
    h) seconds=$((BASH_REMATCH[1] * 3600)) ;;
  esac
  limit_args+=(
    -e "/# ${name}_LIMIT\$/s/[0-9][0-9]*,/${limit},/"
    -e "/# ${name}_PERIOD\$/s/[0-9][0-9]*[smh])/${period})/"
    -e "/# ${name}_RETRY_AFTER\$/s/\"[^\"]*\"/\"$(((seconds + limit - 1) / limit))\"/"
  )
}
add_limit ADMIN_WRITE "${VARNISH_ADMIN_WRITE_LIMIT:-3000}" "${VARNISH_ADMIN_WRITE_PERIOD:-10s}"
add_limit STOCK_WRITE "${VARNISH_STOCK_WRITE_LIMIT:-10000}" "${VARNISH_STOCK_WRITE_PERIOD:-10s}"

tmp="$out.tmp.$$"
sed \
  -e "/# STOREFRONT_HOST\$/s/\"[^\"]*\"/\"$sf_host\"/" \
  -e "/# STOREFRONT_PORT\$/s/\"[^\"]*\"/\"$sf_port\"/" \
  -e "/# CATALOG_API_HOST\$/s/\"[^\"]*\"/\"$ca_host\"/" \
  -e "/# CATALOG_API_PORT\$/s/\"[^\"]*\"/\"$ca_port\"/" \
  -e "/# STOCK_API_HOST\$/s/\"[^\"]*\"/\"$st_host\"/" \
  -e "/# STOCK_API_PORT\$/s/\"[^\"]*\"/\"$st_port\"/" \
  -e "/# LIVE_HOST\$/s/\"[^\"]*\"/\"$lv_host\"/" \
  -e "/# LIVE_PORT\$/s/\"[^\"]*\"/\"$lv_port\"/" \
  -e "s|^    # PURGE_NETWORKS\$|${acl_entries}    # PURGE_NETWORKS|" \
  ${probe_expr:+-e "$probe_expr"} \
  ${interval_expr:+-e "$interval_expr"} \
  ${grace_expr:+-e "$grace_expr"} \
  "${limit_args[@]}" \
  "$src" >"$tmp"
chmod 0644 "$tmp"
mv "$tmp" "$out"
