#!/usr/bin/env bash
# The reports benchmark: for 100k and 1M conversations (about six events each),
# the time of one full page through the library (the CLI path), over HTTP, and
# of the same page computed by a straightforward SQL query over the raw events
# in SQLite, in one run. Usage: bench/reports/run.sh [CONVERSATIONS...]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=build/release
bin=$build/agentperf
work=$build/bench/reports
mkdir -p "$work"
now="2026-11-25T12:00:00Z"
sizes=("${@:-100000 1000000}")
read -r -a sizes <<<"${sizes[*]}"

median_ms() { sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]}'; }

printf '%-14s %12s %12s %12s %14s %10s\n' conversations events page_ms http_ms raw_sql_ms ratio
for n in "${sizes[@]}"; do
  data="$work/conv-$n.ndjson"
  db="$work/conv-$n.db"
  [ -s "$data" ] || python3 bench/reports/gen_conversations.py "$n" "$data"
  if [ ! -s "$db" ]; then
    rm -f "$db" "$db-wal" "$db-shm"
    "$bin" accounts create bench --db "$db" >/dev/null
    "$bin" ingest --account bench --db "$db" --quiet "$data" >/dev/null
  fi
  events=$(wc -l <"$data")
  page=$("$build/bench/page_bench" "$db" bench "$now" 50 | sed -E 's/.*page_ms_median=([0-9.]+).*/\1/')

  token=$("$bin" tokens create --db "$db" --account bench --role viewer 2>/dev/null)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$bin" serve --db "$db" --listen "127.0.0.1:$port" 2>/dev/null &
  server=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
  http=$(for _ in $(seq 30); do
      curl -fs -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/reports"
    done | awk '{print $1 * 1000}' | median_ms)
  kill "$server"; wait "$server" 2>/dev/null || true

  from_us=$(( $(date -d 2026-08-24 +%s) * 1000000 )); to_us=$(( $(date -d 2026-11-30 +%s) * 1000000 ))
  now_us=$(( $(date -d "$now" +%s) * 1000000 ))
  raw=$(for _ in 1 2 3; do
      s=$(date +%s%N)
      sqlite3 "$db" ".parameter set :account 1" ".parameter set :now $now_us" \
        ".parameter set :inactivity 259200000000" ".parameter set :from_us $from_us" \
        ".parameter set :to_us $to_us" ".read bench/reports/raw_page.sql" >/dev/null
      e=$(date +%s%N); echo $(( (e - s) / 1000 ))
    done | awk '{print $1 / 1000}' | median_ms)
  ratio=$(awk -v r="$raw" -v p="$page" 'BEGIN {printf "%.0fx", r / p}')
  printf '%-14s %12s %12s %12s %14s %10s\n' "$n" "$events" "$page" "$http" "$raw" "$ratio"
done
