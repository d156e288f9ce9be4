#!/usr/bin/env bash
# Runs every C unit test of a build, then the server and CLI under a few
# end-to-end suites, under valgrind's memcheck. Any error (invalid read or
# write, use of uninitialised memory, a definite or indirect leak) fails it.
# Memory still reachable at exit (ICU's and libsodium's caches) is not a leak.
# Ends with "valgrind: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
build=$(cd "$build" && pwd)
out="$build/valgrind"
rm -rf "$out"
mkdir -p "$out" "$build/test-tmp"
vg=(valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect
    --errors-for-leak-kinds=definite,indirect --track-origins=yes --num-callers=30)
passed=0 failed=0
note() { if [ "$1" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "valgrind: $2 FAILED"; fi; }

for t in "$build"/tests/*_test_*; do
  [ -x "$t" ] || continue
  name=$(basename "$t")
  AP_TEST_TMP="$build/test-tmp" "${vg[@]}" --log-file="$out/$name.%p.log" "$t" >"$out/$name.out" 2>&1
  note $? "$name"
done

# The binary behind a wrapper, so that every `agentperf serve` and CLI call the
# Python suites make runs under memcheck, each process with its own log.
wrapper="$out/agentperf"
cat >"$wrapper" <<WRAP
#!/bin/sh
exec ${vg[*]} --log-file=$out/agentperf.%p.log $build/agentperf "\$@"
WRAP
chmod +x "$wrapper"
for suite in ${VALGRIND_SUITES:-http/test_access_matrix.py http/test_limits.py gaps/test_gaps_service.py}; do
  AGENTPERF_BIN="$wrapper" AP_TEST_TMP="$build/test-tmp" PYTHONPATH=tests/lib \
    AP_SHARED_DATA="$(pwd)/../shared/data" /usr/bin/python3 "tests/$suite" >"$out/$(basename "$suite").out" 2>&1
  note $? "$suite (see $out/$(basename "$suite").out)"
done

# A process may fail in a way its suite does not see (a CLI call whose exit
# status is not checked): every log must be empty of errors too.
bad=$(grep -l -E 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]|Invalid (read|write)|uninitialised' "$out"/*.log 2>/dev/null; \
      for f in "$out"/*.log; do [ -s "$f" ] && echo "$f"; done | sort -u)
if [ -n "$bad" ]; then
  failed=$((failed + 1))
  echo "valgrind: reports in:"; echo "$bad" | head -n 20
fi
echo "valgrind: $(ls "$out"/*.log 2>/dev/null | wc -l) processes checked"
echo "valgrind: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
