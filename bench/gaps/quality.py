#!/usr/bin/env python3
"""Grouping quality of `agentperf gaps assign` on Banking77 and CLINC150, next to
the lexical baseline the issue names (TF-IDF over word and character n-grams +
k-means told the true number of topics), run in the same script. Needs Debian's
python3-sklearn; reads ../shared/data and skips what is absent.

Questions arrive in a shuffled order (seed 77); the engine's figures also come
as the mean and range over SEEDS other orders (default 5), since an online
engine's topics depend on the order. The engine's defaults were chosen on
Banking77 train and CLINC150 val (marked "tuning"); the other rows are held out.

usage: quality.py AGENTPERF_BIN DATA_DIR [--seeds N] [gaps assign options...]"""
import csv
import json
import os
import random
import subprocess
import sys
import time

try:
    import scipy.sparse as sp
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
except ImportError:
    sys.exit("bench/gaps: needs python3-sklearn (apt-get install python3-sklearn)")


def banking77(data, parts):
    rows = []
    for part in parts:
        with open(os.path.join(data, "banking77", part + ".csv"), newline="") as f:
            rows += [(r["text"], r["category"]) for r in csv.DictReader(f)]
    return rows


def clinc150(data, part):
    with open(os.path.join(data, "clinc150", "data_full.json")) as f:
        return [(text, label) for text, label in json.load(f)[part]]


def baseline(texts, labels):
    words = TfidfVectorizer(sublinear_tf=True).fit_transform(texts)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True).fit_transform(texts)
    x = sp.hstack([words, chars]).tocsr()
    k = len(set(labels))
    pred = KMeans(k, n_init=3, random_state=0).fit_predict(x)
    return k, pred


def scores(labels, pred):
    return len(set(pred)), normalized_mutual_info_score(labels, pred), adjusted_rand_score(labels, pred)


def ours(binary, texts, extra):
    stdin = "".join(t.replace("\n", " ").replace("\r", " ") + "\n" for t in texts)
    start = time.perf_counter()
    out = subprocess.run([binary, "gaps", "assign", "--language", "en", *extra], input=stdin,
                         capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    pred = out.stdout.split()
    assert len(pred) == len(texts), "one topic per question"
    return pred, seconds


def main():
    binary, data = sys.argv[1], sys.argv[2]
    extra = sys.argv[3:]
    seeds = 5
    if extra[:1] == ["--seeds"]:
        seeds, extra = int(extra[1]), extra[2:]
    sets = []
    if os.path.isdir(os.path.join(data, "banking77")):
        sets.append(("Banking77 train (tuning)", banking77(data, ["train"])))
        sets.append(("Banking77 test", banking77(data, ["test"])))
        sets.append(("Banking77 train+test", banking77(data, ["train", "test"])))
    if os.path.isdir(os.path.join(data, "clinc150")):
        sets.append(("CLINC150 val (tuning)", clinc150(data, "val")))
        sets.append(("CLINC150 test", clinc150(data, "test")))
    if not sets:
        print("bench/gaps: no data in %s, skipped" % data)
        return
    print("%-25s %6s | %-37s | %-22s | %-30s" % (
        "data (in-scope)", "n", "agentperf seed 77 (topics NMI ARI q/s)",
        "mean of %d other orders" % seeds, "k-means told k (k NMI ARI s)"))
    for name, rows in sets:
        random.Random(77).shuffle(rows)  # arrival order: shuffled, fixed seed
        texts = [t for t, _ in rows]
        labels = [l for _, l in rows]
        pred, seconds = ours(binary, texts, extra)
        runs = []
        for seed in range(1, seeds + 1):
            order = list(range(len(rows)))
            random.Random(seed).shuffle(order)
            p, _ = ours(binary, [texts[i] for i in order], extra)
            runs.append(scores([labels[i] for i in order], p))
        start = time.perf_counter()
        k, base = baseline(texts, labels)
        base_seconds = time.perf_counter() - start
        topics, nmi, ari = scores(labels, pred)
        mean = [sum(r[i] for r in runs) / len(runs) for i in range(3)] if runs else [0, 0, 0]
        print("%-25s %6d | %4d %.3f %.3f %8.0f q/s | %4.0f %.3f %.3f %s | %4d %.3f %.3f %5.1f s" % (
            name, len(rows), topics, nmi, ari, len(rows) / seconds, mean[0], mean[1], mean[2],
            "(%d-%d)" % (min(r[0] for r in runs), max(r[0] for r in runs)) if runs else "",
            k, normalized_mutual_info_score(labels, base), adjusted_rand_score(labels, base),
            base_seconds), flush=True)


if __name__ == "__main__":
    main()
