"""The must-hold grouping figures of issue 4 on Banking77, through
`agentperf gaps assign` with its defaults (never told the number of topics):
on the 3,080 test questions and on the 13,083 train+test questions, in the
benchmark's arrival order (shuffled with seed 77), the engine must find
54 to 100 topics (77 intents ± 30%) and beat the lexical baseline on NMI and
ARI. The baseline's figures are the ones bench/gaps/quality.py measures with
scikit-learn (TF-IDF words + character 2-5-grams, k-means told k = 77; its
k-means is seeded, so they do not change); the scores here are computed in
plain Python, so the test needs no scikit-learn. Skipped when ../shared/data is
absent."""
import csv
import math
import os
import random
import subprocess
import unittest
from collections import Counter

from apserver import BIN

DATA = os.path.join(os.environ.get("AP_SHARED_DATA", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data")),
    "banking77")

# (parts, baseline NMI, baseline ARI), from bench/gaps/quality.py
SETS = [(["test"], 0.655, 0.281), (["train", "test"], 0.598, 0.220)]


def load(parts):
    rows = []
    for part in parts:
        with open(os.path.join(DATA, part + ".csv"), newline="") as f:
            rows += [(r["text"], r["category"]) for r in csv.DictReader(f)]
    random.Random(77).shuffle(rows)
    return rows


def entropy(counts, n):
    return -sum(c / n * math.log(c / n) for c in counts if c)


def nmi(labels, pred):
    """Normalised mutual information, arithmetic-mean normalisation (as
    scikit-learn's default)."""
    n = len(labels)
    joint, a, b = Counter(zip(labels, pred)), Counter(labels), Counter(pred)
    mi = sum(c / n * math.log(c * n / (a[x] * b[y])) for (x, y), c in joint.items())
    mean = (entropy(a.values(), n) + entropy(b.values(), n)) / 2
    return mi / mean if mean > 0 else 1.0


def ari(labels, pred):
    """Adjusted Rand index (Hubert and Arabie)."""
    def pairs(k):
        return k * (k - 1) / 2
    n = len(labels)
    index = sum(pairs(c) for c in Counter(zip(labels, pred)).values())
    sum_a = sum(pairs(c) for c in Counter(labels).values())
    sum_b = sum(pairs(c) for c in Counter(pred).values())
    expected = sum_a * sum_b / pairs(n)
    best = (sum_a + sum_b) / 2
    return (index - expected) / (best - expected)


class Scores(unittest.TestCase):
    """The score functions against figures worked out by hand."""

    def test_identical_groupings_score_one(self):
        self.assertAlmostEqual(nmi("aabb", "xxyy"), 1.0)
        self.assertAlmostEqual(ari("aabb", "xxyy"), 1.0)

    def test_known_values(self):
        # sklearn: normalized_mutual_info_score / adjusted_rand_score
        labels, pred = [0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]
        self.assertAlmostEqual(nmi(labels, pred), 0.5158037429793889)
        self.assertAlmostEqual(ari(labels, pred), 0.24242424242424246)


@unittest.skipUnless(os.path.isdir(DATA), "Banking77 not found at %s" % DATA)
class Banking77(unittest.TestCase):
    def check(self, parts, base_nmi, base_ari):
        rows = load(parts)
        stdin = "".join(t.replace("\n", " ") + "\n" for t, _ in rows)
        out = subprocess.run([BIN, "gaps", "assign", "--language", "en"], input=stdin,
                             capture_output=True, text=True, check=True, timeout=300)
        pred = out.stdout.split()
        self.assertEqual(len(pred), len(rows))
        labels = [label for _, label in rows]
        topics, got_nmi, got_ari = len(set(pred)), nmi(labels, pred), ari(labels, pred)
        figures = "%s: %d topics, NMI %.3f ARI %.3f (baseline %.3f %.3f)" % (
            "+".join(parts), topics, got_nmi, got_ari, base_nmi, base_ari)
        print(figures)
        self.assertTrue(54 <= topics <= 100, figures)
        self.assertGreater(got_nmi, base_nmi, figures)
        self.assertGreater(got_ari, base_ari, figures)

    def test_test_split(self):
        self.check(*SETS[0])

    def test_train_and_test(self):
        self.check(*SETS[1])


if __name__ == "__main__":
    unittest.main()
