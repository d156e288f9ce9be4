"""An answer made from a knowledge-gap topic learns from the topic (SPEC §6,
issue 19): its undismissed questions become the answer's phrasings unless the
admin sends their own (an empty list too), and its language defaults to the
language the questions were asked in, not the account's "en"."""
import json
import unittest

from apserver import Server, Workspace, event

DELETE_ACCOUNT = ["Hvordan sletter jeg kontoen min?", "Jeg vil slette kontoen",
                  "slette konto", "Kan dere slette brukeren min?"]


class AnswerFromTopic(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace("ap-answer-topic-")
        self.ws.create_account("acme")
        self.admin = self.ws.create_token("acme", "admin")
        self.ingest = self.ws.create_token("acme", "ingest")
        self.server = Server(self.ws.db).start()
        self.addCleanup(self.ws.cleanup)
        self.addCleanup(self.server.stop)
        evs = [event("q%d" % i, "question.asked", "c%d" % i, "2026-11-2%dT10:00:00Z" % (i + 1),
                     text=t, answered=False, language="nb") for i, t in enumerate(DELETE_ACCOUNT)]
        self.assertEqual(self.server.post_events(evs, self.ingest).json()["stored"], 4)
        topics = self.call("GET", "/v1/gaps").json()["topics"]
        self.assertEqual(len(topics), 1, topics)
        self.topic = topics[0]
        detail = self.call("GET", "/v1/gaps/%d" % self.topic["id"]).json()
        self.dismissed = next(q for q in detail["questions"] if q["text"] == "slette konto")
        r = self.call("POST", "/v1/gaps/questions/%d/dismiss" % self.dismissed["id"])
        self.assertEqual(r.status, 200, r)

    def call(self, method, path, body=None, token=None):
        return self.server.request(method, path, None if body is None else json.dumps(body),
                                   token=token or self.admin,
                                   content_type=None if body is None else "application/json")

    def expected_phrasings(self):
        return {t for t in DELETE_ACCOUNT if t not in (self.topic["label"], "slette konto")}

    def test_the_draft_holds_the_topic_questions_and_language(self):
        r = self.call("POST", "/v1/gaps/%d/answer/preview" % self.topic["id"], {})
        self.assertEqual(r.status, 200, r)
        draft = r.json()
        self.assertEqual(draft["question"], self.topic["label"])
        self.assertEqual(set(draft["alternatives"]), self.expected_phrasings())
        self.assertEqual(draft["language"], "nb")
        # What the admin sends wins.
        r = self.call("POST", "/v1/gaps/%d/answer/preview" % self.topic["id"],
                      {"alternatives": ["fjern kontoen"], "language": "nn"})
        self.assertEqual(r.json()["alternatives"], ["fjern kontoen"])
        self.assertEqual(r.json()["language"], "nn")

    def test_the_answer_learns_from_the_topic(self):
        r = self.call("POST", "/v1/gaps/%d/answer" % self.topic["id"],
                      {"answer": "Gå til Innstillinger → Konto → Slett konto."})
        self.assertEqual(r.status, 201, r)
        answer = r.json()["answer"]
        self.assertEqual(set(answer["alternatives"]), self.expected_phrasings())
        self.assertEqual(answer["language"], "nb")
        r = self.call("POST", "/v1/answers/match", {"question": "Jeg vil slette kontoen"},
                      self.ingest)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["match"] or {}).get("id"), answer["id"], r.json())

    def test_an_empty_list_keeps_the_answer_to_its_question(self):
        r = self.call("POST", "/v1/gaps/%d/answer" % self.topic["id"],
                      {"answer": "Slett kontoen under Innstillinger.", "alternatives": []})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json()["answer"]["alternatives"], [])
        self.assertEqual(r.json()["answer"]["language"], "nb")


if __name__ == "__main__":
    unittest.main()
