#!/usr/bin/env python3
"""The engine against the baseline, order by order. An online engine's topics
depend on the arrival order, and k-means' clusters on the order and seed of
its start, so one run of each says little when the two are close. This runs
both on the same N shuffled orders of each held-out set (seed 77, the order
of bench/gaps/quality.py, then 1..N-1) and prints each order's figures, the
means, and in how many orders the engine beats the baseline on NMI and on ARI
with a topic count inside the true count ± 30%.

usage: orders.py AGENTPERF_BIN DATA_DIR [--orders N] [--sets b77test,b77all,clinctest]
                 [gaps assign options...]"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quality  # noqa: E402  (data readers, the engine run and the baseline)

SETS = {
    "b77test": ("Banking77 test", lambda d: quality.banking77(d, ["test"])),
    "b77all": ("Banking77 train+test", lambda d: quality.banking77(d, ["train", "test"])),
    "clinctest": ("CLINC150 test", lambda d: quality.clinc150(d, "test")),
}


def main():
    binary, data, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    orders, names = 10, ["b77test", "b77all"]
    while args[:1] in (["--orders"], ["--sets"]):
        if args[0] == "--orders":
            orders = int(args[1])
        else:
            names = args[1].split(",")
        args = args[2:]
    for key in names:
        title, load = SETS[key]
        if not os.path.isdir(os.path.join(data, "banking77" if key.startswith("b77") else "clinc150")):
            print("bench/gaps: %s not in %s, skipped" % (title, data))
            continue
        rows0 = load(data)
        k = len({label for _, label in rows0})
        print("%s (%d questions, %d intents): order | agentperf topics NMI ARI | k-means NMI ARI"
              % (title, len(rows0), k))
        ours, base, wins = [], [], [0, 0, 0]
        for seed in [77] + list(range(1, orders)):
            rows = list(rows0)
            random.Random(seed).shuffle(rows)
            texts = [t for t, _ in rows]
            labels = [l for _, l in rows]
            pred, _ = quality.ours(binary, texts, args)
            o = quality.scores(labels, pred)
            b = quality.scores(labels, quality.baseline(texts, labels)[1])
            ours.append(o)
            base.append(b)
            in_band = 0.7 * k <= o[0] <= 1.3 * k
            wins[0] += o[1] > b[1]
            wins[1] += o[2] > b[2]
            wins[2] += in_band and o[1] > b[1] and o[2] > b[2]
            print("  %3d | %4d %.3f %.3f | %.3f %.3f" % (seed, o[0], o[1], o[2], b[1], b[2]),
                  flush=True)
        n = len(ours)
        mean = lambda runs, i: sum(r[i] for r in runs) / n
        print("  mean | %4.0f %.3f %.3f | %.3f %.3f   topics %d-%d; better NMI in %d of %d "
              "orders, ARI in %d, both and topics in band in %d"
              % (mean(ours, 0), mean(ours, 1), mean(ours, 2), mean(base, 1), mean(base, 2),
                 min(r[0] for r in ours), max(r[0] for r in ours), wins[0], n, wins[1], wins[2]))


if __name__ == "__main__":
    main()
