#!/usr/bin/env bash
# `npm run test:cluster`: the stack in cluster mode (`npm run up -- --cluster`: three
# Elasticsearch nodes, a Redis Cluster, two processes of catalog-api, stock-api and sync-worker), every
# integration and end-to-end test of `npm test` against it (they must pass on any topology) and
# the failure tests of test/cluster/*.cluster-spec.ts (an Elasticsearch node, a stock-api and a
# sync-worker killed with SIGKILL: nothing answered is lost). jest.cluster.config.js names them;
# `npm test` never runs the failure tests. What this run started, it stops again at the end.
#
# Its own database and Redis: MYSQL_URL defaults to .../shop_cluster (not the default stack's
# `shop`), made and seeded by `up`, and Redis is a Redis Cluster of six nodes (three masters, three
# replicas) with the ledger's keys in one slot. RabbitMQ is the default stack's. When the stack
# already runs in cluster mode, it is used as it is.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/stack/common.sh"
cd "$REPO_ROOT"

export MYSQL_URL="${MYSQL_URL:-mysql://root@127.0.0.1:3306/shop_cluster}"

started_at=$SECONDS
before=$(recorded_pidfiles)
cleanup() {
  local status=$?
  stop_started_since "$before"
  say "test:cluster took $((SECONDS - started_at)) s"
  exit $status
}
trap cleanup EXIT

bash scripts/stack.sh up --detach --cluster
set_cluster_mode true # the tests (and the scripts they run) see all three nodes, as the apps do
say "cluster tests (jest.cluster.config.js)"
npx jest -c jest.cluster.config.js --ci
