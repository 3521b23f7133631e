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
#   CATALOG_API_2_PORT []         STOCK_API_2_PORT []
#                                 a second process of that API on the same host: the two are
#                                 balanced by a round-robin director (backends NAME and NAME_2,
#                                 director NAME_pool), a sick one is skipped, and a fetch that
#                                 fails is retried once on the other. Empty: one plain backend.
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
ca_port_2=${CATALOG_API_2_PORT:-}
st_port_2=${STOCK_API_2_PORT:-}
for h in "$sf_host" "$ca_host" "$st_host" "$lv_host"; do host_ok "$h"; done
for p in "$sf_port" "$ca_port" "$st_port" "$lv_port" ${ca_port_2:+"$ca_port_2"} ${st_port_2:+"$st_port_2"}; do
  port_ok "$p"
done
pooled=''
[ -n "$ca_port_2" ] && pooled="$pooled catalog_api=$ca_port_2"
[ -n "$st_port_2" ] && pooled="$pooled stock_api=$st_port_2"

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

# pool_backends (a filter): for each NAME=PORT in $pooled, a copy of `backend NAME` named NAME_2
# on PORT, a round-robin director NAME_pool over the two, every `req.backend_hint = NAME;` sent
# to the director, and a retry of a failed fetch from either (the round robin picks the other;
# Varnish refuses to retry a request whose body was already sent, so a write reaches at most
# one). Without $pooled the VCL passes through unchanged.
pool_backends() {
  if [ -z "$pooled" ]; then
    cat
    return
  fi
  awk -v pooled="$pooled" '
    BEGIN {
      n = split(pooled, entries, " ")
      for (i = 1; i <= n; i++) {
        split(entries[i], kv, "=")
        port2[kv[1]] = kv[2]
        names[i] = kv[1]
      }
    }
    # The block of a pooled backend is printed, then again as NAME_2 on the second port.
    copying != "" {
      print
      block = block "\n" $0
      if ($0 ~ /^}$/) {
        copy = block
        sub(/^backend [a-z_]+ \{/, "backend " copying "_2 {", copy)
        gsub(/\.port = "[0-9]+";/, ".port = \"" port2[copying] "\";", copy)
        print ""
        print copy
        copying = ""
      }
      next
    }
    /^backend [a-z_]+ \{$/ {
      name = $2
      if (name in port2) { copying = name; block = $0; print; next }
    }
    /^import xkey;$/ { print; print "import directors;"; next }
    /^sub vcl_init \{$/ {
      print
      for (i = 1; i <= n; i++) {
        print "    new " names[i] "_pool = directors.round_robin();"
        print "    " names[i] "_pool.add_backend(" names[i] ");"
        print "    " names[i] "_pool.add_backend(" names[i] "_2);"
      }
      next
    }
    /^sub vcl_backend_error \{$/ {
      print
      cond = ""
      for (i = 1; i <= n; i++) {
        cond = cond (cond == "" ? "" : " ||\n        ") "beresp.backend == " names[i] " || beresp.backend == " names[i] "_2"
      }
      print "    # A pooled API: the other process may answer (once, and only what was not sent yet)."
      print "    if (bereq.retries == 0 && !bereq.is_bgfetch && (" cond ")) {"
      print "        return (retry);"
      print "    }"
      next
    }
    {
      for (i = 1; i <= n; i++) {
        gsub("req\\.backend_hint = " names[i] ";", "req.backend_hint = " names[i] "_pool.backend();")
      }
      print
    }
  '
}

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
  "$src" | pool_backends >"$tmp"
chmod 0644 "$tmp"
mv "$tmp" "$out"
