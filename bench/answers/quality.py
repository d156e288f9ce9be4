#!/usr/bin/env python3
"""Short-answer matching on CLINC150 (bench/answers, docs/benchmarks.md).

One short answer per intent, its training phrasings as question + alternatives,
imported with `agentperf answers import`; the 4,500 in-scope and 1,000
out-of-scope test questions matched with `agentperf answers match` and the
product's default no-answer rule. Printed next to a scikit-learn peer run in
the same script: logistic regression over word + character TF-IDF, its
threshold chosen on the validation split the same way.

Also: the same with only 10 phrasings per intent, the threshold the
validation split would choose for the product (how the default was picked),
and match latency with 1,000 answers in process (bench/match_bench) and over
HTTP.

usage: quality.py AGENTPERF_BIN DATA_DIR [--quick] [--no-peer] [--no-latency]
"""
import argparse
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "lib"))
import apserver  # noqa: E402  (the tests' server helpers)

MIN_OOS_RECALL = 0.60  # the validation criterion: best in-scope accuracy with this OOS recall


def load(data_dir):
    with open(os.path.join(data_dir, "clinc150", "data_full.json")) as f:
        return json.load(f)


def answers_ndjson(train, per_intent=None):
    """One answer a line: id = intent, question = its first phrasing."""
    by_intent = {}
    for text, intent in train:
        by_intent.setdefault(intent, []).append(text)
    lines = []
    for intent in sorted(by_intent):
        phrasings = by_intent[intent][:per_intent] if per_intent else by_intent[intent]
        lines.append(json.dumps({"id": intent, "question": phrasings[0],
                                 "alternatives": phrasings[1:], "answer": "Answer for " + intent,
                                 "language": "en"}))
    return "\n".join(lines) + "\n"


class Product:
    """An account in a scratch database, driven through the CLI."""

    def __init__(self, binary, workdir, name):
        self.bin, self.db, self.name = binary, os.path.join(workdir, name + ".db"), name
        self.cli("accounts", "create", name)

    def cli(self, *args, input=None):
        proc = subprocess.run([self.bin, *args, "--db", self.db], input=input, text=True,
                              capture_output=True)
        if proc.returncode != 0 and args[:2] != ("answers", "import"):
            raise SystemExit("%s failed: %s" % (" ".join(args), proc.stderr))
        return proc.stdout

    def import_answers(self, ndjson):
        t0 = time.perf_counter()
        out = self.cli("answers", "import", "--account", self.name, input=ndjson)
        return out.strip(), time.perf_counter() - t0

    def set_threshold(self, value):
        self.cli("answers", "settings", "--account", self.name, "--match-threshold", value)

    def match(self, questions):
        """(answer id or None, score) per question, through `answers match`."""
        t0 = time.perf_counter()
        out = self.cli("answers", "match", "--account", self.name, input="\n".join(questions) + "\n")
        rows = []
        for line in out.splitlines():
            ident, score = line.rsplit(" ", 1)
            rows.append((None if ident == "none" else ident, float(score)))
        assert len(rows) == len(questions), (len(rows), len(questions))
        return rows, time.perf_counter() - t0


def scores(predictions, labels, threshold=None):
    """In-scope accuracy and out-of-scope recall; with a threshold, a
    prediction below it counts as none."""
    ins = oos = correct = rejected = 0
    for (ident, score), label in zip(predictions, labels):
        if threshold is not None and score < threshold:
            ident = None
        if label == "oos":
            oos += 1
            rejected += ident is None
        else:
            ins += 1
            correct += ident == label
    return correct / ins, rejected / oos


def choose_threshold(predictions, labels):
    """The threshold with the best in-scope accuracy at MIN_OOS_RECALL or more."""
    best = None
    for t in sorted({round(s, 4) for _, s in predictions}):
        acc, rec = scores(predictions, labels, t)
        if rec >= MIN_OOS_RECALL and (best is None or acc > best[1]):
            best = (t, acc, rec)
    return best


def product_run(binary, workdir, data, per_intent, label):
    p = Product(binary, workdir, "clinc%s" % (per_intent or "all"))
    verdict, import_s = p.import_answers(answers_ndjson(data["train"], per_intent))
    val = data["val"] + data["oos_val"]
    test = data["test"] + data["oos_test"]
    # How the default was chosen: every best answer with its score, on val.
    p.set_threshold("0")
    val_pred, _ = p.match([q for q, _ in val])
    chosen = choose_threshold(val_pred, [l for _, l in val])
    p.set_threshold("default")
    threshold = float(p.cli("answers", "settings", "--account", p.name).split()[1])
    test_pred, match_s = p.match([q for q, _ in test])
    acc, rec = scores(test_pred, [l for _, l in test])
    print("%-34s in-scope %.3f  oos recall %.3f  (default rule: score >= %.2f)"
          % (label, acc, rec, threshold))
    if chosen:
        print("%-34s validation would choose %.4f (val in-scope %.3f, oos %.3f)"
              % ("", chosen[0], chosen[1], chosen[2]))
    print("%-34s import %s in %.1f s; %d matches in %.1f s (one process, model built once)"
          % ("", verdict, import_s, len(test), match_s))
    return acc, rec


def peer_run(data, per_intent, label):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from scipy.sparse import hstack
    import numpy as np
    train = data["train"]
    if per_intent:
        seen, kept = {}, []
        for text, intent in train:
            if seen.get(intent, 0) < per_intent:
                kept.append((text, intent))
                seen[intent] = seen.get(intent, 0) + 1
        train = kept
    word = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2))
    char = TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(2, 5))
    texts = [t for t, _ in train]
    x = hstack([word.fit_transform(texts), char.fit_transform(texts)]).tocsr()
    model = LogisticRegression(C=30, max_iter=300).fit(x, [l for _, l in train])

    def predict(rows):
        q = [t for t, _ in rows]
        p = model.predict_proba(hstack([word.transform(q), char.transform(q)]).tocsr())
        best = p.argmax(1)
        return [(model.classes_[i], float(p[j, i])) for j, i in enumerate(best)]

    val = data["val"] + data["oos_val"]
    test = data["test"] + data["oos_test"]
    chosen = choose_threshold(predict(val), [l for _, l in val])
    test_pred = predict(test)
    acc, rec = scores(test_pred, [l for _, l in test], chosen[0] if chosen else 0)
    print("%-34s in-scope %.3f  oos recall %.3f  (softmax probability >= %.3f, chosen on val)"
          % (label, acc, rec, chosen[0] if chosen else 0))
    return acc, rec


def latency_rows(data, n_answers=1000, size=15):
    """1,000 answers: each intent's training phrasings cut into answers of 15."""
    by_intent = {}
    for text, intent in data["train"]:
        by_intent.setdefault(intent, []).append(text)
    rows = []
    for intent in sorted(by_intent):
        p = by_intent[intent]
        for k in range(0, len(p), size):
            rows.append(("%s-%d" % (intent, k // size), p[k:k + size]))
    return rows[:n_answers]


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def latency(binary, build_dir, workdir, data, quick):
    rows = latency_rows(data)
    queries = [q for q, _ in data["test"]][: 1000 if quick else 5500]
    tsv_answers = os.path.join(workdir, "answers1000.tsv")
    tsv_queries = os.path.join(workdir, "queries.tsv")
    with open(tsv_answers, "w") as f:
        for ident, phrasings in rows:
            for p in phrasings:
                f.write("%s\t%s\n" % (ident, p))
    with open(tsv_queries, "w") as f:
        for q in queries:
            f.write("q\t%s\n" % q)
    bench = os.path.join(build_dir, "bench", "match_bench")
    proc = subprocess.run([bench, tsv_answers, tsv_queries], capture_output=True, text=True)
    print("in process (bench/match_bench): %s" % proc.stderr.strip())

    apserver.BIN = binary
    ws = apserver.Workspace(prefix="ap-bench-answers-")
    ws.create_account("lat")
    token = ws.create_token("lat", "ingest")
    ndjson = "\n".join(json.dumps({"id": i, "question": p[0], "alternatives": p[1:],
                                   "answer": "-"}) for i, p in rows) + "\n"
    ws.cli("answers", "import", "--account", "lat", input=ndjson)
    server = apserver.Server(ws.db).start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}

        def one(q):
            t0 = time.perf_counter()
            conn.request("POST", "/v1/answers/match", json.dumps({"question": q}), headers)
            r = conn.getresponse()
            r.read()
            assert r.status == 200, r.status
            return time.perf_counter() - t0

        first = one(queries[0])  # builds the account's model in the server
        times = [one(q) for q in queries]
        print("over HTTP (POST /v1/answers/match, one connection, keep-alive): first request "
              "%.0f ms (builds the model), then %d matches: median %.0f us, p99 %.0f us"
              % (first * 1000, len(times), percentile(times, 0.5) * 1e6,
                 percentile(times, 0.99) * 1e6))
    finally:
        server.stop()
        ws.cleanup()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("data_dir")
    ap.add_argument("--quick", action="store_true", help="skip the 10-phrasing runs")
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--no-latency", action="store_true")
    args = ap.parse_args()
    if not os.path.exists(os.path.join(args.data_dir, "clinc150", "data_full.json")):
        print("quality.py: no CLINC150 under %s, skipped" % args.data_dir)
        return 0
    data = load(args.data_dir)
    binary = os.path.abspath(args.binary)
    workdir = tempfile.mkdtemp(prefix="ap-answers-bench-")
    try:
        print("CLINC150 (data_full): 150 answers, test 4,500 in-scope + 1,000 out-of-scope")
        product_run(binary, workdir, data, None, "agentperf, 100 phrasings/answer")
        if not args.no_peer:
            peer_run(data, None, "scikit-learn LR word+char TF-IDF")
        if not args.quick:
            product_run(binary, workdir, data, 10, "agentperf, 10 phrasings/answer")
            if not args.no_peer:
                peer_run(data, 10, "scikit-learn LR, 10 phrasings")
        if not args.no_latency:
            latency(binary, os.path.dirname(binary), workdir, data, args.quick)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
