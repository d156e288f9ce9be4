#!/usr/bin/env bash
# SQLite next to PostgreSQL, in one run on the same data: for 100k and 1M
# conversations (about six events each, bench/reports/gen_conversations.py),
# `agentperf ingest` into a fresh database of each backend (events/s, with each
# backend's default durable settings: SQLite WAL + synchronous=FULL, PostgreSQL
# fsync + synchronous_commit on), then the median time of one full report page
# through the library (bench/page_bench) and over HTTP. PostgreSQL is a
# throw-away cluster on loopback (scripts/pg-test-server.sh), stopped at the
# end; set AP_BENCH_PG to a base URL to use a running server instead.
#
# Usage: bench/postgres/run.sh [CONVERSATIONS...]   (default: 100000 1000000)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD_DIR:-build/release}
bin=$build/agentperf
work=$build/bench/postgres
mkdir -p "$work"
now="2026-11-25T12:00:00Z"
sizes=("${@:-100000 1000000}")
read -r -a sizes <<<"${sizes[*]}"

[ -f "$build/build.ninja" ] || cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$build" >/dev/null

if [ -n "${AP_BENCH_PG:-}" ]; then
  pg=$AP_BENCH_PG
else
  state=$work/pg.state
  bash scripts/pg-test-server.sh stop "$state"
  trap 'bash scripts/pg-test-server.sh stop "$state"' EXIT
  pg=$(bash scripts/pg-test-server.sh start "$state")
fi
psql_admin() { psql -X -q -v ON_ERROR_STOP=1 -d "$pg/postgres" -c "$1" >/dev/null; }

median_ms() { sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]}'; }
seconds_since() { awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN {printf "%.2f", (b - a) / 1e9}'; }

# page_times DB: "library_ms http_ms" for one full report page.
page_times() {
  local db=$1 lib token port server http
  lib=$("$build/bench/page_bench" "$db" bench "$now" 20 | sed -E 's/.*page_ms_median=([0-9.]+).*/\1/')
  token=$("$bin" tokens create --db "$db" --account bench --role viewer 2>/dev/null)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$bin" serve --db "$db" --listen "127.0.0.1:$port" 2>/dev/null &
  server=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
  http=$(for _ in $(seq 15); do
      curl -fs -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/reports"
    done | awk '{print $1 * 1000}' | median_ms)
  kill "$server"; wait "$server" 2>/dev/null || true
  echo "$lib $http"
}

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores;" \
  "load $(cut -d' ' -f1-3 /proc/loadavg); PostgreSQL $(psql -X -At -d "$pg/postgres" -c 'SHOW server_version')," \
  "fsync $(psql -X -At -d "$pg/postgres" -c 'SHOW fsync'), agentperf $(git rev-parse --short HEAD)"
printf '%-13s %9s | %10s %10s %7s | %9s %9s %9s %9s\n' conversations events sqlite_ev/s pg_ev/s ratio \
  sq_page_ms pg_page_ms sq_http_ms pg_http_ms
for n in "${sizes[@]}"; do
  data=$build/bench/reports/conv-$n.ndjson
  mkdir -p "$(dirname "$data")"
  [ -s "$data" ] || python3 bench/reports/gen_conversations.py "$n" "$data"
  events=$(wc -l <"$data")

  sq=$work/conv-$n.db
  rm -f "$sq" "$sq-wal" "$sq-shm"
  "$bin" accounts create bench --db "$sq" >/dev/null
  t0=$(date +%s%N)
  "$bin" ingest --account bench --db "$sq" --quiet "$data" >/dev/null
  sq_secs=$(seconds_since "$t0")

  name=bench_conv_$n
  PGOPTIONS="-c client_min_messages=warning" psql_admin "DROP DATABASE IF EXISTS $name WITH (FORCE)"
  psql_admin "CREATE DATABASE $name"
  pgdb=$pg/$name
  "$bin" accounts create bench --db "$pgdb" >/dev/null
  t0=$(date +%s%N)
  "$bin" ingest --account bench --db "$pgdb" --quiet "$data" >/dev/null
  pg_secs=$(seconds_since "$t0")
  psql -X -q -d "$pgdb" -c "VACUUM ANALYZE" >/dev/null

  read -r sq_page sq_http < <(page_times "$sq")
  read -r pg_page pg_http < <(page_times "$pgdb")
  sq_rate=$(awk -v n="$events" -v s="$sq_secs" 'BEGIN {printf "%.0f", n / s}')
  pg_rate=$(awk -v n="$events" -v s="$pg_secs" 'BEGIN {printf "%.0f", n / s}')
  ratio=$(awk -v a="$pg_rate" -v b="$sq_rate" 'BEGIN {printf "%.2f", a / b}')
  printf '%-13s %9s | %10s %10s %7s | %9s %9s %9s %9s\n' "$n" "$events" "$sq_rate" "$pg_rate" "$ratio" \
    "$sq_page" "$pg_page" "$sq_http" "$pg_http"
  [ "${KEEP_DB:-0}" = 1 ] || { rm -f "$sq" "$sq-wal" "$sq-shm"; psql_admin "DROP DATABASE $name WITH (FORCE)"; }
done
