#!/usr/bin/env bash
# Regenerates docs/screenshots/: a scratch database with 12 simulated weeks,
# a server on a free port, and the dashboard's pages at desktop and phone width
# in Debian's chromium (tests/web/screenshots.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/release/agentperf}
bash scripts/build-web.sh
dir=$(mktemp -d)
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT
db="$dir/agentperf.db"
"$bin" accounts create demo --db "$db" --time-zone Europe/Oslo \
  --conversation-url 'https://help.example.com/inbox/{conversation_id}' \
  --ticket-url 'https://help.example.com/tickets/{ticket_id}' >/dev/null
token=$("$bin" tokens create --db "$db" --account demo --role admin 2>/dev/null)
"$bin" simulate --db "$db" --account demo --weeks 12 >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --db "$db" --listen "127.0.0.1:$port" --web-root web/dist 2>/dev/null &
server=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
mkdir -p docs/screenshots
node tests/web/screenshots.mjs "http://127.0.0.1:$port" "$token" docs/screenshots
