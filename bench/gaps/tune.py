#!/usr/bin/env python3
"""Tuning harness for the grouping engine: `agentperf gaps assign` on chosen
data sets over several arrival orders, without the k-means baseline (which
takes minutes); prints the mean topics, NMI and ARI per set and each order's.
Tune on the tuning sets (b77small, b77small2, b77train, clincval: all drawn
from Banking77 train and CLINC150 val); the others are held out. b77small* are
40 questions an intent, as small per intent as Banking77 test, so that a young
account's grouping is tuned too. Extra arguments go to `gaps assign`, e.g.
`--threshold-new 0.15 --novelty-rise 0.3`.

usage: tune.py AGENTPERF_BIN DATA_DIR [--sets b77train,clincval] [--seeds 1,2,3]
               [--jobs 2] [gaps assign options...]
sets: b77small b77small2 (40 a intent from train) b77train b77test b77all clincval clinctest"""
import concurrent.futures
import random
import sys

from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

import quality

def per_intent(rows, n, seed):
    """n questions of each intent (fewer where it has fewer), drawn with a seed:
    a tuning set as small per intent as Banking77 test, from the train split."""
    by = {}
    for text, label in rows:
        by.setdefault(label, []).append((text, label))
    out = []
    for label in sorted(by):
        out += random.Random("%s/%d" % (label, seed)).sample(by[label], min(n, len(by[label])))
    return out


LOADERS = {
    "b77small": lambda d: per_intent(quality.banking77(d, ["train"]), 40, 0),
    "b77small2": lambda d: per_intent(quality.banking77(d, ["train"]), 40, 1),
    "b77train": lambda d: quality.banking77(d, ["train"]),
    "b77test": lambda d: quality.banking77(d, ["test"]),
    "b77all": lambda d: quality.banking77(d, ["train", "test"]),
    "clincval": lambda d: quality.clinc150(d, "val"),
    "clinctest": lambda d: quality.clinc150(d, "test"),
}


def run(binary, rows, seed, extra):
    order = list(rows)
    random.Random(seed).shuffle(order)
    pred, _ = quality.ours(binary, [t for t, _ in order], extra)
    labels = [l for _, l in order]
    return len(set(pred)), normalized_mutual_info_score(labels, pred), adjusted_rand_score(labels, pred)


def main():
    binary, data, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    sets, seeds, jobs = ["b77train", "clincval"], [77, 1, 2], 2
    extra = []
    while args:
        if args[0] == "--sets":
            sets, args = args[1].split(","), args[2:]
        elif args[0] == "--seeds":
            seeds, args = [int(s) for s in args[1].split(",")], args[2:]
        elif args[0] == "--jobs":
            jobs, args = int(args[1]), args[2:]
        else:
            extra, args = extra + [args[0]], args[1:]
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        for name in sets:
            rows = LOADERS[name](data)
            runs = list(pool.map(lambda s: run(binary, rows, s, extra), seeds))
            mean = [sum(r[i] for r in runs) / len(runs) for i in range(3)]
            print("%-10s topics %5.1f NMI %.4f ARI %.4f | %s" % (
                name, mean[0], mean[1], mean[2],
                " ".join("%d/%.3f/%.3f" % r for r in runs)), flush=True)


if __name__ == "__main__":
    main()
