#!/usr/bin/env python3
"""Knowledge-gap grouping through the server path with a model server
(docs/internals/embed.md): `agentperf serve --embeddings-url` against the
stand-in model server of tests/lib/embed_server.py, serving the stand-in
encoders of bench/gaps/embeddings.py (lsa: weak, unsupervised; trained: strong,
LDA on the disjoint train split) and the tests' hashed concept encoder. Each
data set's questions are posted as `question.asked` events, in the arrival
order of bench/gaps/quality.py, to two accounts of one server, one with
embeddings on and one off; the topics are read back from the database.

Then the worker's throughput (texts embedded a second, stand-in server, hashed
encoder) and the ingest rate with embeddings on and off.

usage: embed_server.py AGENTPERF_BIN DATA_DIR [--sets b77,clinc,xsid] [--skip-speed]
Data is read from DATA_DIR (../shared/data), never copied."""
import argparse
import json
import os
import random
import sqlite3
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "..", "tests", "lib")]

try:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
    from embeddings import lsa, trained  # noqa: E402  (the stand-in encoders)
    from quality import banking77, clinc150  # noqa: E402
except ImportError:
    sys.exit("bench/gaps: needs python3-sklearn (apt-get install python3-sklearn)")

import importlib.util  # noqa: E402

import apserver  # noqa: E402

# tests/lib/embed_server.py has this file's name: load it by path.
_spec = importlib.util.spec_from_file_location(
    "standin_model_server", os.path.join(HERE, "..", "..", "tests", "lib", "embed_server.py"))
_standin = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_standin)
ConceptEncoder, EmbedServer, TableEncoder = (_standin.ConceptEncoder, _standin.EmbedServer,
                                             _standin.TableEncoder)

MODEL = "stand-in"


def xsid(data, languages=("en", "no")):
    """(text, intent, language tag) of xsid-valid's files for these languages."""
    rows = []
    for lang in languages:
        cur = {}
        with open(os.path.join(data, "xsid-valid", lang + ".valid.conll"), encoding="utf-8") as f:
            for line in list(f) + [""]:
                if line.startswith("# ") and " = " in line:
                    key, value = line[2:].split(" = ", 1)
                    cur[key] = value.strip()
                elif not line.strip() and cur:
                    if cur.get("text", "").strip():
                        rows.append((cur["text"], cur["intent"], "nb" if lang == "no" else lang))
                    cur = {}
    return rows


def figures(labels, pred):
    return "%d, %.3f, %.3f" % (len(set(pred)), normalized_mutual_info_score(labels, pred),
                               adjusted_rand_score(labels, pred))


def wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise SystemExit("timed out waiting for " + what)


def count(db, sql):
    with sqlite3.connect(db) as c:
        return c.execute(sql).fetchone()[0]


def events(rows, prefix):
    out = []
    for i, (text, _, lang) in enumerate(rows):
        e = apserver.event("%s%d" % (prefix, i), "question.asked", "%s%d" % (prefix, i),
                           "2026-11-23T10:00:00Z", text=text, answered=False)
        if lang:
            e["language"] = lang
        out.append(e)
    return out


def group(binary, rows, encoder, chunk=100):
    """Topics per question for an account with the encoder and one without."""
    with tempfile.TemporaryDirectory(prefix="ap-embed-bench-") as tmp:
        ws = apserver.Workspace.__new__(apserver.Workspace)
        ws.dir, ws.db = tmp, os.path.join(tmp, "bench.db")
        ws.create_account("on")
        ws.create_account("off", embeddings="off")
        tokens = {a: ws.create_token(a, "admin") for a in ("on", "off")}
        with EmbedServer(encoder) as es:
            server = apserver.Server(ws.db, "--embeddings-url", es.url, "--embeddings-model",
                                     MODEL, "--embeddings-batch", "64",
                                     "--rate-limit", "0").start()
            try:
                for account, token in tokens.items():
                    evs = events(rows, account)
                    for i in range(0, len(evs), chunk):
                        r = server.post_events(evs[i:i + chunk], token, timeout=120)
                        assert r.status == 200, r
                wait(lambda: count(ws.db, "SELECT count(*) FROM gap_questions q JOIN accounts a "
                                   "ON a.id = q.account_id WHERE a.name = 'on' AND "
                                   "q.embedding IS NOT NULL") == len(rows), 600, "vectors")
                for token in tokens.values():  # a read assigns what still waits
                    server.request("GET", "/v1/gaps", token=token, timeout=600)
                wait(lambda: count(ws.db, "SELECT count(*) FROM gap_questions WHERE topic_id "
                                   "IS NULL") == 0, 600, "assignment")
            finally:
                server.stop()
        out = {}
        with sqlite3.connect(ws.db) as c:
            for account in tokens:
                topic = dict(c.execute("SELECT q.event_id, q.topic_id FROM gap_questions q JOIN "
                                       "accounts a ON a.id = q.account_id WHERE a.name = ?",
                                       (account,)).fetchall())
                out[account] = [topic["%s%d" % (account, i)] for i in range(len(rows))]
        return out


def grouping(binary, data, sets):
    plans = []
    if "b77" in sets:
        test = [(t, l, "en") for t, l in banking77(data, ["test"])]
        plans.append(("Banking77 test", test, banking77(data, ["train"])))
    if "clinc" in sets:
        test = [(t, l, "en") for t, l in clinc150(data, "test")]
        plans.append(("CLINC150 test", test, clinc150(data, "train")))
    if "xsid" in sets:
        plans.append(("xsid-valid en+nb", xsid(data), None))
    print("| data | encoder | text alone: topics, NMI, ARI | with the model server |")
    print("|---|---|---|---|")
    for name, rows, train in plans:
        random.Random(77).shuffle(rows)  # the arrival order of bench/gaps/quality.py
        texts = [t for t, _, _ in rows]
        labels = [l for _, l, _ in rows]
        encoders = [("concept (hashed)", ConceptEncoder(256))]
        encoders.append(("lsa", TableEncoder(dict(zip(texts, lsa(texts).tolist())))))
        if train:
            encoders.append(("trained", TableEncoder(dict(zip(texts,
                                                              trained(train, texts).tolist())))))
        for encoder_name, encoder in encoders:
            got = group(binary, rows, encoder)
            print("| %s | %s | %s | %s |" % (name, encoder_name, figures(labels, got["off"]),
                                             figures(labels, got["on"])), flush=True)


def speed(binary, data, batch, concurrency, n=4500):
    """Texts embedded a second by the worker (from the first event posted to
    the last vector stored), and the ingest rate with embeddings on and off:
    each account's events posted three times (new ids, same texts),
    alternately, the median kept (the machine is shared: single rounds vary
    by 2x)."""
    rows = [(t, l, "en") for t, l in clinc150(data, "test")][:n]
    rows = [("%s (%d)" % (t, i), l, g) for i, (t, l, g) in enumerate(rows)]  # distinct texts
    with tempfile.TemporaryDirectory(prefix="ap-embed-speed-") as tmp:
        ws = apserver.Workspace.__new__(apserver.Workspace)
        ws.dir, ws.db = tmp, os.path.join(tmp, "speed.db")
        ws.create_account("on")
        ws.create_account("off", embeddings="off")
        tokens = {a: ws.create_token(a, "ingest") for a in ("on", "off")}
        with EmbedServer(ConceptEncoder(256)) as es:
            server = apserver.Server(ws.db, "--embeddings-url", es.url, "--embeddings-model",
                                     MODEL, "--embeddings-batch", str(batch),
                                     "--embeddings-concurrency", str(concurrency),
                                     "--rate-limit", "0").start()
            try:
                rates = {"on": [], "off": []}
                embed_rate = None
                for round_no, account in enumerate(("off", "on") * 3):
                    evs = events(rows, "%s%d-" % (account, round_no))
                    t0 = time.perf_counter()
                    for i in range(0, len(evs), 500):
                        assert server.post_events(evs[i:i + 500], tokens[account],
                                                  timeout=120).status == 200
                    rates[account].append(len(evs) / (time.perf_counter() - t0))
                    if embed_rate is None and account == "on":
                        wait(lambda: count(ws.db, "SELECT count(*) FROM gap_questions WHERE "
                                           "embedding IS NOT NULL") == len(rows), 600, "vectors")
                        embed_rate = len(rows) / (time.perf_counter() - t0)
                    wait(lambda: count(ws.db, "SELECT count(*) FROM gap_questions WHERE "
                                       "topic_id IS NULL") == 0, 600, "assignment")
                requests = es.stats()["requests"]
            finally:
                server.stop()
    print("| %d | %d | %d | %.0f | %d | %.0f | %.0f |" % (
        len(rows), batch, concurrency, embed_rate, requests, sorted(rates["off"])[1],
        sorted(rates["on"])[1]),
        flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("data")
    ap.add_argument("--sets", default="b77,clinc,xsid")
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument("--skip-grouping", action="store_true")
    args = ap.parse_args()
    apserver.BIN = os.path.abspath(args.binary)
    if not args.skip_grouping:
        grouping(args.binary, args.data, args.sets.split(","))
    if not args.skip_speed:
        print("\n| texts | batch | concurrency | texts embedded a second | requests | "
              "ingest events/s, embeddings off | on |")
        print("|---|---|---|---|---|---|---|")
        for batch, concurrency in ((32, 2), (128, 4)):
            speed(args.binary, args.data, batch, concurrency)


if __name__ == "__main__":
    main()
