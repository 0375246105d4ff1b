#!/usr/bin/env bash
# The benchmark suite: samverkan against the ceiling of its own stack, in one run, on loopback.
#
#   bash bench/run.sh                 # S and L, SQLite and PostgreSQL, 10 s per scenario
#   bash bench/run.sh --quick         # S only, 2 s per scenario (CI runs this)
#   BENCH_SIZES="S M" BENCH_DBS=postgres bash bench/run.sh
#
# For each database and size: a fresh database filled by `samverkan-load` (timed), then
# `samverkan serve` and the ceiling server (`bench/ceiling`: actix-web + sea-orm, same pool
# layout, no auth, audit or envelope) over it, start-up time to /health/ready, and wrk
# (2 threads, 64 connections, 32 for writes; 10 s timeout) for each scenario after a warm-up, each
# samverkan scenario followed at once by its ceiling counterpart so that ratios come from one
# run. `pgbench -S` measures PostgreSQL alone. Resident memory is read idle and at peak.
# Prints a Markdown table per database and size, and writes it to $BENCH_OUT (default
# target/bench/). Needs wrk (Debian package `wrk`) and, for PostgreSQL, pgbench.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
quick=0
[ "${1:-}" = --quick ] && quick=1
sizes=${BENCH_SIZES:-$([ $quick = 1 ] && echo S || echo "S L")}
dbs=${BENCH_DBS:-sqlite postgres}
duration=${BENCH_DURATION:-$([ $quick = 1 ] && echo 2 || echo 10)}
warmup=$([ $quick = 1 ] && echo 1 || echo 3)
out=${BENCH_OUT:-$root/target/bench}
port=${BENCH_PORT:-18181}
ceiling_port=$((port + 1))
admin_url=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
command -v wrk >/dev/null || { echo "bench: install wrk (apt-get install wrk)" >&2; exit 1; }

target=${CARGO_TARGET_DIR:-$root/target}
# A relative target directory is relative to where the script was started (it cds later).
case $target in /*) ;; *) target=$PWD/$target ;; esac
if [ -z "${BENCH_NO_BUILD:-}" ]; then
  cargo build --release --locked -q --manifest-path "$root/Cargo.toml" \
    -p samverkan -p samverkan-ceiling -p samverkan-load
fi
bin=$target/release/samverkan
ceiling=$target/release/samverkan-ceiling
loader=$target/release/samverkan-load
mkdir -p "$out"
work=$(mktemp -d)
server="" ceiling_pid="" pg_db=""
cleanup() {
  kill $server $ceiling_pid 2>/dev/null || true
  wait 2>/dev/null || true
  [ -n "$pg_db" ] && psql "$admin_url" -qc "DROP DATABASE IF EXISTS $pg_db" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

export SAMVERKAN_LOG=warn SAMVERKAN_RATE_LIMIT=0 SAMVERKAN_RATE_LIMIT_ANONYMOUS=0
export SAMVERKAN_JWT_SECRET="bench-secret-bench-secret-bench-secret-0123"

wait_ready() {
  for _ in $(seq 1 300); do curl -sf -o /dev/null "$1" && return 0; sleep 0.05; done
  echo "bench: $1 did not answer" >&2
  return 1
}

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }

# One measurement: "rps p50 p99 errors" for BENCH_* set by the caller.
measure() {
  local url=$1 connections=$2
  local wrk=(wrk -t2 -c"$connections" --timeout 10s -s "$root/bench/pick.lua")
  "${wrk[@]}" -d"${warmup}s" "$url" >/dev/null 2>&1 || true
  # Errors: non-2xx answers, and connect, read, write errors and timeouts (over 10 s).
  "${wrk[@]}" -d"${duration}s" --latency "$url" 2>/dev/null |
    awk '/Requests\/sec/ {rps=$2} / 50%/ {p50=$2} / 99%/ {p99=$2}
         /Non-2xx/ {err+=$NF}
         /Socket errors/ {for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) err += $i + 0}
         END {printf "%s %s %s %d\n", rps, p50, p99, err}'
}

table=""
row() { table+="$(printf '| %s | %s | %s | %s | %s | %s |' "$@")"$'\n'; }

# One request of a scenario, with the first line of its ids: its HTTP status.
probe() {
  local base=$1 ids=$2 path=$3 method=$4 body=$5 token=$6 line="" f1 f2
  [ -n "$ids" ] && line=$(head -n 1 "$ids")
  read -r f1 f2 _ <<<"$line $line"
  local p=${path//'{}'/$f1} b=${body//'{}'/$f1}
  p=${p//'{1}'/$f1} p=${p//'{2}'/$f2} p=${p//'{n}'/0}
  b=${b//'{1}'/$f1} b=${b//'{2}'/$f2} b=${b//'{n}'/0}
  local args=(-s -o /dev/null -w '%{http_code}' --max-time 60 -X "$method")
  [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data "$b")
  curl "${args[@]}" "$base$p" || true
}

# scenario LABEL CONNECTIONS URL-BASE IDS-FILE PATH [METHOD BODY TOKEN]
scenario() {
  local label=$1 connections=$2 base=$3 ids=$4 path=$5 method=${6:-GET} body=${7:-} token=${8:-}
  # The harness itself must work: one request of the scenario answers 2xx (--quick fails
  # otherwise). Slowness and errors under load are results, reported, not failures.
  local status
  status=$(probe "$base" "$ids" "$path" "$method" "$body" "$token")
  case $status in 2??) ;; *) failed+=("$label (one request: HTTP $status)") ;; esac
  read -r rps p50 p99 err < <(BENCH_IDS=$ids BENCH_PATH=$path BENCH_METHOD=$method \
    BENCH_BODY=$body BENCH_TOKEN=$token measure "$base" "$connections")
  [ -n "$rps" ] || failed+=("$label (wrk printed no result)")
  row "$label" "$rps" "$p50" "$p99" "$err" "${9:-}"
  echo "$label: $rps req/s, p50 $p50, p99 $p99, errors $err" >&2
  last_rps=$rps
}
failed=()

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f %%", 100 * a / b; else print "-" }'; }

for db in $dbs; do
  for size in $sizes; do
    table=""
    ids=$work/ids-$db-$size
    if [ "$db" = postgres ]; then
      pg_db="samverkan_bench_$$"
      psql "$admin_url" -qc "DROP DATABASE IF EXISTS $pg_db" -c "CREATE DATABASE $pg_db"
      export SAMVERKAN_DATABASE_URL="${admin_url%/*}/$pg_db?sslmode=disable"
    else
      export SAMVERKAN_DATABASE_URL="sqlite://$work/bench-$size.db"
    fi
    load_start=$(date +%s.%N)
    SAMVERKAN_BENCH_IDS=$ids "$loader" "$size" 2>"$work/load.log"
    load_s=$(awk -v s="$load_start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}')
    start=$(date +%s.%N)
    (cd "$work" && SAMVERKAN_BIND="127.0.0.1:$port" exec "$bin" serve) &
    server=$!
    wait_ready "http://127.0.0.1:$port/health/ready"
    startup_ms=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.0f", 1000 * (e - s)}')
    "$ceiling" "127.0.0.1:$ceiling_port" &
    ceiling_pid=$!
    wait_ready "http://127.0.0.1:$ceiling_port/static"
    sleep 1
    idle_kb=$(rss_kb "$server")
    member=$("$bin" token --role member --ttl 1h)
    secretary=$("$bin" token --role secretary --ttl 1h)
    api="http://127.0.0.1:$port"
    top="http://127.0.0.1:$ceiling_port"
    head -n 10 "$ids/municipalities.txt" | paste -sd, - >"$work/ten.txt"

    scenario "0 GET /health/live" 64 "$api" "" /health/live; a=$last_rps
    scenario "0c ceiling static JSON" 64 "$top" "" /static; row "" "" "" "" "" "$(ratio "$a" "$last_rps") of ceiling"
    scenario "1 GET /decisions/{id} (member)" 64 "$api" "$ids/decisions.txt" "/api/v1/decisions/{}" GET "" "$member"; a=$last_rps
    scenario "1c ceiling decision by id" 64 "$top" "$ids/decisions.txt" "/decisions/{}"; row "" "" "" "" "" "$(ratio "$a" "$last_rps") of ceiling"
    scenario "2 GET /decisions?concerns=ORG&limit=50" 64 "$api" "$ids/municipalities.txt" "/api/v1/decisions?concerns={}&limit=50"; a=$last_rps
    scenario "2c ceiling 50-row page" 64 "$top" "$ids/decisions.txt" "/decisions?after={}&limit=50"; row "" "" "" "" "" "$(ratio "$a" "$last_rps") of ceiling"
    scenario "3 GET /meetings/{id}" 64 "$api" "$ids/meetings.txt" "/api/v1/meetings/{}"
    scenario "4 GET /events?after=SEQ&limit=200" 64 "$api" "$ids/events.txt" "/api/v1/events?after={}&limit=200"
    scenario "5 GET /indicators/{id}/values (10 orgs x 20 years)" 64 "$api" "$ids/indicators.txt" "/api/v1/indicators/{}/values?organisation_id=$(cat "$work/ten.txt")"
    scenario "5b GET /indicators/{id}/summary" 64 "$api" "$ids/indicators.txt" "/api/v1/indicators/{}/summary"
    scenario "6 GET /search?q=..." 64 "$api" "$root/bench/words.txt" "/api/v1/search?q={}"
    scenario "7 POST /decisions (32 connections)" 32 "$api" "$ids/items.txt" /api/v1/decisions POST \
      '{"meeting_id":"{1}","agenda_item_id":"{2}","kind":"decision","title":"Belastningsbeslut {n}","text":"Styrgruppen beslutar att följa upp samverkan."}' "$secretary"
    peak_kb=$(hwm_kb "$server")
    pgbench_line="-"
    if [ "$db" = postgres ] && command -v pgbench >/dev/null; then
      pgbench -i -q -s 10 "${admin_url%/*}/$pg_db" >/dev/null 2>&1 &&
        pgbench_line=$(pgbench -S -M prepared -c 8 -j 2 -T "$duration" "${admin_url%/*}/$pg_db" 2>/dev/null |
          awk '/^tps/ {printf "%.0f TPS", $3}')
    fi
    report=$out/$db-$size.md
    {
      echo "### $db, size $size ($(date -u +%Y-%m-%dT%H:%MZ))"
      echo
      echo "Load: ${load_s} s. Start-up to /health/ready: ${startup_ms} ms. Resident memory: idle $((idle_kb / 1024)) MB, peak $((peak_kb / 1024)) MB. pgbench -S: $pgbench_line."
      echo
      echo "| scenario | req/s | p50 | p99 | errors | vs ceiling |"
      echo "|---|---|---|---|---|---|"
      printf '%s' "$table"
      echo
      sed 's/^/    /' "$work/load.log"
    } >"$report"
    cat "$report"
    kill "$server" "$ceiling_pid" 2>/dev/null || true
    wait "$server" "$ceiling_pid" 2>/dev/null || true
    server="" ceiling_pid=""
    if [ "$db" = postgres ]; then
      psql "$admin_url" -qc "DROP DATABASE IF EXISTS $pg_db"
      pg_db=""
    fi
  done
done
if [ "$quick" = 1 ] && [ "${#failed[@]}" -gt 0 ]; then
  printf 'bench: scenario failed: %s\n' "${failed[@]}" >&2
  exit 1
fi
