#!/usr/bin/env bash
# Smoke check of the running Elasticsearch with the catalog's kind of analysis settings:
# `english` (stemming) and an autocomplete analyzer (standard + lowercase + asciifolding +
# edge_ngram 2..15), all provided on the stripped server by elasticsearch/analysis-plugin.
# Creates a throwaway index, analyses, indexes two documents, searches, deletes the index.
#
#   scripts/stack/es-smoke.sh            (ES_URL defaults to http://127.0.0.1:9200)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ES_URL="${ES_URL:-http://127.0.0.1:${ES_HTTP_PORT:-9200}}"
INDEX="shop-smoke-$(date +%s)-$RANDOM"
trap 'curl -sS -o /dev/null -X DELETE "$ES_URL/$INDEX" || true' EXIT

# es METHOD PATH [BODY]: the response body; fails (with the body) on a non-2xx answer.
es() {
  local out code
  out=$(curl -sS -X "$1" "$ES_URL$2" -H 'content-type: application/json' ${3:+--data-binary "$3"} -w '\n%{http_code}')
  code=${out##*$'\n'}
  out=${out%$'\n'*}
  [[ $code == 2* ]] || die "$1 $2 answered $code: $out"
  printf '%s' "$out"
}

# json EXPR: evaluates a JS expression over the JSON on stdin (`j`) and prints the result.
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(eval(process.argv[1]))})' "$1"; }

expect() {
  local label=$1 want=$2 got=$3
  [ "$got" = "$want" ] || die "$label: expected [$want], got [$got]"
  say "ok  $label -> $got"
}

es GET /_cluster/health >/dev/null

es PUT "/$INDEX" '{
  "settings": {
    "number_of_shards": 1,
    "number_of_replicas": 0,
    "analysis": {
      "filter": {
        "autocomplete_edge_ngram": { "type": "edge_ngram", "min_gram": 2, "max_gram": 15 }
      },
      "analyzer": {
        "autocomplete": {
          "type": "custom",
          "tokenizer": "standard",
          "filter": ["lowercase", "asciifolding", "autocomplete_edge_ngram"]
        },
        "autocomplete_search": {
          "type": "custom",
          "tokenizer": "standard",
          "filter": ["lowercase", "asciifolding"]
        }
      }
    }
  },
  "mappings": {
    "properties": {
      "name": {
        "type": "text",
        "analyzer": "english",
        "fields": {
          "keyword": { "type": "keyword" },
          "autocomplete": {
            "type": "text",
            "analyzer": "autocomplete",
            "search_analyzer": "autocomplete_search"
          }
        }
      }
    }
  }
}' >/dev/null
say "created index $INDEX"

tokens='j.tokens.map(t => t.token).join(" ")'
expect 'english: "Blazers"' blazer \
  "$(es POST "/$INDEX/_analyze" '{"analyzer":"english","text":"Blazers"}' | json "$tokens")"
expect 'field name: "The men'"'"'s wool Blazers"' 'men wool blazer' \
  "$(es POST "/$INDEX/_analyze" '{"field":"name","text":"The men'"'"'s wool Blazers"}' | json "$tokens")"
expect 'autocomplete: "Blazers"' 'bl bla blaz blaze blazer blazers' \
  "$(es POST "/$INDEX/_analyze" '{"analyzer":"autocomplete","text":"Blazers"}' | json "$tokens")"
expect 'autocomplete: "Crème"' 'cr cre crem creme' \
  "$(es POST "/$INDEX/_analyze" '{"analyzer":"autocomplete","text":"Crème"}' | json "$tokens")"

es POST "/$INDEX/_bulk?refresh=true" '{"index":{"_id":"1"}}
{"name":"Navy Wool Blazers"}
{"index":{"_id":"2"}}
{"name":"Crème Linen Shirt"}
' | json 'j.errors' | grep -qx false || die "bulk indexing failed"
expect 'match name "blazer" (stemmed)' 1 \
  "$(es POST "/$INDEX/_search" '{"query":{"match":{"name":"blazer"}}}' | json 'j.hits.hits.map(h => h._id).join(",")')"
expect 'match name.autocomplete "bla"' 1 \
  "$(es POST "/$INDEX/_search" '{"query":{"match":{"name.autocomplete":"bla"}}}' | json 'j.hits.hits.map(h => h._id).join(",")')"
expect 'match name.autocomplete "creme li"' 2 \
  "$(es POST "/$INDEX/_search" '{"query":{"match":{"name.autocomplete":{"query":"creme li","operator":"and"}}}}' | json 'j.hits.hits.map(h => h._id).join(",")')"

say "Elasticsearch analysis smoke check passed (index $INDEX deleted)"
