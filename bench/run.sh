#!/usr/bin/env bash
# The benchmark suite: samverkan against the ceiling of its own stack, in one run, on loopback.
#
#   bash bench/run.sh                 # S and L, SQLite and PostgreSQL, 10 s per scenario
#   bash bench/run.sh --quick         # S only, 2 s per scenario (CI runs this)
#   BENCH_SIZES="S M" BENCH_DBS=postgres bash bench/run.sh
#   BENCH_SOAK=600 bash bench/run.sh  # and a 10-minute soak (memory growth) per database and size
#
# For each database and size: a fresh database filled by `samverkan-load` (timed), then
# `samverkan serve` and the ceiling server (`bench/ceiling`: actix-web + sea-orm, same pool
# layout, no auth, audit or envelope) over it, start-up time to /health/ready, and wrk
# (2 threads, 64 connections, 32 for writes; 10 s timeout) for each scenario after a warm-up, each
# samverkan scenario followed at once by its ceiling counterpart so that ratios come from one
# run. Scenario 7b counts the webhook deliveries the writes of 7 cause, at a local receiver
# (bench/receiver.py); 8 writes 1,000 indicator values per request. `pgbench -S` measures
# PostgreSQL alone. Resident memory is read idle, at peak and, with BENCH_SOAK=seconds, before
# and after a soak of by-id reads and list pages.
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
receiver_port=$((port + 2))
soak=${BENCH_SOAK:-0}
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
server="" ceiling_pid="" pg_db="" receiver=""
cleanup() {
  kill $server $ceiling_pid $receiver 2>/dev/null || true
  wait 2>/dev/null || true
  [ -n "$pg_db" ] && psql "$admin_url" -qc "DROP DATABASE IF EXISTS $pg_db" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

export SAMVERKAN_LOG=warn SAMVERKAN_RATE_LIMIT=0 SAMVERKAN_RATE_LIMIT_ANONYMOUS=0
# Scenario 7b delivers to a receiver on loopback.
export SAMVERKAN_WEBHOOK_ALLOW_PRIVATE=true
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
  [ "${body:0:1}" = @ ] && body=$(cat "${body:1}")
  body=${body//'{r}'/1.0}
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
  local body_file=""
  [ "${body:0:1}" = @ ] && body_file=${body:1} body=""
  read -r rps p50 p99 err < <(BENCH_IDS=$ids BENCH_PATH=$path BENCH_METHOD=$method \
    BENCH_BODY=$body BENCH_BODY_FILE=$body_file BENCH_TOKEN=$token measure "$base" "$connections")
  [ -n "$rps" ] || failed+=("$label (wrk printed no result)")
  row "$label" "$rps" "$p50" "$p99" "$err" "${9:-}"
  echo "$label: $rps req/s, p50 $p50, p99 $p99, errors $err" >&2
  last_rps=$rps
}
failed=()

# The body of scenario 8: 50 municipalities x 20 years, each value random ({r}).
values_body() {
  head -n 50 "$1" | awk 'BEGIN {printf "{\"values\":["}
    {for (y = 2005; y < 2025; y++) printf "%s{\"organisation_id\":\"%s\",\"period\":\"%d\",\"value\":{r}}", (n++ ? "," : ""), $1, y}
    END {print "]}"}'
}

# 7b: deliveries per second at the receiver while the backlog of 7 drains (at most 60 s).
deliveries() {
  # Counting starts when 7 ends; it stops when nothing more came for 3 s (the backlog drained).
  local c0 t0 count last waited=0 before=-1 still=0
  read -r c0 _ < <(curl -sf "http://127.0.0.1:$receiver_port/")
  t0=$(date +%s.%N)
  while [ "$waited" -lt 600 ] && [ "$still" -lt 30 ]; do
    sleep 0.1
    waited=$((waited + 1))
    read -r count last < <(curl -sf "http://127.0.0.1:$receiver_port/")
    if [ "$count" = "$before" ]; then still=$((still + 1)); else still=0 before=$count; fi
  done
  local rate
  rate=$(awk -v c="$count" -v c0="$c0" -v t0="$t0" -v l="$last" \
    'BEGIN { if (l > t0) printf "%.0f", (c - c0) / (l - t0); else print 0 }')
  row "7b webhook deliveries/s (backlog of 7)" "$rate" "" "" "" "$count delivered in all"
  echo "7b: $rate deliveries/s, $count delivered in all" >&2
  [ "$count" -gt 0 ] || failed+=("7b (no delivery reached the receiver)")
  kill "$receiver" 2>/dev/null || true
  wait "$receiver" 2>/dev/null || true
  receiver=""
}

# A soak of by-id reads and list pages: resident memory after a tenth of it and at its end.
soak_memory() {
  local seconds=$1 early late
  BENCH_IDS=$ids/decisions.txt BENCH_PATH="/api/v1/decisions/{}" BENCH_TOKEN=$member \
    wrk -t1 -c32 -d"${seconds}s" -s "$root/bench/pick.lua" "$api" >/dev/null 2>&1 &
  local reads=$!
  BENCH_IDS=$ids/municipalities.txt BENCH_PATH="/api/v1/decisions?concerns={}&limit=50" \
    wrk -t1 -c16 -d"${seconds}s" -s "$root/bench/pick.lua" "$api" >/dev/null 2>&1 &
  local lists=$!
  sleep $((seconds / 10))
  early=$(rss_kb "$server")
  wait "$reads" "$lists" || true
  late=$(rss_kb "$server")
  soak_line="soak ${seconds} s: $((early / 1024)) MB after a tenth, $((late / 1024)) MB at the end ($(awk -v a="$early" -v b="$late" 'BEGIN {printf "%+.1f", 100 * (b - a) / a}') %)"
}

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
    admin=$("$bin" token --role admin --ttl 1h)
    values_body "$ids/municipalities.txt" >"$work/values.json"
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
    # 7b: a subscription to decisions at a local receiver, then the writes of 7.
    python3 "$root/bench/receiver.py" "$receiver_port" &
    receiver=$!
    wait_ready "http://127.0.0.1:$receiver_port/"
    curl -sf -o /dev/null -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
      --data "{\"url\":\"http://127.0.0.1:$receiver_port/hook\",\"types\":[\"decision.*\"]}" \
      "$api/api/v1/webhooks" || failed+=("7b (the webhook subscription was refused)")
    scenario "7 POST /decisions (32 connections)" 32 "$api" "$ids/items.txt" /api/v1/decisions POST \
      '{"meeting_id":"{1}","agenda_item_id":"{2}","kind":"decision","title":"Belastningsbeslut {n}","text":"Styrgruppen beslutar att följa upp samverkan."}' "$secretary"
    deliveries
    scenario "8 PUT /indicators/{id}/values (1,000 rows)" 8 "$api" "$ids/indicators.txt" \
      "/api/v1/indicators/{}/values" PUT "@$work/values.json" "$secretary"
    soak_line="no soak"
    [ "$soak" -gt 0 ] && soak_memory "$soak"
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
      echo "Load: ${load_s} s. Start-up to /health/ready: ${startup_ms} ms. Resident memory: idle $((idle_kb / 1024)) MB, peak $((peak_kb / 1024)) MB, $soak_line. pgbench -S: $pgbench_line."
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
