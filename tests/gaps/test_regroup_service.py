"""The background re-grouping of knowledge-gap topics (docs/internals/gaps.md),
through the CLI and the server, on SQLite and PostgreSQL: one topic per need
where the online engine split needs; topic ids that continue where their
questions went, retired ones answering "merged into"; decisions people made
(a rename, a move) never undone; a second run changes nothing; the topic table
counts every question once; `serve --regroup` re-groups as questions arrive."""
import json
import random
import time
import unittest

from apserver import Server, Workspace, event

NEEDS = {
    "password": ["How do I reset my password?", "I forgot my password",
                 "password reset link does not work", "can you reset my password please",
                 "my password is not accepted, how do I change it",
                 "where is the reset password button", "I need a new password for my account",
                 "forgot password email never arrived", "how can I change my password",
                 "the password reset page shows an error"],
    "parcel": ["Where is my parcel?", "my parcel has not arrived yet", "can you track my parcel",
               "the parcel is late, where is it", "tracking number for my parcel does not work",
               "when will my parcel arrive", "parcel still not delivered after a week",
               "has my parcel been sent", "is my parcel lost",
               "the parcel tracking page shows nothing"],
    "refund": ["How do I get a refund?", "I want a refund for my order",
               "refund for a damaged item", "when will I get my refund",
               "refund has not arrived on my card", "can I have my money back, refund please",
               "how long does a refund take", "I returned the item but no refund yet",
               "refund status for my return", "is a refund possible without the receipt"],
}


def question_events(seed=7):
    """Every question as its own conversation, in a shuffled order."""
    rows = [(need, text) for need, texts in NEEDS.items() for text in texts]
    random.Random(seed).shuffle(rows)
    events = []
    for i, (need, text) in enumerate(rows):
        conversation = "c%d" % i
        at = "2026-11-%02dT10:%02d:00Z" % (2 + i % 20, i % 60)
        events.append(event("s%d" % i, "conversation.started", conversation, at, channel="chat"))
        events.append(event("q%d" % i, "question.asked", conversation, at, text=text,
                            answered=False, language="en"))
    return events


def ndjson(events):
    return "".join(json.dumps(e) + "\n" for e in events)


def need_of(text):
    return next(need for need, texts in NEEDS.items() if text in texts)


class Topics:
    """The account's topics read through the CLI: id -> list of question dicts."""

    def __init__(self, ws, account):
        listed = json.loads(ws.cli("gaps", "list", "--account", account, "--format", "json",
                                   "--limit", "500").stdout)
        self.listed = listed["topics"]
        self.questions = {}
        for t in self.listed:
            shown = json.loads(ws.cli("gaps", "show", str(t["id"]), "--account", account,
                                      "--format", "json").stdout)
            self.questions[t["id"]] = shown["questions"]

    def topic_of_text(self):
        return {q["text"]: tid for tid, qs in self.questions.items() for q in qs}

    def needs_per_topic(self):
        return {tid: {need_of(q["text"]) for q in qs} for tid, qs in self.questions.items()}


class RegroupCli(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace("ap-regroup-")
        self.ws.create_account("acme")
        self.ws.cli("ingest", "--account", "acme", "-", input=ndjson(question_events()))

    def tearDown(self):
        self.ws.cleanup()

    def regroup(self):
        out = self.ws.cli("gaps", "regroup", "--account", "acme").stdout
        self.assertRegex(out, r"^re-grouped: \d+ questions moved\n$")
        return int(out.split()[1])

    def test_one_topic_per_need_and_ids_carried_over(self):
        before = Topics(self.ws, "acme")
        self.assertGreater(len(before.listed), 3, "the online engine splits these needs")
        moved = self.regroup()
        self.assertGreater(moved, 0)
        after = Topics(self.ws, "acme")
        self.assertEqual(len(after.listed), 3)
        for tid, needs in after.needs_per_topic().items():
            self.assertEqual(len(needs), 1, "topic %d mixes %s" % (tid, needs))
        # Each topic continues one that existed; the others answer "merged into".
        old_ids = {t["id"] for t in before.listed}
        new_ids = {t["id"] for t in after.listed}
        self.assertTrue(new_ids <= old_ids, (new_ids, old_ids))
        for gone in old_ids - new_ids:
            shown = self.ws.cli("gaps", "show", str(gone), "--account", "acme", check=False)
            self.assertNotEqual(shown.returncode, 0)
            self.assertIn("merged into", shown.stderr)
        # The table counts every question once.
        self.assertEqual(sum(t["questions"] for t in after.listed), 30)
        # The label is a question of the topic.
        for t in after.listed:
            self.assertIn(t["label"], [q["text"] for q in after.questions[t["id"]]])
        # Nothing left to do: the same set gives the same topics.
        self.assertEqual(self.regroup(), 0)

    def test_curated_decisions_stay(self):
        before = Topics(self.ws, "acme")
        renamed = before.listed[-1]["id"]
        kept = sorted(q["text"] for q in before.questions[renamed])
        self.ws.cli("gaps", "rename", str(renamed), "Kept as it is", "--account", "acme")
        # A person puts a password question into a parcel topic on purpose.
        topic_of = before.topic_of_text()
        parcel_topic = next(tid for tid, qs in before.questions.items()
                            if tid != renamed and {need_of(q["text"]) for q in qs} == {"parcel"})
        moved_text = next(t for t in NEEDS["password"] if topic_of[t] != renamed)
        moved_id = next(q["id"] for q in before.questions[topic_of[moved_text]]
                        if q["text"] == moved_text)
        self.ws.cli("gaps", "move", str(moved_id), str(parcel_topic), "--account", "acme")
        self.regroup()
        after = Topics(self.ws, "acme")
        self.assertEqual(sorted(q["text"] for q in after.questions[renamed]), kept)
        self.assertEqual(after.topic_of_text()[moved_text], parcel_topic)


class RegroupServer(unittest.TestCase):
    def test_serve_regroup_groups_as_questions_arrive(self):
        ws = Workspace("ap-regroup-serve-")
        try:
            ws.create_account("acme")
            ingest = ws.create_token("acme", "ingest")
            viewer = ws.create_token("acme", "viewer")
            with Server(ws.db, "--regroup") as server:
                r = server.post_events(question_events(seed=11), ingest)
                self.assertEqual(r.status, 200, r)
                deadline, topics = time.monotonic() + 60, None
                while time.monotonic() < deadline:
                    r = server.request("GET", "/v1/gaps?limit=500", token=viewer)
                    self.assertEqual(r.status, 200, r)
                    topics = r.json()["topics"]
                    if len(topics) == 3:
                        break
                    time.sleep(0.2)
                self.assertEqual(len(topics), 3, [t["label"] for t in topics])
                self.assertEqual(sum(t["questions"] for t in topics), 30)
        finally:
            ws.cleanup()


if __name__ == "__main__":
    unittest.main()
