#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (clang, ASan+UBSan) in build/fuzz and
# runs each for FUZZ_SECONDS (default 60) from the seed corpus in the repo.
# New inputs go to build/fuzz/corpus (the repo's seeds are only read), crashes
# to build/fuzz/artifacts. Ends with "fuzz: N passed, N failed"; exits non-zero
# when a target crashed, leaked, timed out or hit a sanitizer.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-"event ndjson http text embed"}
dir=build/fuzz

if [ ! -f "$dir/build.ninja" ]; then
  cmake -S . -B "$dir" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DAP_FUZZ=ON -DAP_TESTS=OFF -DAP_BENCH=OFF >/dev/null || { echo "fuzz: 0 passed, 1 failed"; exit 1; }
fi
ninja -C "$dir" $(for t in $targets; do printf 'fuzz_%s ' "$t"; done) >/dev/null ||
  { echo "fuzz: 0 passed, 1 failed"; exit 1; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0}
passed=0 failed=0
for t in $targets; do
  mkdir -p "$dir/corpus/$t" "$dir/artifacts/$t"
  log="$dir/fuzz_$t.log"
  "$dir/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$dir/artifacts/$t/" \
    "$dir/corpus/$t" "fuzz/corpus/$t" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1)
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    echo "fuzz_$t: ${seconds}s, ${execs:-?} executions, ${cov:-cov: ?}, no crash"
  else
    failed=$((failed + 1))
    echo "fuzz_$t: FAILED (exit $rc), see $log and $dir/artifacts/$t/"
    grep -E 'ERROR|SUMMARY|runtime error|deadly signal' "$log" | head -n 5
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
