#!/usr/bin/env bash
# `make run`: creates the demo database on first use (a `demo` account and an
# admin token), prints the URL and the token, and serves on $LISTEN.
set -euo pipefail
bin=${1:?usage: run-demo.sh AGENTPERF_BINARY}
listen=${LISTEN:-127.0.0.1:8080}
dir=demo
db="$dir/agentperf.db"
token_file="$dir/admin-token"
mkdir -p "$dir"
chmod 700 "$dir"

if [ ! -s "$token_file" ]; then
  "$bin" accounts create demo --db "$db" --time-zone Europe/Oslo \
    --conversation-url 'https://help.example.com/inbox/{conversation_id}' \
    --ticket-url 'https://help.example.com/tickets/{ticket_id}' >/dev/null
  (umask 077 && "$bin" tokens create --db "$db" --account demo --role admin \
    --label "make run" 2>/dev/null >"$token_file")
fi

echo "agentperf is starting on http://$listen/"
echo "  account: demo"
echo "  admin token (also in $token_file): $(cat "$token_file")"
echo "  try: curl -H \"Authorization: Bearer \$(cat $token_file)\" http://$listen/healthz"
exec "$bin" serve --db "$db" --listen "$listen"
