#!/usr/bin/env bash
# `make run`: creates the demo database on first use (a `demo` account, an
# admin token and 12 weeks of simulated conversations, see docs/simulator.md),
# prints the URL and the token, and serves on $LISTEN.
set -euo pipefail
bin=${1:?usage: run-demo.sh AGENTPERF_BINARY}
listen=${LISTEN:-127.0.0.1:8080}
dir=demo
db="$dir/agentperf.db"
token_file="$dir/admin-token"
simulated="$dir/simulated"
mkdir -p "$dir"
chmod 700 "$dir"

if [ ! -s "$token_file" ]; then
  "$bin" accounts create demo --db "$db" --time-zone Europe/Oslo \
    --conversation-url 'https://help.example.com/inbox/{conversation_id}' \
    --ticket-url 'https://help.example.com/tickets/{ticket_id}' >/dev/null
  (umask 077 && "$bin" tokens create --db "$db" --account demo --role admin \
    --label "make run" 2>/dev/null >"$token_file")
fi

# Once per demo database; the marker is written only after a complete run, and
# a run cut short can simply be repeated: the simulator's events are the same
# for the same seed, so what was already stored comes back as duplicates.
if [ ! -e "$simulated" ]; then
  echo "agentperf: simulating 12 weeks of conversations for the demo account..."
  "$bin" simulate --db "$db" --account demo --weeks 12
  touch "$simulated"
fi

echo "agentperf is starting on http://$listen/"
echo "  dashboard: open http://$listen/ and sign in with the admin token below"
echo "  account: demo"
echo "  admin token (also in $token_file): $(cat "$token_file")"
echo "  try: curl -H \"Authorization: Bearer \$(cat $token_file)\" http://$listen/healthz"
exec "$bin" serve --db "$db" --listen "$listen"
