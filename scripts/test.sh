#!/usr/bin/env bash
# Every test, from one command: lint, typecheck, unit tests, the VCL's varnishtest suite, then the
# integration and end-to-end tests against the real stack, which it starts from THIS checkout the
# way `npm run up` does. What this run started, it stops again at the end.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/stack/common.sh"
cd "$REPO_ROOT"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi

# The browser test drives Debian's Chromium (tools that download their own browser fail here).
if [ ! -x /usr/bin/chromium ]; then
  say "installing Debian's chromium for the browser test"
  [ "$(id -u)" = 0 ] || die "chromium is missing and installing it needs root: apt-get install chromium"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# Apps left running from another folder would be tested instead of this checkout's code.
for port in 3000 3001 3002 3003 8080; do
  pidfile=""
  case $port in
    3000) pidfile=$PID_DIR/storefront.pid ;; 3001) pidfile=$PID_DIR/catalog-api.pid ;;
    3002) pidfile=$PID_DIR/stock-api.pid ;; 3003) pidfile=$PID_DIR/sync-worker.pid ;;
    8080) pidfile=$PID_DIR/varnish.pid ;;
  esac
  if port_open "$port" && ! pid_alive "$pidfile"; then
    die "port $port is served by a process this checkout did not start: stop it (npm run down in its own checkout) so the tests run this checkout's code"
  fi
done

before=$(ls "$PID_DIR" 2>/dev/null | sort || true)
cleanup() {
  local status=$?
  # Stop exactly what this run started; leave a stack the developer started with `npm run up`.
  local name
  for name in varnish storefront sync-worker stock-api catalog-api elasticsearch redis; do
    if [ -f "$PID_DIR/$name.pid" ] && ! grep -qx "$name.pid" <<<"$before"; then
      case $name in
        elasticsearch) bash scripts/stack/elasticsearch.sh stop ;;
        redis) bash scripts/stack/redis.sh stop ;;
        varnish) bash scripts/stack/varnish.sh stop ;;
        *) stop_pidfile "$PID_DIR/$name.pid" "$name" ;;
      esac
    fi
  done
  exit $status
}
trap cleanup EXIT

say "lint";       npx eslint . --max-warnings 0
say "typecheck";  npx tsc -p tsconfig.json --noEmit
say "prettier";   npx prettier --check . >/dev/null || die "files are not formatted: run npm run format"
say "unit tests"; npx jest -c jest.config.js --ci

bash scripts/stack.sh up --detach
say "varnishtest"; bash varnish/run-tests.sh
say "integration and end-to-end tests"
if ! npx jest -c jest.e2e.config.js --ci; then
  # What the apps complained about last often says why (a consumer retrying, a purge failing).
  say "tests failed; the apps' last warnings and errors (whole logs in $LOG_DIR):"
  for app in catalog-api stock-api sync-worker storefront; do
    echo "--- $app"
    grep -E '"level":(40|50|60)' "$LOG_DIR/$app.log" 2>/dev/null | tail -n 5 | cut -c1-400 || true
  done
  exit 1
fi
