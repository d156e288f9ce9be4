#!/usr/bin/env python3
"""One topic per customer need? Topic counts and agreement with the true
intents, set by set and arrival order by order, for the online engine
(`gaps assign`) and the batch re-grouping (`gaps assign --regroup`), next to
the lexical baseline told the true number of intents (TF-IDF word + character
n-grams, k-means), all run in this script on the same orders.

Sets (docs/benchmarks.md says which is which):
  tuning    Banking77 train, CLINC150 val (whole and per domain), xsid-valid
            sentences with an even number (per language; Norwegian bokmål and
            dialects apart)
  reported  Banking77 test, CLINC150 test (whole and per domain: 10 sets of 15
            intents, the size of one business), xsid-valid sentences with an
            odd number (per language), and English mixed with bokmål (the same
            intents in two languages)
The language given per set is the only per-set input.

Orders: N arrival orders per set, half shuffled and half in bursts (runs of
20 to 100 questions of one intent, as after an outage).

usage: needs.py AGENTPERF_BIN DATA_DIR [--orders N] [--split tuning|reported|all]
                [--sets NAME,...] [--engines online,regroup] [-- gaps assign options]"""
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quality  # noqa: E402  (data readers, the engine run, the baseline, scores)

XSID_LANGUAGE = {"en": "en", "da": "da", "de": "de", "no": "nb"}


def xsid(data, lang, odd, dialects=None):
    """xsid-valid sentences of one file: (text, intent). A sentence's number is
    its `# id` before the slash (the Norwegian file has one line per dialect of
    the same sentence) or its position (English has no ids)."""
    blocks, block = [], {}
    with open(os.path.join(data, "xsid-valid", lang + ".valid.conll"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# "):
                key, _, value = line[2:].partition(" = ")
                block[key] = value
            elif not line.strip():
                if block.get("text"):
                    blocks.append(block)
                block = {}
    if block.get("text"):
        blocks.append(block)
    rows = []
    for position, b in enumerate(blocks, 1):
        number = int(b["id"].split("/")[0]) if "id" in b else position
        if number % 2 != int(odd):
            continue
        if dialects and b.get("dialect") not in dialects:
            continue
        rows.append((b["text"], b["intent"]))
    return rows


def clinc_domains(data, part):
    with open(os.path.join(data, "clinc150", "domains.json")) as f:
        domains = json.load(f)
    rows = quality.clinc150(data, part)
    return {d: [r for r in rows if r[1] in set(intents)] for d, intents in domains.items()}


def sets_of(data, split):
    """(split, name, language, rows) of every set of the split."""
    out = []
    def add(s, name, lang, load, needs):
        if split in (s, "all") and os.path.isdir(os.path.join(data, needs)):
            out.append((s, name, lang, load))
    add("tuning", "Banking77 train", "en", lambda: quality.banking77(data, ["train"]), "banking77")
    add("tuning", "CLINC150 val", "en", lambda: quality.clinc150(data, "val"), "clinc150")
    add("reported", "Banking77 test", "en", lambda: quality.banking77(data, ["test"]), "banking77")
    add("reported", "CLINC150 test", "en", lambda: quality.clinc150(data, "test"), "clinc150")
    if os.path.isdir(os.path.join(data, "clinc150")):
        for s, part in (("tuning", "val"), ("reported", "test")):
            for domain, rows in sorted(clinc_domains(data, part).items()):
                add(s, "CLINC150 %s %s" % (part, domain), "en", lambda r=rows: r, "clinc150")
    for s, odd in (("tuning", False), ("reported", True)):
        tag = "odd" if odd else "even"
        for lang in ("en", "da", "de"):
            add(s, "xsid %s %s" % (tag, lang), XSID_LANGUAGE[lang],
                lambda l=lang, o=odd: xsid(data, l, o), "xsid-valid")
        add(s, "xsid %s nb" % tag, "nb", lambda o=odd: xsid(data, "no", o, ["B"]), "xsid-valid")
        add(s, "xsid %s no-dialects" % tag, "nb",
            lambda o=odd: xsid(data, "no", o, ["N", "T", "V"]), "xsid-valid")
        add(s, "xsid %s en+nb" % tag, "nb",
            lambda o=odd: xsid(data, "en", o) + xsid(data, "no", o, ["B"]), "xsid-valid")
    return out


def shuffled(rows, seed):
    rows = list(rows)
    random.Random(seed).shuffle(rows)
    return rows


def bursts(rows, seed):
    """Runs of 20 to 100 questions of one intent, the runs in a random order."""
    rng = random.Random(seed)
    by_intent = {}
    for row in shuffled(rows, seed):
        by_intent.setdefault(row[1], []).append(row)
    runs = []
    for intent in sorted(by_intent):
        rest = by_intent[intent]
        while rest:
            size = rng.randint(20, 100)
            runs.append(rest[:size])
            rest = rest[size:]
    rng.shuffle(runs)
    return [row for run in runs for row in run]


def orders(rows, n):
    half = max(1, n // 2)
    for seed in range(1, half + 1):
        yield "shuffled %d" % seed, shuffled(rows, seed)
    for seed in range(1, n - half + 1):
        yield "bursts %d" % seed, bursts(rows, seed)


def engine_args(engine, extra):
    return (["--regroup"] if engine == "regroup" else []) + extra


def main():
    binary, data, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    n_orders, split, only, engines, extra = 16, "all", None, ["online", "regroup"], []
    if "--" in args:
        extra = args[args.index("--") + 1:]
        args = args[:args.index("--")]
    while args:
        flag, value, args = args[0], args[1], args[2:]
        if flag == "--orders":
            n_orders = int(value)
        elif flag == "--split":
            split = value
        elif flag == "--sets":
            only = value.split(",")
        elif flag == "--engines":
            engines = value.split(",")
        else:
            sys.exit("needs.py: unknown option " + flag)
    summary = []
    for s, name, lang, load in sets_of(data, split):
        if only and name not in only:
            continue
        rows = load()
        k = len({label for _, label in rows})
        print("%s (%s, %d questions, %d intents, language %s)" % (name, s, len(rows), k, lang))
        print("  %-12s | %s | k-means told k: NMI ARI" % (
            "order", " | ".join("%s: topics NMI ARI" % e for e in engines)))
        held = {e: 0 for e in engines}
        totals = {e: [0.0, 0.0, 0.0] for e in engines}
        for label, ordered in orders(rows, n_orders):
            texts = [t for t, _ in ordered]
            truth = [l for _, l in ordered]
            base = quality.scores(truth, quality.baseline(texts, truth)[1])
            cells = []
            for e in engines:
                pred, _ = quality.ours(binary, texts, ["--language", lang] + engine_args(e, extra))
                topics, nmi, ari = quality.scores(truth, pred)
                holds = 0.6 * k <= topics <= 1.6 * k and nmi >= base[1] and ari >= base[2]
                held[e] += holds
                for i, v in enumerate((topics, nmi, ari)):
                    totals[e][i] += v
                cells.append("%4d %.3f %.3f %s" % (topics, nmi, ari, "ok" if holds else "--"))
            print("  %-12s | %s | %.3f %.3f" % (label, " | ".join(cells), base[1], base[2]),
                  flush=True)
        n = n_orders
        for e in engines:
            mean = [v / n for v in totals[e]]
            summary.append((s, name, k, e, mean, held[e], n))
    print("\nsummary: split | set | intents | engine | mean topics (x intents) NMI ARI | "
          "orders where topics are within 0.6-1.6x and NMI, ARI >= k-means")
    for s, name, k, e, mean, held, n in summary:
        print("  %-8s | %-32s | %3d | %-7s | %6.1f (%.2fx) %.3f %.3f | %d of %d" % (
            s, name, k, e, mean[0], mean[0] / k, mean[1], mean[2], held, n))


if __name__ == "__main__":
    main()
