#!/usr/bin/env python3
"""Knowledge gaps on the demo data (`make run`'s simulator): how many topics
for how many simulated needs, and how pure, for the online engine alone and
after the re-grouping (`gaps regroup`). Each simulated question is traced back
to its need by the phrasings of src/simulate/phrases.c (the simulator adds
greetings, sign-offs and order numbers around them).

usage: demo.py AGENTPERF_BIN [--weeks N] [--seed S]"""
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter

from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

HERE = os.path.dirname(os.path.abspath(__file__))
PHRASES = os.path.join(HERE, "..", "..", "src", "simulate", "phrases.c")


def list_bodies(chunk):
    """The contents of each LIST(...) in a piece of C, in order (strings skipped
    when matching parentheses)."""
    bodies, at = [], 0
    while True:
        start = chunk.find("LIST(", at)
        if start < 0:
            return bodies
        i, depth, in_string = start + 5, 1, False
        while depth:
            ch = chunk[i]
            if in_string:
                if ch == "\\":
                    i += 1
                elif ch == '"':
                    in_string = False
            elif ch == '"':
                in_string = True
            elif ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            i += 1
        bodies.append(chunk[start + 5:i - 1])
        at = i


def c_strings(body):
    """The C string literals of a LIST body, adjacent literals joined."""
    items, current = [], None
    for token in re.finditer(r'"((?:[^"\\]|\\.)*)"|(,)', body):
        if token.group(2):
            items.append(current)
            current = None
        else:
            current = (current or "") + token.group(1).replace('\\"', '"')
    if current is not None:
        items.append(current)
    return [i for i in items if i]


def need_patterns():
    """(compiled pattern, need) for every question phrasing of every need."""
    source = open(PHRASES, encoding="utf-8").read()
    chunks = source.split('TOPIC("')[1:]  # [0]: before the first (the macro has no quote)
    patterns = []
    for chunk in chunks:
        need = chunk[:chunk.index('"')]
        for body in list_bodies(chunk)[:2]:  # the English and Norwegian questions
            for text in c_strings(body):
                pattern = re.escape(text).replace(re.escape("{order}"), r"\S+")
                patterns.append((re.compile(pattern), need))
    # Longest first, so a phrasing that contains another wins.
    patterns.sort(key=lambda p: -len(p[0].pattern))
    return patterns


def need_of(text, patterns):
    for pattern, need in patterns:
        if pattern.search(text):
            return need
    return None


def topics(db):
    with sqlite3.connect(db) as con:
        return con.execute("SELECT text, topic_id FROM gap_questions WHERE dismissed = 0 "
                           "ORDER BY id").fetchall()


def report(title, rows, patterns):
    needs = [need_of(text, patterns) for text, _ in rows]
    known = [(n, t) for n, (_, t) in zip(needs, rows) if n is not None]
    truth = [n for n, _ in known]
    pred = [t for _, t in known]
    by_topic = {}
    for n, t in known:
        by_topic.setdefault(t, Counter())[n] += 1
    purity = sum(c.most_common(1)[0][1] for c in by_topic.values()) / len(known)
    n_needs = len(set(truth))
    print("%-22s %6d questions (%d traced) | %4d topics for %d needs (%.2fx) | purity %.3f | "
          "NMI %.3f ARI %.3f" % (title, len(rows), len(known), len(by_topic), n_needs,
                                  len(by_topic) / n_needs, purity,
                                  normalized_mutual_info_score(truth, pred),
                                  adjusted_rand_score(truth, pred)), flush=True)


def main():
    binary, args = sys.argv[1], sys.argv[2:]
    weeks, seed = "12", "1"
    while args:
        flag, value, args = args[0], args[1], args[2:]
        if flag == "--weeks":
            weeks = value
        elif flag == "--seed":
            seed = value
        else:
            sys.exit("demo.py: unknown option " + flag)
    patterns = need_patterns()
    with tempfile.TemporaryDirectory() as work:
        db = os.path.join(work, "demo.db")
        run = lambda *a: subprocess.run([binary, *a, "--db", db], check=True,
                                        capture_output=True, text=True)
        run("accounts", "create", "demo", "--time-zone", "Europe/Oslo",
            "--default-language", "nb")
        run("simulate", "--account", "demo", "--weeks", weeks, "--seed", seed)
        report("online engine", topics(db), patterns)
        run("gaps", "regroup", "--account", "demo")
        report("after gaps regroup", topics(db), patterns)


if __name__ == "__main__":
    main()
