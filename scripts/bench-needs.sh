#!/usr/bin/env bash
# What the benchmarks that drive HTTP load with wrk need besides the stack (npm's pre-scripts of
# bench:stock, bench:cache and bench:catalog run it): wrk itself, installed when missing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/stack/common.sh"
ensure_debian_package wrk wrk "the benchmarks' HTTP load"
