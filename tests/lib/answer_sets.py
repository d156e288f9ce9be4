"""The question sets of the short-answer benchmarks (bench/answers) and tests
(tests/answers), read from ../shared/data (never copied into the repository),
and the in-process matcher run over them.

A *task* is a set of answers (id -> phrasings, the first is the question) and
a list of (question, label) pairs, label None for a question no answer
covers. Tuning tasks come from CLINC150 train + val and Banking77 train; the
reported tasks from CLINC150 test, Banking77 test and xsid-valid Norwegian,
which play no part in choosing the defaults (docs/benchmarks.md).
"""
import csv
import json
import os
import random
import subprocess
import tempfile
from collections import namedtuple

# One candidate of a match with its evidence (src/answers/answers.h).
Candidate = namedtuple("Candidate", "id logit margin nearest centroid covered phrasing_covered "
                                    "phrasings score")

# Banking77 has no out-of-scope questions: each draw leaves this many of its
# 77 intents without an answer, and their questions are the out-of-scope ones.
BANKING_HELD_OUT = 15
# xsid's Norwegian set has 15 intents: 3 are held out the same way.
XSID_HELD_OUT = 3


def clinc(data_dir):
    with open(os.path.join(data_dir, "clinc150", "data_full.json")) as f:
        return json.load(f)


def by_label(rows):
    out = {}
    for text, label in rows:
        out.setdefault(label, []).append(text)
    return out


def draw_answers(pool, k, rng):
    """k phrasings per answer, drawn at random (a different draw per seed)."""
    answers = {}
    for label in sorted(pool):
        p = pool[label]
        answers[label] = rng.sample(p, k) if k < len(p) else list(p)
    return answers


def clinc_task(data, split, k, seed):
    """Answers from k random training phrasings of every intent. Tuning
    (split "val"): the validation questions plus the out-of-scope train and
    validation ones. Reported (split "test"): the test questions and
    oos_test."""
    rng = random.Random("clinc-%s-%d-%d" % (split, k, seed))
    answers = draw_answers(by_label(data["train"]), k, rng)
    if split == "val":
        questions = data["val"] + data["oos_val"] + data["oos_train"]
    else:
        questions = data["test"] + data["oos_test"]
    return answers, [(q, None if l == "oos" else l) for q, l in questions]


def banking(data_dir, name):
    with open(os.path.join(data_dir, "banking77", name + ".csv")) as f:
        return [(r["text"], r["category"]) for r in csv.DictReader(f)]


def banking_task(data_dir, split, k, seed):
    """Tuning ("train"): each intent's training questions split in two
    halves, answers from the first, questions from the second. Reported
    ("test"): answers from the training questions, questions from test.
    Either way BANKING_HELD_OUT intents get no answer."""
    rng = random.Random("banking-%s-%d-%d" % (split, k, seed))
    train = by_label(banking(data_dir, "train"))
    labels = sorted(train)
    held = set(rng.sample(labels, BANKING_HELD_OUT))
    if split == "train":
        pool, asked = {}, []
        for label in labels:
            p = list(train[label])
            rng.shuffle(p)
            half = len(p) // 2
            pool[label] = p[:half]
            asked += [(q, label) for q in p[half:]]
    else:
        pool, asked = train, banking(data_dir, "test")
    answers = draw_answers({l: pool[l] for l in labels if l not in held}, k, rng)
    return answers, [(q, None if l in held else l) for q, l in asked]


def xsid_no(data_dir):
    """(text, intent, dialect) of xsid-valid's Norwegian file; "/" in an
    intent becomes "." (an answer id is a path segment). A record without
    text (there is one) is left out."""
    rows, cur = [], {}
    with open(os.path.join(data_dir, "xsid-valid", "no.valid.conll"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("# ") and " = " in line:
                key, value = line[2:].split(" = ", 1)
                cur[key] = value.strip()
            elif not line.strip() and cur:
                rows.append((cur["text"], cur["intent"].replace("/", "."), cur.get("dialect")))
                cur = {}
    if cur:
        rows.append((cur["text"], cur["intent"].replace("/", "."), cur.get("dialect")))
    return [r for r in rows if r[0].strip()]


def xsid_task(rows, k, seed):
    """Answers from k bokmål (dialect B) phrasings per intent; questions in
    the dialects N, T and V. XSID_HELD_OUT intents get no answer."""
    rng = random.Random("xsid-%d-%d" % (k, seed))
    pool = by_label([(t, i) for t, i, d in rows if d == "B"])
    held = set(rng.sample(sorted(pool), XSID_HELD_OUT))
    answers = draw_answers({l: p for l, p in pool.items() if l not in held}, k, rng)
    asked = [(t, None if i in held else i) for t, i, d in rows if d in ("N", "T", "V")]
    return answers, asked


def run_bench(bench, answers, questions, language="en", evidence=5, env=None):
    """Runs bench/match_bench on a task: per question, the candidates
    [Candidate], best first,
    and the latency line of its stderr."""
    with tempfile.TemporaryDirectory(prefix="ap-answers-sets-") as tmp:
        fa, fq = os.path.join(tmp, "answers.tsv"), os.path.join(tmp, "questions.tsv")
        with open(fa, "w", encoding="utf-8") as f:
            for ident in sorted(answers):
                for p in answers[ident]:
                    f.write("%s\t%s\n" % (ident, p.replace("\t", " ").replace("\n", " ")))
        with open(fq, "w", encoding="utf-8") as f:
            for i, (q, _) in enumerate(questions):
                f.write("%d\t%s\n" % (i, q.replace("\t", " ").replace("\n", " ")))
        run_env = dict(os.environ, AP_MATCH_EVIDENCE=str(evidence), AP_MATCH_LANGUAGE=language)
        run_env.update(env or {})
        proc = subprocess.run([bench, fa, fq], capture_output=True, text=True, env=run_env,
                              check=True)
    rows = []
    for line in proc.stdout.splitlines():
        cells = line.split("\t")
        cands = []
        for j in range(1, len(cells), 9):
            c = cells[j:j + 9]
            cands.append(Candidate(c[0], *map(float, c[1:7]), int(c[7]), float(c[8])))
        rows.append(cands)
    assert len(rows) == len(questions), (len(rows), len(questions))
    return rows, proc.stderr.strip()


def table_row(rows, questions, threshold):
    """(in-scope answered right, out-of-scope recall, share of given answers
    that are wrong) with the rule score >= threshold."""
    ins = oos = right = rejected = given = wrong = 0
    for cands, (_, label) in zip(rows, questions):
        answered = cands and cands[0].score >= threshold
        ident = cands[0].id if answered else None
        if label is None:
            oos += 1
            rejected += ident is None
        else:
            ins += 1
            right += ident == label
        if ident is not None:
            given += 1
            wrong += ident != label
    return (right / ins if ins else 0.0, rejected / oos if oos else float("nan"),
            wrong / given if given else 0.0)
