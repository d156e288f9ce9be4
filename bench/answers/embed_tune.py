#!/usr/bin/env python3
"""Chooses the match API's blend of the model server's similarity
(BLEND_WEIGHT, BLEND_TEMPERATURE in src/answers/service.c) on CLINC150's
tuning split (val questions, oos_val + oos_train), never on test. The text
model's candidates and scores come from a real server (an account with
embeddings off, limit 20); the blend of docs/internals/embed.md is then
replayed here for a grid of weights and temperatures, with the `trained`
stand-in encoder's vectors. Prints, per setting, in-scope right, out-of-scope
recall and wrong share at threshold 0.5, for k = 3 and 10 phrasings.

usage: embed_tune.py AGENTPERF_BIN DATA_DIR"""
import http.client
import json
import math
import os
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path[:0] = [os.path.join(ROOT, "tests", "lib"), os.path.join(ROOT, "bench", "gaps")]
from embeddings import trained  # noqa: E402
import answer_sets as sets  # noqa: E402
import apserver  # noqa: E402

EXTRA = 3


def text_candidates(answers, questions):
    ndjson = "".join(json.dumps({"id": i, "question": p[0], "alternatives": p[1:],
                                 "answer": "-", "language": "en"}) + "\n"
                     for i, p in sorted(answers.items()))
    with tempfile.TemporaryDirectory(prefix="ap-embed-tune-") as tmp:
        ws = apserver.Workspace.__new__(apserver.Workspace)
        ws.dir, ws.db = tmp, os.path.join(tmp, "tune.db")
        ws.create_account("off", embeddings="off")
        ws.cli("answers", "import", "--account", "off", input=ndjson, timeout=600)
        token = ws.create_token("off", "ingest")
        server = apserver.Server(ws.db, "--rate-limit", "0").start()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            out = []
            for q, _ in questions:
                conn.request("POST", "/v1/answers/match",
                             json.dumps({"question": q, "language": "en", "limit": 20}),
                             {"Authorization": "Bearer " + token,
                              "Content-Type": "application/json"})
                body = json.loads(conn.getresponse().read())
                out.append([(c["id"], c["score"]) for c in body["candidates"]])
            conn.close()
        finally:
            server.stop()
    return out


def blend(cands, best_cos, ids, w, t):
    """The blend of src/answers/service.c for one question."""
    top = best_cos.max()
    e = np.exp((best_cos - top) / t)
    p = e / e.sum()
    index = {a: i for i, a in enumerate(ids)}
    scored = {a: (1 - w) * s + w * p[index[a]] for a, s in cands}
    for i in np.argsort(-p)[:EXTRA + len(cands)]:
        if len([a for a in scored if a not in dict(cands)]) >= EXTRA or len(scored) >= 20:
            break
        if ids[i] not in scored:
            scored[ids[i]] = w * p[i]
    return max(scored.items(), key=lambda kv: kv[1]) if scored else None


def main():
    binary, data_dir = sys.argv[1], sys.argv[2]
    apserver.BIN = os.path.abspath(binary)
    data = sets.clinc(data_dir)
    for k in (3, 10):
        answers, questions = sets.clinc_task(data, "val", k, 0)
        ids = sorted(answers)
        texts = [p for a in ids for p in answers[a]]
        owner = np.array([i for i, a in enumerate(ids) for _ in answers[a]])
        vec = trained([(t, l) for t, l in data["train"]], texts + [q for q, _ in questions])
        vec = vec / np.linalg.norm(vec, axis=1, keepdims=True)
        ph, qv = vec[:len(texts)], vec[len(texts):]
        cos = qv @ ph.T
        best = np.full((len(questions), len(ids)), -2.0)
        for j in range(len(ids)):
            best[:, j] = cos[:, owner == j].max(axis=1)
        cands = text_candidates(answers, questions)
        base = sets.table_row([[sets.Candidate(c[0][0], 0, 0, 0, 0, 0, 0, 1, c[0][1])]
                               if c else [] for c in cands], questions, 0.5)
        print("k=%d text alone: %.3f %.3f %.3f" % ((k,) + base), flush=True)
        for w in (0.2, 0.3, 0.4, 0.5):
            for t in (0.02, 0.05, 0.1):
                rows = []
                for i, c in enumerate(cands):
                    b = blend(c, best[i], ids, w, t)
                    rows.append([sets.Candidate(b[0], 0, 0, 0, 0, 0, 0, 1, b[1])] if b else [])
                print("k=%d w=%.1f T=%.2f: %.3f %.3f %.3f"
                      % ((k, w, t) + sets.table_row(rows, questions, 0.5)), flush=True)


if __name__ == "__main__":
    main()
