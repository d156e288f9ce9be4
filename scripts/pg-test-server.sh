#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests and benchmarks: initdb in a
# fresh temporary directory, listening on 127.0.0.1 and a free port only, run
# by a non-root user (PostgreSQL refuses to run as root; as root this script
# creates the system user agentperf-test), with PostgreSQL's default
# durability settings (fsync on). Nothing outside the temporary directory is
# touched; `stop` removes it.
#
#   scripts/pg-test-server.sh start STATE_FILE   starts a cluster; prints its base URL
#   scripts/pg-test-server.sh stop STATE_FILE    stops it and deletes its files
#
# STATE_FILE records the directory and URL between the two calls. The base URL
# (postgresql://agentperf@127.0.0.1:PORT) names no database: each test creates
# its own (tests/lib/apserver.py new_db, tests/store/test_store.c).
set -euo pipefail

command=${1:-}
state=${2:-}
if [ -z "$command" ] || [ -z "$state" ]; then
  echo "usage: $0 start|stop STATE_FILE" >&2
  exit 2
fi

RUN_USER=agentperf-test

bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ] && pg_config --bindir && return 0
  echo "pg-test-server: no PostgreSQL server binaries (install the Debian package postgresql)" >&2
  return 1
}

# Runs a command as the cluster's owner: ourselves, or agentperf-test when root.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u "$RUN_USER" -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local bin dir port
  bin=$(bindir)
  if [ "$(id -u)" = 0 ] && ! id "$RUN_USER" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_USER"
  fi
  dir=$(mktemp -d "${TMPDIR:-/tmp}/agentperf-pg.XXXXXX")
  [ "$(id -u)" = 0 ] && chown "$RUN_USER" "$dir"
  chmod 700 "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -U agentperf -A trust -E UTF8 --locale=C.UTF-8 \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; return 1; }
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    # Loopback only, sockets in our own directory; room for two servers'
    # worker connections plus the test helpers.
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir -c max_connections=200" \
        start >/dev/null; then
      printf 'dir=%s\nport=%s\nurl=postgresql://agentperf@127.0.0.1:%s\n' "$dir" "$port" "$port" >"$state"
      echo "postgresql://agentperf@127.0.0.1:$port"
      return 0
    fi
    grep -q "could not bind" "$dir/server.log" 2>/dev/null || break
  done
  cat "$dir/server.log" >&2 2>/dev/null || true
  rm -rf "$dir"
  return 1
}

stop() {
  [ -f "$state" ] || return 0
  local dir bin
  dir=$(sed -n 's/^dir=//p' "$state")
  bin=$(bindir)
  if [ -n "$dir" ] && [ -d "$dir/data" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  fi
  case "$dir" in
    */agentperf-pg.*) rm -rf "$dir" ;;
  esac
  rm -f "$state"
}

case "$command" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop STATE_FILE" >&2; exit 2 ;;
esac
