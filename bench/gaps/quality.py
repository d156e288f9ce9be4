#!/usr/bin/env python3
"""Grouping quality of `agentperf gaps assign` on Banking77 and CLINC150, next to
the lexical baseline the issue names (TF-IDF over word and character n-grams +
k-means told the true number of topics), run in the same script. Needs Debian's
python3-sklearn; reads ../shared/data and skips what is absent.

usage: quality.py AGENTPERF_BIN DATA_DIR [--threshold T]"""
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


def clinc150_test(data):
    with open(os.path.join(data, "clinc150", "data_full.json")) as f:
        return [(text, label) for text, label in json.load(f)["test"]]


def baseline(texts, labels):
    words = TfidfVectorizer(sublinear_tf=True).fit_transform(texts)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True).fit_transform(texts)
    x = sp.hstack([words, chars]).tocsr()
    k = len(set(labels))
    pred = KMeans(k, n_init=3, random_state=0).fit_predict(x)
    return k, pred


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
    sets = []
    if os.path.isdir(os.path.join(data, "banking77")):
        sets.append(("Banking77 test", banking77(data, ["test"])))
        sets.append(("Banking77 train+test", banking77(data, ["train", "test"])))
    if os.path.isdir(os.path.join(data, "clinc150")):
        sets.append(("CLINC150 in-scope test", clinc150_test(data)))
    if not sets:
        print("bench/gaps: no data in %s, skipped" % data)
        return
    print("%-24s %6s | %-26s | %-26s" % ("data", "n", "agentperf (topics NMI ARI)", "baseline k-means (k NMI ARI)"))
    for name, rows in sets:
        random.Random(77).shuffle(rows)  # arrival order: shuffled, fixed seed
        texts = [t for t, _ in rows]
        labels = [l for _, l in rows]
        pred, seconds = ours(binary, texts, extra)
        k, base = baseline(texts, labels)
        print("%-24s %6d | %4d %.3f %.3f (%6.0f q/s) | %4d %.3f %.3f" % (
            name, len(rows), len(set(pred)), normalized_mutual_info_score(labels, pred),
            adjusted_rand_score(labels, pred), len(rows) / seconds, k,
            normalized_mutual_info_score(labels, base), adjusted_rand_score(labels, base)))


if __name__ == "__main__":
    main()
