#!/usr/bin/env bash
# Builds the dashboard into web/dist for `make run` and `make test`: installs
# the npm packages pinned by web/package-lock.json with `npm ci` (only when
# the lockfile changed since the last install) and bundles with esbuild (only
# when a source is newer than the last build). Nothing is fetched at run time.
set -euo pipefail
cd "$(dirname "$0")/../web"

stamp=node_modules/.package-lock.json
if [ ! -e "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "build-web: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ ! -e dist/index.html ] ||
   [ -n "$(find src index.html build.mjs favicon.svg package-lock.json -newer dist/index.html -print -quit)" ]; then
  node build.mjs
fi
