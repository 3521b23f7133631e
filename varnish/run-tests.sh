#!/usr/bin/env bash
# Runs every varnish/tests/*.vtc against varnish/default.vcl with varnishtest.
#
#   varnish/run-tests.sh [FILE.vtc ...]
#
# Prints the log of each failing case and a last line "N passed, M failed"; exits non-zero when
# a case fails or does not report. VTC_JOBS sets the parallelism (default: number of CPUs).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if ! command -v varnishtest >/dev/null 2>&1; then
  echo "varnishtest not found: install Debian's varnish and varnish-modules packages" >&2
  echo "(apt-get install varnish varnish-modules), or run scripts/stack/varnish.sh start once" >&2
  exit 2
fi

if [ $# -gt 0 ]; then
  cases=("$@")
else
  cases=("$here"/tests/*.vtc)
fi
[ -e "${cases[0]}" ] || { echo "no .vtc files found" >&2; exit 2; }

jobs=${VTC_JOBS:-$(nproc 2>/dev/null || echo 2)}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# -k: keep going after a failure, so that the summary covers every case.
set +e
varnishtest -k -j "$jobs" -t 120 "${cases[@]}" >"$log" 2>&1
status=$?
set -e

passed=$(grep -cE '^#\s+top\s+TEST .* passed' "$log" || true)
failed=$(grep -cE '^#\s+top\s+TEST .* (FAILED|skipped)' "$log" || true)
missing=$((${#cases[@]} - passed - failed))

if [ "$failed" -gt 0 ] || [ "$missing" -gt 0 ] || [ "$status" -ne 0 ]; then
  cat "$log"
else
  grep -E '^#\s+top\s+TEST ' "$log"
fi
[ "$missing" -gt 0 ] && echo "$missing case(s) did not report a result"
echo "$passed passed, $((failed + missing)) failed"
[ "$failed" -eq 0 ] && [ "$missing" -eq 0 ] && [ "$status" -eq 0 ]
