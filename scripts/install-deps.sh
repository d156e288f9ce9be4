#!/usr/bin/env bash
# Installs every Debian package agentperf needs to build, run, test and benchmark.
# One script for `make run`, `make test` and CI: it installs only what is missing,
# so a second run costs one dpkg query.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
  libmicrohttpd-dev libsqlite3-dev sqlite3 libsodium-dev
  libicu-dev libstemmer-dev libcmocka-dev libpq-dev postgresql libcurl4-openssl-dev
  python3 python3-prometheus-client python3-jsonschema curl procps
  nodejs chromium firefox-esr valgrind
)

# Node.js and npm build the dashboard (web/package-lock.json) and run the npm
# packages of the tests; chromium and firefox-esr run the dashboard's browser
# tests (SPEC §7: current Chromium and Firefox). Debian's
# npm is a package of its own; a Node.js that bundles npm (NodeSource's)
# conflicts with it, so npm is only added when no npm is on the PATH.
command -v npm >/dev/null 2>&1 || packages+=(npm)

if [ "${AGENTPERF_WITH_BENCH:-0}" = 1 ]; then
  packages+=(libcjson-dev libjansson-dev hyperfine wrk python3-sklearn)
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
