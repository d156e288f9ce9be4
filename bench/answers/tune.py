#!/usr/bin/env python3
"""How the default no-answer rule was chosen (docs/internals/answers.md).

On tuning data only — CLINC150 train + validation, and Banking77 train split
in two halves — with 1, 2, 3, 5, 10, 20, 50 and 100 phrasings per answer and
three random draws of which phrasings each:

1. every question's best candidate and its evidence come from
   bench/match_bench (AP_MATCH_EVIDENCE);
2. a logistic regression over the evidence learns whether that candidate is
   the right answer (CONFIDENCE_FEATURES, below): the weights of
   confidence() in src/answers/match.c;
3. for each number of phrasings, the least confidence at which the share of
   given answers that are wrong is at most TARGET_WRONG averaged over the two
   tuning sets and at most MAX_WRONG on each (means over the draws): the
   table EVIDENCE_BAR of match.c.

It prints the C constants. The reported sets (CLINC150 test, Banking77 test,
xsid-valid) play no part; bench/answers/quality.py reports on them.

usage: tune.py MATCH_BENCH DATA_DIR
"""
import math
import sys

import os

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests",
                                "lib"))
import answer_sets as sets  # noqa: E402  (shared with tests/answers)

PHRASINGS = (1, 2, 3, 5, 10, 20, 50, 100)
DRAWS = 3
TARGET_WRONG = 0.05  # the share of given answers that are wrong, averaged over the sets
MAX_WRONG = 0.10     # and on each set
# Out-of-scope questions are weighed so that they are this share of all
# questions, as in a stream where about one question in five has no answer
# (CLINC150's validation split has only 200 of 3,200).
OOS_SHARE = 0.18
MARGIN_CAP = 10.0  # beyond this, a lead over the runner-up says nothing more


def features(c):
    """The evidence of a candidate as confidence() in match.c reads it."""
    return [c.logit, min(c.margin, MARGIN_CAP), c.nearest, c.centroid, math.log(c.phrasings),
            c.covered, c.phrasing_covered]


CONFIDENCE_FEATURES = ("logit", "margin (capped at 10)", "nearest", "centroid", "ln phrasings",
                       "covered", "phrasing_covered")


def tuning_runs(bench, data_dir):
    clinc = sets.clinc(data_dir)
    runs = []
    for k in PHRASINGS:
        for seed in range(DRAWS):
            for name, task in (("clinc-val", sets.clinc_task(clinc, "val", k, seed)),
                               ("banking-train", sets.banking_task(data_dir, "train", k, seed))):
                answers, questions = task
                rows, _ = sets.run_bench(bench, answers, questions, evidence=1)
                runs.append((name, k, seed, rows, [l for _, l in questions]))
                print("%s k=%d draw %d: %d questions" % (name, k, seed, len(rows)),
                      file=sys.stderr)
    return runs


def oos_weight(labels):
    n_in = sum(l is not None for l in labels)
    n_oos = len(labels) - n_in
    return OOS_SHARE / (1 - OOS_SHARE) * n_in / n_oos if n_oos else 1.0


def fit(runs):
    x, y, w = [], [], []
    for _, _, _, rows, labels in runs:
        wo = oos_weight(labels)
        for cands, label in zip(rows, labels):
            if cands:
                x.append(features(cands[0]))
                y.append(cands[0].id == label)
                w.append(wo if label is None else 1.0)
    return LogisticRegression(C=10, max_iter=5000).fit(np.array(x), np.array(y),
                                                       sample_weight=np.array(w))


def wrong_share(p, right, oos, weight, t):
    given = p >= t
    w = np.where(oos, weight, 1.0)
    total = (w * given).sum()
    return (w * (given & ~right)).sum() / total if total else 0.0


def bars(model, runs):
    """Per number of phrasings: the least confidence whose weighed wrong share
    (mean over the draws) is at most TARGET_WRONG averaged over the tuning
    sets and at most MAX_WRONG on each."""
    scored = {}
    for name, k, seed, rows, labels in runs:
        p = model.predict_proba(np.array([features(c[0]) for c in rows]))[:, 1]
        right = np.array([c[0].id == l for c, l in zip(rows, labels)])
        oos = np.array([l is None for l in labels])
        scored.setdefault(k, {}).setdefault(name, []).append((p, right, oos, oos_weight(labels)))
    out = {}
    for k in PHRASINGS:
        for t in np.arange(0.30, 0.9999, 0.0025):
            per_set = [np.mean([wrong_share(*r, t) for r in draws])
                       for draws in scored[k].values()]
            if np.mean(per_set) <= TARGET_WRONG and max(per_set) <= MAX_WRONG:
                out[k] = t
                for name, draws in sorted(scored[k].items()):
                    print("%3d phrasings, bar %.4f: %-13s in-scope right %.3f, wrong %.3f"
                          % (k, t, name, np.mean([((d[0] >= t) & d[1]).sum() / (~d[2]).sum()
                                                  for d in draws]),
                             np.mean([wrong_share(*d, t) for d in draws])), file=sys.stderr)
                break
        else:
            out[k] = 0.9999
    return out


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    runs = tuning_runs(sys.argv[1], sys.argv[2])
    model = fit(runs)
    print("/* confidence(): features %s */" % ", ".join(CONFIDENCE_FEATURES))
    print("static const double CONFIDENCE_WEIGHTS[] = {%s};"
          % ", ".join("%.4f" % v for v in model.coef_[0]))
    print("#define CONFIDENCE_BIAS %.4f" % model.intercept_[0])
    chosen = bars(model, runs)
    print("static const struct bar EVIDENCE_BAR[] = {%s};"
          % ", ".join("{%d, %.4f}" % (k, chosen[k]) for k in PHRASINGS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
