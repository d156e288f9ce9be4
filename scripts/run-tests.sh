#!/usr/bin/env bash
# Runs every test of a build directory with ctest and ends with the line
# "N passed, N failed, N skipped" that CI reads (.ci/run). A skipped test is
# one that exited 77 (ctest's SKIP_RETURN_CODE): ctest counts it among the
# passed in its percentage, this line does not.
set -uo pipefail
build_dir=${1:?usage: run-tests.sh BUILD_DIR}
log="$build_dir/test-output.log"

# LeakSanitizer is on; ICU keeps caches for the life of the process by design,
# so its allocations still reachable at exit are not leaks of ours.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0}

# The PostgreSQL runs of the tests (names ending in -pg) need a server: a
# throw-away cluster for this run, stopped however the run ends. Set
# AP_TEST_PG to use a running server instead (a base URL without a database).
if [ -z "${AP_TEST_PG:-}" ]; then
  pg_state="$build_dir/pg-test-server.state"
  bash scripts/pg-test-server.sh stop "$pg_state"
  trap 'bash scripts/pg-test-server.sh stop "$pg_state"' EXIT
  if AP_TEST_PG=$(bash scripts/pg-test-server.sh start "$pg_state"); then
    export AP_TEST_PG
  else
    echo "run-tests: could not start a PostgreSQL test server; the -pg tests fail" >&2
  fi
fi
export AP_TEST_PG_REQUIRED=1
# The data sets (../shared/data) and browsers are present here and in CI: the
# suites that use them fail rather than skip (tests/lib/run_suite.py).
export AP_TEST_REQUIRED=1

(cd "$build_dir" && ctest --output-on-failure --timeout 900 -j "$(nproc)") 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n 1)
if [ -z "$summary" ]; then
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
failed=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$summary")
total=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$summary")
# ctest lists them under "The following tests did not run:" as "N - name (Skipped)".
skipped=$(grep -cE '^[[:space:]]*[0-9]+ - .* \(Skipped\)$' "$log")
echo "$((total - failed - skipped)) passed, $failed failed, $skipped skipped"
exit "$status"
