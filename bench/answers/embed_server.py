#!/usr/bin/env python3
"""The CLINC150 match table through the server path with a model server
(docs/internals/embed.md, "The match API"): answers made of k random training
phrasings of each intent (the draws of tests/lib/answer_sets.py, seed 0), the
test questions and oos_test asked with POST /v1/answers/match of a real
`agentperf serve --embeddings-url`, to an account with embeddings off (text
alone) and one with them on. The stand-in model server serves the `trained`
encoder of bench/gaps/embeddings.py (fitted on CLINC150 train, so it knows the
intents: a strong, optimistic encoder) or the weak unsupervised `lsa`.

usage: embed_server.py AGENTPERF_BIN DATA_DIR [--ks 1,3,10,100] [--encoder trained|lsa]"""
import argparse
import http.client
import importlib.util
import json
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path[:0] = [os.path.join(ROOT, "tests", "lib"), os.path.join(ROOT, "bench", "gaps")]

try:
    from embeddings import lsa, trained  # noqa: E402
except ImportError:
    sys.exit("bench/answers: needs python3-sklearn (apt-get install python3-sklearn)")
import answer_sets as sets  # noqa: E402
import apserver  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "standin_model_server", os.path.join(ROOT, "tests", "lib", "embed_server.py"))
_standin = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_standin)


def match_all(server, token, questions):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    rows = []
    for q, _ in questions:
        conn.request("POST", "/v1/answers/match", json.dumps({"question": q, "language": "en"}),
                     {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        r = conn.getresponse()
        body = json.loads(r.read())
        m = body["match"]
        rows.append([sets.Candidate(m["id"], 0, 0, 0, 0, 0, 0, 1, m["score"])] if m else [])
    conn.close()
    return rows


def run(binary, data, k, encoder_name):
    answers, questions = sets.clinc_task(data, "test", k, 0)
    texts = sorted({p for ps in answers.values() for p in ps} | {q for q, _ in questions})
    if encoder_name == "trained":
        vectors = trained([(t, l) for t, l in data["train"]], texts)
    else:
        vectors = lsa(texts)
    encoder = _standin.TableEncoder(dict(zip(texts, vectors.tolist())))
    ndjson = "".join(json.dumps({"id": i, "question": p[0], "alternatives": p[1:],
                                 "answer": "-", "language": "en"}) + "\n"
                     for i, p in sorted(answers.items()))
    with tempfile.TemporaryDirectory(prefix="ap-embed-match-") as tmp:
        ws = apserver.Workspace.__new__(apserver.Workspace)
        ws.dir, ws.db = tmp, os.path.join(tmp, "match.db")
        ws.create_account("on")
        ws.create_account("off", embeddings="off")
        tokens = {}
        for account in ("on", "off"):
            ws.cli("answers", "import", "--account", account, input=ndjson, timeout=600)
            tokens[account] = ws.create_token(account, "ingest")
        with _standin.EmbedServer(encoder) as es:
            server = apserver.Server(ws.db, "--embeddings-url", es.url, "--embeddings-model",
                                     encoder_name, "--embeddings-batch", "128",
                                     "--embeddings-concurrency", "2", "--rate-limit", "0").start()
            try:
                match_all(server, tokens["on"], questions[:1])  # builds the matcher
                n = sum(len(p) for p in answers.values())
                deadline = time.monotonic() + 900
                while time.monotonic() < deadline:  # every phrasing cached and read
                    seen = es.stats()["texts"]
                    if all(p in seen for ps in answers.values() for p in ps):
                        break
                    match_all(server, tokens["on"], questions[:1])
                    time.sleep(0.5)
                time.sleep(1.2)
                out = {}
                for account in ("off", "on"):
                    t0 = time.perf_counter()
                    rows = match_all(server, tokens[account], questions)
                    ms = (time.perf_counter() - t0) * 1000 / len(questions)
                    out[account] = sets.table_row(rows, questions, 0.5) + (ms,)
            finally:
                server.stop()
    print("| %d | %d | %s | %s |" % (k, n, *(
        "%.3f, %.3f, %.3f (%.1f ms)" % out[a] for a in ("off", "on"))), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("data")
    ap.add_argument("--ks", default="1,3,10,100")
    ap.add_argument("--encoder", default="trained", choices=("trained", "lsa"))
    args = ap.parse_args()
    apserver.BIN = os.path.abspath(args.binary)
    data = sets.clinc(args.data)
    print("CLINC150 test (4,500 in scope, 1,000 out of scope), encoder %s, threshold 0.5, "
          "one draw (seed 0)" % args.encoder)
    print("| phrasings per answer | phrasings | text alone: in-scope right, out-of-scope "
          "recall, wrong share (time a match) | with the model server |")
    print("|---|---|---|---|")
    for k in (int(x) for x in args.ks.split(",")):
        run(args.binary, data, k, args.encoder)


if __name__ == "__main__":
    main()
