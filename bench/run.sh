#!/usr/bin/env bash
# `make bench`: every benchmark. The ingest benchmark (bench/ingest.sh: CLI,
# HTTP, the sqlite3 shell peer, and the JSON parser comparison), the reports
# page (bench/reports/run.sh) and the knowledge-gaps grouping engine's speed,
# memory and quality (bench/gaps/run.sh), and short-answer matching on CLINC150
# with its latency (bench/answers/quality.py). Its bench-only packages, cJSON,
# jansson and GNU time, are installed when missing and we are root; otherwise
# the JSON comparison is skipped and peak RSS comes from Python's getrusage.
# Environment: see bench/ingest.sh (N, SEED, DUP, BATCH, CONNECTIONS, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build/release}

missing=()
if command -v dpkg-query >/dev/null; then
  for pkg in libcjson-dev libjansson-dev time; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$pkg")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "run.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # A fresh machine has no package lists yet: update once and try again.
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
      { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
  else
    echo "run.sh: not root, not installing ${missing[*]}" >&2
  fi
fi

# Configure again so that a cJSON installed just now is found.
if [ -f "$build/build.ninja" ]; then
  cmake -S . -B "$build" >/dev/null
else
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
BUILD_DIR=$build bash bench/ingest.sh
bash bench/reports/run.sh
BUILD_DIR=$build bash bench/gaps/run.sh
if /usr/bin/python3 -c 'import sklearn' 2>/dev/null; then
  /usr/bin/python3 bench/answers/quality.py "$build/agentperf" ../shared/data
else
  echo "run.sh: python3-sklearn missing, answer-matching quality skipped" >&2
fi
