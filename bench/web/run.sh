#!/usr/bin/env bash
# The dashboard benchmark: first render of the reports page in Debian's
# chromium (cold cache, a fresh context each run) on an account with N
# conversations, against the peer in the same run: the same page call with
# curl (the server's share). Uses the reports benchmark's data and database
# (bench/reports/gen_conversations.py), built on first use.
# Usage: bench/web/run.sh [CONVERSATIONS] [RUNS]   (default 1000000 10)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=build/release
bin=$build/agentperf
work=$build/bench/reports
n=${1:-1000000}
runs=${2:-10}
mkdir -p "$work"
bash scripts/build-web.sh

data="$work/conv-$n.ndjson"
db="$work/conv-$n.db"
[ -s "$data" ] || python3 bench/reports/gen_conversations.py "$n" "$data"
if [ ! -s "$db" ]; then
  rm -f "$db" "$db-wal" "$db-shm"
  "$bin" accounts create bench --db "$db" >/dev/null
  "$bin" ingest --account bench --db "$db" --quiet "$data" >/dev/null
fi
token=$("$bin" tokens create --db "$db" --account bench --role viewer 2>/dev/null)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --db "$db" --listen "127.0.0.1:$port" --web-root web/dist 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done

curl_ms=$(for _ in $(seq 30); do
    curl -fs -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/reports"
  done | awk '{print $1 * 1000}' | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]}')
conversations=$(sqlite3 "$db" "SELECT count(*) FROM conversations")
echo "conversations=$conversations curl_reports_ms_median=$curl_ms"
node bench/web/first_render.mjs "http://127.0.0.1:$port" "$token" "$runs" | tee "$work/web-$n.txt"
painted=$(sed -E 's/.*painted_ms_median=([0-9.]+).*/\1/' "$work/web-$n.txt")
awk -v p="$painted" -v c="$curl_ms" 'BEGIN {printf "page / API call = %.0fx; target: under 1000 ms: %s\n", p / c, (p < 1000 ? "met" : "MISSED")}'
