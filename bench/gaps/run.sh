#!/usr/bin/env bash
# The knowledge-gaps benchmarks: the grouping engine's speed and memory with
# about 100k topics of history (bench/gaps/speed.c, peer: the same engine with
# four times the candidates), text only and with 384-number agent embeddings;
# then grouping quality on Banking77 and CLINC150 against TF-IDF + k-means told
# the true k (bench/gaps/quality.py), the two order by order
# (bench/gaps/orders.py), and what agent embeddings add
# (bench/gaps/embeddings.py). The quality scripts need python3-sklearn and
# ../shared/data and are skipped without them.
# Usage: bench/gaps/run.sh [THEMES] (default 125000 synthetic themes, which
# the engine groups into about 100k topics)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD_DIR:-build/release}
"$build/bench/gaps_speed" "${1:-125000}" 3
echo "with agent embeddings of 384 numbers:"
"$build/bench/gaps_speed" "${1:-125000}" 3 384
if /usr/bin/python3 -c 'import sklearn' 2>/dev/null; then
  /usr/bin/python3 bench/gaps/quality.py "$build/agentperf" ../shared/data
  /usr/bin/python3 bench/gaps/orders.py "$build/agentperf" ../shared/data --orders 10
  /usr/bin/python3 bench/gaps/embeddings.py "$build/agentperf" ../shared/data
else
  echo "bench/gaps: python3-sklearn missing, grouping quality skipped" >&2
fi
