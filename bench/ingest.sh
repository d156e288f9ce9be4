#!/usr/bin/env bash
# The ingest benchmark of the foundation, in one run over one generated file:
# (a) `agentperf ingest` into a fresh SQLite file with its default, durable
# settings; (b) POST /v1/events over HTTP into another fresh file; (c) the peer:
# the sqlite3 shell loading the same lines into a table of the same columns with
# json_extract, in one transaction; then the JSON parser comparison. Prints
# events/s, peak RSS and CPU for each, and a summary table.
#
# Environment: N events (default 1000000), SEED (1), DUP duplicate share (0),
# IDS random (like UUIDv4, default) or ordered (time first, like ULID/UUIDv7),
# BATCH events per HTTP request (5000), CONNECTIONS parallel HTTP clients (3),
# BUILD_DIR (build/release), ROUNDS of the JSON comparison (3), KEEP_DB=1 to keep
# the three databases in build/bench/ (they take 1-6 GB) for inspection.
# Exits non-zero when a step fails or a count is wrong, not when a target is
# missed (the table says so).
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000000}
SEED=${SEED:-1}
DUP=${DUP:-0}
IDS=${IDS:-random}
BATCH=${BATCH:-5000}
CONNECTIONS=${CONNECTIONS:-3}
ROUNDS=${ROUNDS:-3}
build=${BUILD_DIR:-build/release}
bin=$build/agentperf
work=build/bench
TARGET_CLI=200000
TARGET_HTTP=100000
mkdir -p "$work"

fail() { echo "ingest.sh: $*" >&2; exit 1; }

# --- build, data -------------------------------------------------------------
[ -f "$build/build.ninja" ] || cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C "$build" >/dev/null || fail "build failed"

data=$work/events-n$N-seed$SEED-dup$DUP-$IDS.ndjson
if [ ! -s "$data" ]; then
  python3 bench/gen_events.py "$data.tmp" --events "$N" --seed "$SEED" --duplicates "$DUP" --ids "$IDS"
  mv "$data.tmp" "$data"
fi
lines=$(wc -l <"$data")
bytes=$(wc -c <"$data")

echo "== machine"
echo "cpu:      $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
echo "memory:   $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo)"
echo "kernel:   $(uname -sr)"
echo "disk:     $(df -h "$work" | awk 'NR == 2 {print $1 " (" $2 ")"}')"
echo "sqlite3:  $(sqlite3 --version | cut -d' ' -f1)"
echo "agentperf: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo ' + uncommitted src changes')"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min, before the run)"
echo "data:     $data: $lines lines, $((bytes / 1000000)) MB, $IDS ids"

# run_measured NAME CMD...: runs CMD with stdout in $work/NAME.out and stderr
# in $work/NAME.err; sets secs, rss_kb and cpu_s (user + system).
peak_py='import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:], stdout=sys.stdout, stderr=sys.stderr)
u = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write("%d %.2f %.2f\n" % (u.ru_maxrss, u.ru_utime, u.ru_stime))
sys.exit(rc)'
run_measured() {
  local name=$1 t0 t1 rc=0
  shift
  t0=$(date +%s%N)
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%M %U %S' -o "$work/$name.rusage" "$@" >"$work/$name.out" 2>"$work/$name.err" || rc=$?
  else
    python3 -c "$peak_py" "$work/$name.rusage" "$@" >"$work/$name.out" 2>"$work/$name.err" || rc=$?
  fi
  t1=$(date +%s%N)
  [ "$rc" -eq 0 ] || { cat "$work/$name.err" >&2; fail "$name exited with $rc"; }
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e9}')
  read -r rss_kb user sys < <(tail -n 1 "$work/$name.rusage")
  cpu_s=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')
}

fresh_db() { rm -f "$1" "$1-wal" "$1-shm" "$1-journal"; }
# Bytes of a database and its write-ahead log, in MB.
size_of() { [ -f "$1" ] && stat -c %s "$1" || echo 0; }
db_mb() { echo $(($(size_of "$1") + $(size_of "$1-wal"))) | awk '{printf "%.0f", $1 / 1e6}'; }
wal_mb() { size_of "$1-wal" | awk '{printf "%.0f", $1 / 1e6}'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN {printf "%.0f", n / s}'; }
mb() { awk -v k="$1" 'BEGIN {printf "%.0f", k / 1024}'; }

# --- (a) agentperf ingest ----------------------------------------------------
echo
echo "== (a) agentperf ingest (CLI, default durable settings: WAL, synchronous=FULL, 5,000 events a transaction)"
db_cli=$work/ingest-cli.db
fresh_db "$db_cli"
"$bin" accounts create bench --db "$db_cli" >/dev/null
run_measured ingest-cli "$bin" ingest --account bench --db "$db_cli" --quiet "$data"
cat "$work/ingest-cli.out"
read -r stored duplicate < <(sed -E 's/stored ([0-9]+), duplicate ([0-9]+).*/\1 \2/' "$work/ingest-cli.out")
[ $((stored + duplicate)) -eq "$lines" ] || fail "ingest: $stored stored + $duplicate duplicate != $lines lines"
cli_secs=$secs cli_rss=$rss_kb cli_cpu=$cpu_s cli_db=$(db_mb "$db_cli")
cli_rate=$(rate "$lines" "$secs")
echo "$lines lines in $secs s: $cli_rate events/s; CPU $cpu_s s; peak RSS $(mb "$rss_kb") MB;" \
  "database $cli_db MB, WAL left $(wal_mb "$db_cli") MB"

# --- (b) HTTP ----------------------------------------------------------------
echo
echo "== (b) POST /v1/events: $CONNECTIONS connections, $BATCH events a request (bench/http_post.py)"
db_http=$work/ingest-http.db
fresh_db "$db_http"
"$bin" accounts create bench --db "$db_http" >/dev/null
token=$("$bin" tokens create --account bench --role ingest --db "$db_http" 2>/dev/null)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --db "$db_http" --listen "127.0.0.1:$port" 2>"$work/serve.log" &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 200); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.05
done
curl -fs "http://127.0.0.1:$port/healthz" >/dev/null || fail "server did not start: $(tail -3 "$work/serve.log")"
ticks=$(getconf CLK_TCK)
server_cpu() { awk -v t="$ticks" '{printf "%.2f", ($14 + $15) / t}' "/proc/$server/stat"; }
cpu0=$(server_cpu)
python3 bench/http_post.py --port "$port" --token "$token" --batch "$BATCH" \
  --connections "$CONNECTIONS" "$data" >"$work/ingest-http.out" || fail "HTTP client failed"
cpu1=$(server_cpu)
# The server's own high-water mark, read before it stops: exact, and needs no wrapper.
http_rss=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
http_db=$(db_mb "$db_http") http_wal=$(wal_mb "$db_http")
kill -TERM "$server"
wait "$server" || fail "server exited with $? on SIGTERM"
trap - EXIT
http_wal_left=$(wal_mb "$db_http")
cat "$work/ingest-http.out"
kv() { tr ' ' '\n' <"$work/ingest-http.out" | sed -n "s/^$1=//p"; }
seconds=$(kv seconds) stored=$(kv stored) duplicate=$(kv duplicate) client_cpu_s=$(kv client_cpu_s)
[ $((stored + duplicate)) -eq "$lines" ] || fail "HTTP: $stored stored + $duplicate duplicate != $lines lines"
http_secs=$seconds
http_rate=$(rate "$lines" "$seconds")
http_cpu=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN {printf "%.2f", b - a}')
server_cores=$(awk -v c="$http_cpu" -v s="$seconds" 'BEGIN {printf "%.2f", c / s}')
client_cores=$(awk -v c="$client_cpu_s" -v s="$seconds" 'BEGIN {printf "%.2f", c / s}')
echo "$lines lines in $seconds s: $http_rate events/s; server CPU $http_cpu s ($server_cores cores)," \
  "client CPU $client_cpu_s s ($client_cores cores); server peak RSS $(mb "$http_rss") MB"
bottleneck=$(awk -v s="$server_cores" -v c="$client_cores" 'BEGIN {print (s >= 3 * c) ? "server" : "client?"}')
echo "bottleneck: $bottleneck (server uses $server_cores cores, the client $client_cores)"
echo "database + WAL at the end $http_db MB (WAL $http_wal MB); WAL left after SIGTERM $http_wal_left MB"

# --- (c) the peer: sqlite3 shell ---------------------------------------------
echo
echo "== (c) sqlite3 shell: .import the lines, INSERT ... SELECT json_extract(...) in one transaction"
db_peer=$work/ingest-sqlite3.db
fresh_db "$db_peer"
# The events table of src/store/migrations/sqlite (001 + 002) with its indexes,
# the same pragmas as the store, the body validated and minified by json().
cat >"$work/peer.sql" <<EOF
PRAGMA journal_mode = WAL;
PRAGMA synchronous = FULL;
PRAGMA cache_size = -65536;
PRAGMA temp_store = MEMORY;
CREATE TABLE events (
    account_id INTEGER NOT NULL, id TEXT NOT NULL, conversation_id TEXT NOT NULL,
    type INTEGER NOT NULL, at_us INTEGER NOT NULL, body TEXT NOT NULL,
    ticket_id TEXT, member_id TEXT, attr TEXT, flags INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, id));
CREATE INDEX events_by_conversation ON events (account_id, conversation_id);
CREATE INDEX events_by_ticket ON events (account_id, ticket_id) WHERE ticket_id IS NOT NULL;
BEGIN;
CREATE TEMP TABLE raw (line TEXT);
.mode ascii
.separator "\037" "\n"
.import $data raw
INSERT OR IGNORE INTO events
SELECT 1, json_extract(line, '\$.id'), json_extract(line, '\$.conversation_id'),
       CASE json_extract(line, '\$.type')
         WHEN 'conversation.started' THEN 0 WHEN 'question.asked' THEN 1
         WHEN 'conversation.handed_off' THEN 2 WHEN 'human.replied' THEN 3
         WHEN 'conversation.resolved' THEN 4 WHEN 'conversation.closed' THEN 5
         WHEN 'ticket.closed' THEN 6 WHEN 'feedback.submitted' THEN 7 END,
       CAST(round((julianday(json_extract(line, '\$.at')) - 2440587.5) * 86400000000.0) AS INTEGER),
       json(line), json_extract(line, '\$.ticket_id'), json_extract(line, '\$.member_id'),
       coalesce(json_extract(line, '\$.channel'), json_extract(line, '\$.reason')),
       (json_extract(line, '\$.handler') IS 'human')
         | ((json_extract(line, '\$.answered') IS 1) << 1)
         | ((json_extract(line, '\$.by') IS 'human') << 2)
         | ((json_extract(line, '\$.rating') IS 'helpful') << 3)
FROM raw;
COMMIT;
.mode list
SELECT count(*) FROM events;
EOF
run_measured ingest-sqlite3 sqlite3 -bail -init /dev/null "$db_peer" ".read $work/peer.sql"
peer_rows=$(grep -E '^[0-9]+$' "$work/ingest-sqlite3.out" | tail -n 1)
[ "$peer_rows" -eq $((lines - duplicate)) ] || fail "sqlite3: $peer_rows rows, expected $((lines - duplicate))"
peer_secs=$secs peer_rss=$rss_kb peer_cpu=$cpu_s peer_db=$(db_mb "$db_peer")
peer_rate=$(rate "$lines" "$secs")
echo "$lines lines in $secs s: $peer_rate events/s; CPU $cpu_s s; peak RSS $(mb "$rss_kb") MB;" \
  "database $peer_db MB"

# --- JSON parsers ------------------------------------------------------------
echo
echo "== JSON parsers on the same lines (bench/json_parse.c)"
if [ -x "$build/bench/json_parse" ]; then
  "$build/bench/json_parse" "$data" "$ROUNDS" || fail "json_parse failed"
else
  echo "skipped: $build/bench/json_parse was not built (cJSON missing: apt-get install libcjson-dev)"
fi

# --- summary -----------------------------------------------------------------
verdict() { [ "$1" -ge "$2" ] && echo "met ($2)" || echo "MISSED ($2)"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo
echo "== summary: $lines events ($((bytes / 1000000)) MB), $(nproc) cores"
row() { printf '%-32s %8s %9s %7s %8s %7s  %s\n' "$@"; }
row run seconds events/s CPU_s RSS_MB disk_MB target
row "agentperf ingest (CLI)" "$cli_secs" "$cli_rate" "$cli_cpu" "$(mb "$cli_rss")" \
  "$cli_db" "$(verdict "$cli_rate" $TARGET_CLI)"
row "agentperf HTTP ($CONNECTIONS conn x $BATCH)" "$http_secs" "$http_rate" "$http_cpu" \
  "$(mb "$http_rss")" "$http_db" "$(verdict "$http_rate" $TARGET_HTTP)"
row "sqlite3 shell + json_extract" "$peer_secs" "$peer_rate" "$peer_cpu" \
  "$(mb "$peer_rss")" "$peer_db" "-"
echo "ratio agentperf ingest / sqlite3: $(ratio "$cli_rate" "$peer_rate")"
echo "ratio agentperf HTTP / sqlite3:   $(ratio "$http_rate" "$peer_rate")"
echo "HTTP bottleneck: $bottleneck (server $server_cores cores, client $client_cores cores)"
echo "(CPU_s: user + system; HTTP: the server's. disk_MB: database + WAL at the end.)"
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "${KEEP_DB:-0}" = 1 ] || for db in "$db_cli" "$db_http" "$db_peer"; do fresh_db "$db"; done
