"""A topic's every question, identical ones counted together (docs/api.md,
GET /v1/gaps/{id}/questions), the topic list's top three questions, and
dismissing by conversation with its undo (SPEC §5): paging past 100,
validation naming the field, roles, and accounts that never see or change
each other's questions."""
import json
import sqlite3
import subprocess
import unittest

from apserver import BACKEND, Server, Workspace, event

# Identical after case, white space and end punctuation: one row each.
ORDER = ["Where is my order?", "where is my order", "WHERE IS MY ORDER ?!", "Where  is my order.",
         "where is my order?"]
INVOICE = ["Can I pay by invoice?", "can i pay by invoice", "Can I pay by invoice ?"]
RETURN = ["How do I return an item?", "how do I return an item"]
DISTINCT = 130  # distinct questions besides: more than one page of 100


def question(i, text, conversation, at):
    return event("q%d" % i, "question.asked", conversation, at, text=text, answered=False)


def started(conversation, channel, at):
    return event("s-" + conversation, "conversation.started", conversation, at, channel=channel)


def norm(text):
    return " ".join(text.lower().split()).rstrip("?!. ")


class GapQuestions(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace("ap-gapq-")
        cls.ws.create_account("acme", conversation_url="https://help.example.com/c/{conversation_id}")
        cls.ws.create_account("other")
        cls.admin = cls.ws.create_token("acme", "admin")
        cls.viewer = cls.ws.create_token("acme", "viewer")
        cls.ingest = cls.ws.create_token("acme", "ingest")
        cls.other_admin = cls.ws.create_token("other", "admin")
        cls.other_ingest = cls.ws.create_token("other", "ingest")
        cls.server = Server(cls.ws.db).start()
        events, n = [], 0
        for group, prefix in ((ORDER, "w"), (INVOICE, "i"), (RETURN, "r")):
            for k, text in enumerate(group):
                n += 1
                conv = "c-%s%d" % (prefix, k)
                at = "2026-11-%02dT10:%02d:00Z" % (2 + k, n % 60)
                events += [started(conv, "email" if prefix == "i" else "chat", at),
                           question(n, text, conv, at)]
        for k in range(DISTINCT):
            n += 1
            conv = "c-d%d" % k
            at = "2026-11-20T%02d:%02d:00Z" % (k // 60, k % 60)
            events += [started(conv, "chat", at),
                       question(n, "Question %d about the widget model %s" % (k, "xyz"[k % 3]),
                                conv, at)]
        cls.n_questions = n
        r = cls.server.post_events(events, cls.ingest)
        assert r.status == 200 and r.json()["rejected"] == 0, r
        # One topic holds them all: merge every other topic into the first.
        topics = cls.request("GET", "/v1/gaps?status=all&limit=500", token=cls.viewer).json()
        ids = sorted(t["id"] for t in topics["topics"])
        cls.topic = ids[0]
        for t in ids[1:]:
            r = cls.request("POST", "/v1/gaps/%d/merge" % t, {"into": cls.topic})
            assert r.status == 200, r
        # Another account's topic, with a conversation id acme also uses.
        r = cls.server.post_events([question(1, "Where is my order?", "c-w0",
                                             "2026-11-02T10:00:00Z")], cls.other_ingest)
        assert r.status == 200, r
        other = cls.request("GET", "/v1/gaps", token=cls.other_admin).json()
        cls.other_topic = other["topics"][0]["id"]

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.ws.cleanup()

    @classmethod
    def request(cls, method, path, body=None, token=None):
        return cls.server.request(method, path, None if body is None else json.dumps(body),
                                  token=token or cls.admin,
                                  content_type=None if body is None else "application/json")

    def page(self, query="", token=None):
        r = self.request("GET", "/v1/gaps/%d/questions%s" % (self.topic, query),
                         token=token or self.viewer)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def listed(self, query=""):
        r = self.request("GET", "/v1/gaps" + query, token=self.viewer)
        self.assertEqual(r.status, 200, r)
        return next(t for t in r.json()["topics"] if t["id"] == self.topic)

    def assert_error(self, r, status, field):
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.json()["error"]["field"], field, r)

    # --- the list's top questions ---------------------------------------------------

    def test_list_shows_the_top_three_with_counts(self):
        top = self.listed()["top_questions"]
        self.assertEqual([(norm(q["text"]), q["count"]) for q in top],
                         [("where is my order", 5), ("can i pay by invoice", 3),
                          ("how do i return an item", 2)])
        self.assertIn(top[0]["text"], ORDER)  # as asked, not normalised

    def test_top_questions_follow_the_filters(self):
        top = self.listed("?channel=email")["top_questions"]
        self.assertEqual([(norm(q["text"]), q["count"]) for q in top], [("can i pay by invoice", 3)])
        # A day that holds the first question of each of the three only.
        top = self.listed("?from=2026-11-02&to=2026-11-03")["top_questions"]
        self.assertEqual(sorted((norm(q["text"]), q["count"]) for q in top),
                         [("can i pay by invoice", 1), ("how do i return an item", 1),
                          ("where is my order", 1)])

    def test_cli_list_shows_the_top_questions(self):
        doc = json.loads(self.ws.cli("gaps", "list", "--account", "acme", "--format",
                                     "json").stdout)
        topic = next(t for t in doc["topics"] if t["id"] == self.topic)
        self.assertEqual(topic["top_questions"][0]["count"], 5)
        table = self.ws.cli("gaps", "list", "--account", "acme").stdout
        self.assertRegex(table, r"\n\s+5 × (?i:where  ?is my order)")
        self.assertRegex(table, r"\n\s+3 × (?i:can i pay by invoice)")

    def test_top_questions_come_from_the_latest_500(self):
        """A list costs the same whatever the topics' sizes: the top questions are
        counted among a topic's latest 500 questions (docs/api.md), while the
        topic page counts them all."""
        self.ws.create_account("big")
        ingest = self.ws.create_token("big", "ingest")
        admin = self.ws.create_token("big", "admin")
        events = [question(i, "Is the old model still sold?", "old-%d" % i,
                           "2026-10-01T10:%02d:00Z" % i) for i in range(20)]
        events += [question(100 + i, "Does the new model %d fold flat?" % i, "new-%d" % i,
                            "2026-11-%02dT%02d:%02d:00Z" % (2 + i // 60, i % 24, i % 60))
                   for i in range(500)]
        r = self.server.post_events(events, ingest)
        self.assertEqual(r.status, 200, r)
        topics = sorted(t["id"] for t in self.request(
            "GET", "/v1/gaps?status=all&limit=500", token=admin).json()["topics"])
        for t in topics[1:]:
            self.assertEqual(self.request("POST", "/v1/gaps/%d/merge" % t, {"into": topics[0]},
                                          token=admin).status, 200)
        listed = self.request("GET", "/v1/gaps", token=admin).json()["topics"][0]
        self.assertEqual(listed["questions"], 520)
        self.assertEqual([q["count"] for q in listed["top_questions"]], [1, 1, 1])
        self.assertNotIn("Is the old model still sold?", [q["text"] for q in listed["top_questions"]])
        # Before the new ones, the old question is the top one, with its 20.
        early = self.request("GET", "/v1/gaps?to=2026-11-01", token=admin).json()["topics"][0]
        self.assertEqual(early["top_questions"], [{"text": "Is the old model still sold?", "count": 20}])
        page = self.request("GET", "/v1/gaps/%d/questions?limit=1" % topics[0], token=admin).json()
        self.assertEqual((page["groups"][0]["text"], page["groups"][0]["count"]),
                         ("Is the old model still sold?", 20))

    # --- every question, a page at a time --------------------------------------------

    def test_pages_reach_every_question(self):
        first = self.page()
        self.assertEqual(first["limit"], 100)
        self.assertEqual(first["total"], DISTINCT + 3)
        self.assertEqual(first["questions"], self.n_questions)
        self.assertEqual(len(first["groups"]), 100)
        second = self.page("?offset=100&limit=100")
        self.assertEqual(len(second["groups"]), DISTINCT + 3 - 100)
        rows = first["groups"] + second["groups"]
        ids = [q["id"] for g in rows for q in g["questions"]]
        self.assertEqual(len(ids), self.n_questions)
        self.assertEqual(len(set(ids)), self.n_questions)
        self.assertEqual(self.page("?offset=%d" % (DISTINCT + 3))["groups"], [])

    def test_identical_questions_are_one_row_with_their_conversations(self):
        rows = self.page("?limit=3")["groups"]
        self.assertEqual([r["count"] for r in rows], [5, 3, 2])
        order = rows[0]
        self.assertEqual(sorted(q["conversation_id"] for q in order["questions"]),
                         ["c-w%d" % k for k in range(5)])
        self.assertEqual(order["questions"][0]["conversation_url"],
                         "https://help.example.com/c/" + order["questions"][0]["conversation_id"])
        ats = [q["at"] for q in order["questions"]]
        self.assertEqual(ats, sorted(ats, reverse=True))  # newest first

    def test_page_parameters_are_checked(self):
        for query, field in (("?limit=0", "limit"), ("?limit=501", "limit"),
                             ("?limit=x", "limit"), ("?offset=-1", "offset"),
                             ("?offset=1.5", "offset")):
            self.assert_error(self.request("GET", "/v1/gaps/%d/questions%s" % (self.topic, query),
                                           token=self.viewer), 400, field)
        self.assert_error(self.request("GET", "/v1/gaps/99999/questions", token=self.viewer),
                          404, "id")

    # --- dismissing by conversation, and the undo -------------------------------------

    def dismiss(self, conversations, topic=None, token=None):
        return self.request("POST", "/v1/gaps/%d/dismiss-conversations" % (topic or self.topic),
                            {"conversations": conversations}, token)

    def undo(self, questions, topic=None, token=None):
        return self.request("POST", "/v1/gaps/%d/undismiss-questions" % (topic or self.topic),
                            {"questions": questions}, token)

    def test_dismiss_conversations_then_undo(self):
        before = self.listed()
        r = self.dismiss(["c-w0", "c-w1", "c-w0"])
        self.assertEqual(r.status, 200, r)
        dismissed = r.json()["dismissed"]
        self.assertEqual(len(dismissed), 2)
        self.assertEqual(r.json()["topic"]["questions"], before["questions"] - 2)
        self.assertEqual(r.json()["topic"]["conversations"], before["conversations"] - 2)
        row = self.page("?limit=1")["groups"][0]
        self.assertEqual((row["count"], row["dismissed"]), (3, 2))
        self.assertEqual({q["id"] for q in row["questions"] if q["dismissed"]}, set(dismissed))
        self.assertEqual(self.listed()["top_questions"][0]["count"], 3)
        # Dismissing them again changes nothing; undoing brings them back.
        again = self.dismiss(["c-w0"])
        self.assertEqual(again.json()["dismissed"], [])
        r = self.undo(dismissed)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(sorted(r.json()["undismissed"]), sorted(dismissed))
        self.assertEqual(r.json()["topic"]["questions"], before["questions"])
        self.assertEqual(self.listed()["top_questions"][0]["count"], 5)
        self.assertEqual(self.undo(dismissed).json()["undismissed"], [])
        self.assertEqual(self.pinned("acme", dismissed), len(dismissed))

    def pinned(self, account, ids):
        """The re-grouping may never move a question a person dismissed or
        brought back: it is pinned (migration 009)."""
        sql = ("SELECT count(*) FROM gap_questions WHERE account_id = (SELECT id FROM accounts "
               "WHERE name = '%s') AND pinned = 1 AND id IN (%s)") % (account, ",".join(
            str(int(i)) for i in ids))
        if BACKEND == "postgres":
            out = subprocess.run(["psql", "-X", "-A", "-t", "-d", self.ws.db, "-c", sql],
                                 check=True, capture_output=True, text=True).stdout
            pinned = int(out.strip())
        else:
            with sqlite3.connect(self.ws.db) as db:
                pinned = db.execute(sql).fetchone()[0]
        return pinned

    def test_a_failed_dismissal_dismisses_nothing(self):
        before = self.listed()["questions"]
        self.assert_error(self.dismiss(["c-i0", "no-such-conversation"]), 400, "conversations")
        self.assertEqual(self.listed()["questions"], before)
        r = self.dismiss(["nope"])
        self.assert_error(r, 400, "conversations")
        self.assertIn('"nope"', r.json()["error"]["message"])
        long_id = "\u00e6" * 128  # 256 bytes: named by its size, never cut inside a character
        r = self.dismiss([long_id])
        self.assert_error(r, 400, "conversations")
        self.assertIn("256 bytes", r.json()["error"]["message"])
        self.assert_error(self.dismiss([]), 400, "conversations")
        self.assert_error(self.dismiss("c-i0"), 400, "conversations")
        self.assert_error(self.dismiss([1, 2]), 400, "conversations")
        self.assert_error(self.dismiss(["c%d" % i for i in range(501)]), 413, "conversations")
        self.assert_error(self.dismiss(["c-i0"], topic=99999), 404, "id")
        r = self.request("POST", "/v1/gaps/%d/dismiss-conversations" % self.topic, {})
        self.assert_error(r, 400, "conversations")

    def test_undo_checks_its_ids(self):
        self.assert_error(self.undo([999999]), 400, "questions")
        self.assert_error(self.undo([]), 400, "questions")
        self.assert_error(self.undo([1.5]), 400, "questions")
        self.assert_error(self.undo(["1"]), 400, "questions")
        self.assert_error(self.undo(list(range(1, 10002))), 413, "questions")

    def test_roles(self):
        self.assertEqual(self.dismiss(["c-r0"], token=self.viewer).status, 403)
        self.assertEqual(self.undo([1], token=self.viewer).status, 403)
        self.assertEqual(self.request("GET", "/v1/gaps/%d/questions" % self.topic,
                                      token=self.ingest).status, 403)

    def test_another_account_can_neither_see_nor_change_them(self):
        r = self.request("GET", "/v1/gaps/%d/questions" % self.topic, token=self.other_admin)
        if r.status == 200:  # the same number may be a topic of its own there
            texts = [g["text"] for g in r.json()["groups"]]
            self.assertEqual(texts, ["Where is my order?"])
        else:
            self.assertEqual(r.status, 404, r)
        before = self.listed()
        page = self.page("?limit=1")["groups"][0]
        # The other account's topic holds its own c-w0: acme's stays as it was.
        self.assertEqual(self.pinned("other", [1]), 0)  # grouped, never curated
        r = self.dismiss(["c-w0"], topic=self.other_topic, token=self.other_admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json()["dismissed"]), 1)
        self.assertEqual(self.listed()["questions"], before["questions"])
        # acme's question ids are unknown in the other account's topic.
        acme_ids = [q["id"] for q in page["questions"]]
        restored = self.undo(acme_ids, topic=self.other_topic, token=self.other_admin)
        if restored.status == 200:  # only where an id is also the other's own question
            self.assertLessEqual(set(restored.json()["undismissed"]), {1})
        else:
            self.assert_error(restored, 400, "questions")
        self.assert_error(self.dismiss(["c-w1"], topic=self.other_topic, token=self.other_admin),
                          400, "conversations")
        self.assertEqual(self.page("?limit=1")["groups"][0], page)
        undone = self.undo(r.json()["dismissed"], topic=self.other_topic, token=self.other_admin)
        self.assertEqual(undone.json()["undismissed"], [1])
        self.assertEqual(self.pinned("other", [1]), 1)  # the undo is a person's decision too


if __name__ == "__main__":
    unittest.main()
