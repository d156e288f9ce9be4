"""The whole gap-to-answer flow (SPEC §5-6): a topic's questions match no
answer; the admin previews and creates a short answer from the topic; the topic
is answered and linked; the same questions now match it; unanswered questions
that keep coming reopen the topic with the count since the answer."""
import json
import unittest

from apserver import Server, Workspace, event

PASSWORD = ["How do I reset my password?", "I forgot my password, how can I reset it?",
            "reset password please", "Password reset link does not work, how do I reset my password"]


def question(i, text, at, answered=False):
    return event("q%d" % i, "question.asked", "c%d" % i, at, text=text, answered=answered,
                 language="en")


class GapToAnswer(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace("ap-gap-answer-")
        self.ws.create_account("acme")
        self.admin = self.ws.create_token("acme", "admin")
        self.viewer = self.ws.create_token("acme", "viewer")
        self.ingest = self.ws.create_token("acme", "ingest")
        self.server = Server(self.ws.db).start()

    def tearDown(self):
        self.server.stop()
        self.ws.cleanup()

    def call(self, method, path, body=None, token=None):
        return self.server.request(method, path, None if body is None else json.dumps(body),
                                   token=token or self.admin,
                                   content_type=None if body is None else "application/json")

    def match(self, text):
        r = self.call("POST", "/v1/answers/match", {"question": text, "language": "en"},
                      self.ingest)
        self.assertEqual(r.status, 200, r)
        return r.json()["match"]

    def test_flow(self):
        evs = [question(i, t, "2026-11-2%dT10:00:00Z" % (i + 1)) for i, t in enumerate(PASSWORD)]
        self.assertEqual(self.server.post_events(evs, self.ingest).json()["stored"], 4)
        topics = self.call("GET", "/v1/gaps").json()["topics"]
        self.assertEqual(len(topics), 1, topics)
        topic = topics[0]
        for text in PASSWORD:
            self.assertIsNone(self.match(text), text)

        # Preview: the question starts as the topic's label; text is escaped,
        # links are clickable.
        r = self.call("POST", "/v1/gaps/%d/answer/preview" % topic["id"],
                      {"answer": "Go to https://example.com/reset <b>now</b>"})
        self.assertEqual(r.status, 200, r)
        preview = r.json()
        self.assertEqual(preview["question"], topic["label"])
        self.assertIn('<a href="https://example.com/reset"', preview["html"])
        self.assertIn("&lt;b&gt;now&lt;/b&gt;", preview["html"])
        self.assertNotIn("<b>", preview["html"])
        self.assertEqual(self.call("POST", "/v1/gaps/%d/answer/preview" % topic["id"],
                                   {"answer": "x"}, self.viewer).status, 403)

        # A team reply could start the draft; here the admin writes it.
        r = self.call("POST", "/v1/gaps/%d/answer" % topic["id"],
                      {"answer": "Go to https://example.com/reset and follow the steps.",
                       "alternatives": ["forgot my password"], "language": "en"})
        self.assertEqual(r.status, 201, r)
        created = r.json()
        self.assertEqual(created["answer"]["question"], topic["label"])
        self.assertEqual(created["topic"]["status"], "answered")
        self.assertEqual(created["topic"]["answer_id"], created["answer"]["id"])
        self.assertEqual(created["topic"]["since_answer"], 0)
        self.assertEqual(self.call("GET", "/v1/answers/%s" % created["answer"]["id"],
                                   token=self.viewer).status, 200)

        # The gap closes: the earlier questions match the new answer now.
        for text in PASSWORD:
            m = self.match(text)
            self.assertIsNotNone(m, text)
            self.assertEqual(m["id"], created["answer"]["id"], text)

        # More unanswered questions about it after the answer: reopened.
        r = self.server.post_events([question(10, "I still cannot reset my password",
                                              "2099-01-01T10:00:00Z")], self.ingest)
        self.assertEqual(r.json()["stored"], 1)
        t = self.call("GET", "/v1/gaps/%d" % topic["id"]).json()["topic"]
        self.assertEqual(t["status"], "reopened", t)
        self.assertEqual(t["since_answer"], 1)
        listed = self.call("GET", "/v1/gaps?status=reopened").json()["topics"]
        self.assertEqual([x["id"] for x in listed], [topic["id"]])

    def test_errors(self):
        self.server.post_events([question(1, PASSWORD[0], "2026-11-21T10:00:00Z")], self.ingest)
        tid = self.call("GET", "/v1/gaps").json()["topics"][0]["id"]
        r = self.call("POST", "/v1/gaps/999/answer", {"answer": "x"})
        self.assertEqual(r.status, 404)
        r = self.call("POST", "/v1/gaps/%d/answer" % tid, {"answer": ""})
        self.assertEqual((r.status, r.json()["error"]["field"]), (400, "answer"))
        # Nothing was created by the failed calls.
        self.assertEqual(self.call("GET", "/v1/answers").json()["total"], 0)
        self.assertEqual(self.call("GET", "/v1/gaps/%d" % tid).json()["topic"]["status"], "open")


if __name__ == "__main__":
    unittest.main()
