#!/usr/bin/env python3
"""What the agent's `embedding` does to grouping (SPEC §5: "where an event
carries an embedding, it may be used"). No public data set ships agent
embeddings, so two stand-in encoders are built here with scikit-learn, and
`agentperf gaps assign --ndjson` groups the questions with and without them:

- lsa: an unsupervised encoder from the questions themselves (TF-IDF over words
  and character n-grams, 256-dimensional truncated SVD). It knows word
  co-occurrence, nothing more: a weak encoder.
- trained: an encoder trained on the intents of a disjoint training split (the
  same TF-IDF and SVD, then linear discriminant analysis on the training
  labels), applied to the held-out test questions: like an agent whose encoder
  was fine-tuned on its own domain. A strong, optimistic encoder.

Each encoder comes twice: centred (its vectors minus their mean, to unit
length) and in a cone (the same plus one shared direction, to unit length, so
that unrelated questions have cosines near 0.6, as with many sentence
encoders). The engine centres embeddings on the account's own mean, so both
should group alike. Each row prints topics, NMI and ARI for text only, text +
embedding at the engine's defaults, and k-means on the embedding alone told the
true k (how much the embedding itself carries).

The defaults were chosen with --tuning: half of Banking77 train (the encoder
trained on the other half) and CLINC150 val (the encoder trained on CLINC150
train); without it the held-out test sets are grouped.

usage: embeddings.py AGENTPERF_BIN DATA_DIR [--tuning] [gaps assign options...]
  e.g. --embedding-weight 0.6 --embedding-threshold 0.15 --embedding-threshold-new 0.35"""
import json
import os
import random
import subprocess
import sys

try:
    import numpy as np
    import scipy.sparse as sp
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
except ImportError:
    sys.exit("bench/gaps: needs python3-sklearn (apt-get install python3-sklearn)")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quality import banking77, clinc150  # noqa: E402  (the same data readers)

DIM = 256


def tfidf_svd(fit_texts, seed=0):
    words = TfidfVectorizer(sublinear_tf=True).fit(fit_texts)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True).fit(fit_texts)
    features = lambda texts: sp.hstack([words.transform(texts), chars.transform(texts)]).tocsr()
    svd = TruncatedSVD(DIM, random_state=seed).fit(features(fit_texts))
    return lambda texts: svd.transform(features(texts))


def unit(x):
    x = x - x.mean(axis=0)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def cone(x, seed=0):
    """x in a narrow cone: every vector plus one shared direction, to unit length."""
    u = np.random.default_rng(seed).normal(size=x.shape[1])
    x = x + 1.2 * u / np.linalg.norm(u)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def lsa(texts):
    return unit(tfidf_svd(texts)(texts))


def trained(train_rows, texts):
    encode = tfidf_svd([t for t, _ in train_rows])
    lda = LinearDiscriminantAnalysis().fit(encode([t for t, _ in train_rows]),
                                           [l for _, l in train_rows])
    return unit(lda.transform(encode(texts)))


def assign(binary, texts, vectors, extra):
    lines = []
    for i, text in enumerate(texts):
        q = {"text": text}
        if vectors is not None:
            q["embedding"] = [round(float(v), 6) for v in vectors[i]]
        lines.append(json.dumps(q))
    out = subprocess.run([binary, "gaps", "assign", "--ndjson", "--language", "en", *extra],
                         input="\n".join(lines) + "\n", capture_output=True, text=True,
                         check=True)
    pred = out.stdout.split()
    assert len(pred) == len(texts), "one topic per question"
    return pred


def figures(labels, pred):
    return "%4d %.3f %.3f" % (len(set(pred)), normalized_mutual_info_score(labels, pred),
                              adjusted_rand_score(labels, pred))


def main():
    binary, data, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
    tuning = extra[:1] == ["--tuning"]
    extra = extra[1:] if tuning else extra
    sets = []  # (name, rows, training rows for the trained encoder)
    if os.path.isdir(os.path.join(data, "banking77")):
        if tuning:
            train = banking77(data, ["train"])
            random.Random(5).shuffle(train)
            half = len(train) // 2
            sets.append(("B77 train half", train[half:], train[:half]))
        else:
            sets.append(("Banking77 test", banking77(data, ["test"]), banking77(data, ["train"])))
    if os.path.isdir(os.path.join(data, "clinc150")):
        sets.append(("CLINC150 val", clinc150(data, "val"), clinc150(data, "train")) if tuning
                    else ("CLINC150 test", clinc150(data, "test"), clinc150(data, "train")))
    if not sets:
        print("bench/gaps: no data in %s, skipped" % data)
        return
    print("%-15s %-12s | %-17s | %-17s | %-17s" % (
        "data", "encoder", "text only", "text + embedding", "k-means on emb."))
    print("%-15s %-12s | %-17s | %-17s | %-17s" % ("", "", *["topics NMI   ARI"] * 3))
    for name, rows, train in sets:
        random.Random(77).shuffle(rows)  # the arrival order of bench/gaps/quality.py
        texts = [t for t, _ in rows]
        labels = [l for _, l in rows]
        text_only = figures(labels, assign(binary, texts, None, extra))
        k = len(set(labels))
        encoders = [("lsa", lsa(texts)), ("trained", trained(train, texts))]
        encoders += [(name + " cone", cone(vectors)) for name, vectors in encoders]
        for encoder, vectors in encoders:
            both = figures(labels, assign(binary, texts, vectors, extra))
            alone = KMeans(k, n_init=3, random_state=0).fit_predict(vectors)
            print("%-15s %-12s | %-17s | %-17s | %-17s" % (name, encoder, text_only, both,
                                                         figures(labels, alone)), flush=True)


if __name__ == "__main__":
    main()
