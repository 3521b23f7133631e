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
ensure_debian_package /usr/bin/chromium chromium "the browser test"
ensure_debian_package shellcheck shellcheck "the shell scripts' lint"

# Apps left running from another folder would be tested instead of this checkout's code.
for name in "${APPS[@]}" varnish smtp-sink; do
  port=$(port_of "$name")
  if port_open "$port" && ! pid_alive "$(pidfile_of "$name")"; then
    die "port $port is served by a process this checkout did not start: stop it (npm run down in its own checkout) so the tests run this checkout's code"
  fi
done

before=$(recorded_pidfiles)
cleanup() {
  local status=$?
  # Stop exactly what this run started; leave a stack the developer started with `npm run up`.
  stop_started_since "$before"
  exit $status
}
trap cleanup EXIT

say "lint";       npx eslint . --max-warnings 0
say "typecheck";  npx tsc -p tsconfig.json --noEmit
say "prettier";   npx prettier --check . >/dev/null || die "files are not formatted: run npm run format"
say "shellcheck"; find scripts varnish -name '*.sh' -print0 | xargs -0 shellcheck
say "unit tests"; npx jest -c jest.config.js --ci

bash scripts/stack.sh up --detach
say "varnishtest"; bash varnish/run-tests.sh
say "integration and end-to-end tests"
if ! npx jest -c jest.e2e.config.js --ci; then
  # What the apps complained about last often says why (a consumer retrying, a purge failing).
  say "tests failed; the apps' last warnings and errors (whole logs in $LOG_DIR):"
  for app in "${APPS[@]}"; do
    echo "--- $app"
    grep -E '"level":(40|50|60)' "$LOG_DIR/$app.log" 2>/dev/null | tail -n 5 | cut -c1-400 || true
  done
  exit 1
fi
