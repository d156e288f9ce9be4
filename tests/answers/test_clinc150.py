"""The must-hold figures of short-answer matching on CLINC150 (issue 5), with
the product's default no-answer rule: one answer per intent from its training
phrasings, then the 4,500 in-scope and 1,000 out-of-scope test questions
through `agentperf answers match`. In-scope accuracy must be at least 0.90 and
out-of-scope recall at least 0.50. Skipped when ../shared/data is absent; the
full benchmark with the scikit-learn peer is bench/answers/quality.py."""
import json
import os
import unittest

from apserver import Workspace

DATA = os.path.join(os.environ.get("AP_SHARED_DATA", os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data")),
    "clinc150", "data_full.json")


@unittest.skipUnless(os.path.exists(DATA), "CLINC150 not found at %s" % DATA)
class Clinc150(unittest.TestCase):
    def test_default_rule_holds_the_figures(self):
        with open(DATA) as f:
            data = json.load(f)
        by_intent = {}
        for text, intent in data["train"]:
            by_intent.setdefault(intent, []).append(text)
        ndjson = "".join(json.dumps({"id": i, "question": p[0], "alternatives": p[1:],
                                     "answer": "-"}) + "\n" for i, p in sorted(by_intent.items()))
        ws = Workspace("ap-clinc-")
        self.addCleanup(ws.cleanup)
        ws.create_account("clinc")
        out = ws.cli("answers", "import", "--account", "clinc", input=ndjson).stdout
        self.assertIn("stored 150,", out)
        test = data["test"] + data["oos_test"]
        out = ws.cli("answers", "match", "--account", "clinc", timeout=600,
                     input="\n".join(q for q, _ in test) + "\n").stdout.splitlines()
        self.assertEqual(len(out), len(test))
        ins = oos = correct = rejected = 0
        for line, (_, label) in zip(out, test):
            ident = line.split()[0]
            if label == "oos":
                oos += 1
                rejected += ident == "none"
            else:
                ins += 1
                correct += ident == label
        accuracy, recall = correct / ins, rejected / oos
        print("CLINC150 test: in-scope accuracy %.3f, out-of-scope recall %.3f" % (accuracy, recall))
        self.assertGreaterEqual(accuracy, 0.90)
        self.assertGreaterEqual(recall, 0.50)


if __name__ == "__main__":
    unittest.main()
