#!/usr/bin/env bash
# Load bench (issue 8): `agentperf serve` on a database of many conversations,
# then wrk with 200 connections for 60 s: report pages, gap lists and NDJSON
# ingest mixed (mixed.lua). Prints throughput, p50/p99 latency, errors (must
# be 0) and the server's RSS before and after each round (ROUNDS, default 2), with
# the machine's load average.
#
#   bash bench/load/run.sh                  # ~1M conversations (52 weeks × 3150 a day)
#   WEEKS=4 PER_DAY=500 bash bench/load/run.sh   # a quick look
#
# The database is kept in build/load/ and reused when it exists (populating is
# the slow part); DURATION, CONNECTIONS, THREADS, BATCH change the run.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=build/release/agentperf
weeks=${WEEKS:-52}
per_day=${PER_DAY:-3150}
duration=${DURATION:-60s}
connections=${CONNECTIONS:-200}
dir=build/load
db="$dir/load-${weeks}w-${per_day}.db"
command -v wrk >/dev/null || { echo "load bench: wrk is missing (AGENTPERF_WITH_BENCH=1 make deps)"; exit 1; }
[ -x "$bin" ] || make build >/dev/null
mkdir -p "$dir"

if [ ! -f "$db" ]; then
  echo "populating $db: $weeks weeks, $per_day conversations a day"
  start=$(date +%s)
  "$bin" accounts create load --db "$db" >/dev/null
  "$bin" simulate --db "$db" --account load --weeks "$weeks" --conversations-per-day "$per_day" \
    --now 2026-11-28T00:00:00Z >"$dir/simulate.log" 2>&1
  echo "populated in $(( $(date +%s) - start )) s: $(tail -n 1 "$dir/simulate.log")"
fi
conversations=$(sqlite3 "$db" "SELECT count(DISTINCT conversation_id) FROM events")
events=$(sqlite3 "$db" "SELECT count(*) FROM events")
export AP_VIEWER_TOKEN=$("$bin" tokens create --db "$db" --account load --role viewer --label load-viewer 2>/dev/null)
export AP_INGEST_TOKEN=$("$bin" tokens create --db "$db" --account load --role ingest --label load-ingest 2>/dev/null)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# Rate limiting off: 200 connections share two tokens here.
"$bin" serve --db "$db" --listen "127.0.0.1:$port" --threads "${SERVER_THREADS:-4}" \
  --rate-limit 0 2>"$dir/serve.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
rss() { awk '/VmRSS/ {print $2 / 1024 " MiB"}' "/proc/$pid/status"; }
# One warm-up pass, so that the first report of each kind is not in the figures.
for p in /v1/reports /v1/gaps; do
  curl -sf -H "Authorization: Bearer $AP_VIEWER_TOKEN" "http://127.0.0.1:$port$p" >/dev/null
done
rss_before=$(rss)
echo "database: $conversations conversations, $events events; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# Two rounds by default: the first fills SQLite's page caches (64 MiB per
# connection), the second shows whether memory still grows once they are full.
rounds=${ROUNDS:-2}
failed=0
for round in $(seq "$rounds"); do
  echo "round $round of $rounds"
  wrk -t "${THREADS:-2}" -c "$connections" -d "$duration" --timeout 30s -s bench/load/mixed.lua \
    "http://127.0.0.1:$port" | tee "$dir/wrk-$round.log"
  grep -q '^errors connect=0 read=0 write=0 timeout=0 status=0$' "$dir/wrk-$round.log" || failed=1
  echo "rss after round $round: $(rss)"
done
echo "rss before=$rss_before after=$(rss); load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
statuses=$(grep -oE 'status=[0-9]+' "$dir/serve.log" | sort | uniq -c | tr '\n' ' ')
echo "server log statuses: $statuses"
kill -TERM $pid
wait $pid
trap - EXIT
[ "$failed" = 0 ] || { echo "load bench: errors"; exit 1; }
