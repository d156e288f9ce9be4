"""An answer made from a knowledge-gap topic learns from the topic (SPEC §6,
issue 19): its undismissed questions become the answer's phrasings unless the
admin sends their own (an empty list too), its language defaults to the
language the questions were asked in, not the account's "en", and questions
moved or merged into the topic later join the phrasings."""
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


    def ask(self, i, text):
        ev = event("late%d" % i, "question.asked", "late-c%d" % i, "2026-12-0%dT10:00:00Z" % i,
                   text=text, answered=False, language="nb")
        self.assertEqual(self.server.post_events([ev], self.ingest).json()["stored"], 1)
        self.call("GET", "/v1/gaps")  # assigns it to a topic

    def topic_of(self, text):
        for t in self.call("GET", "/v1/gaps?status=all").json()["topics"]:
            detail = self.call("GET", "/v1/gaps/%d" % t["id"]).json()
            for q in detail["questions"]:
                if q["text"] == text:
                    return t["id"], q["id"]
        self.fail("no topic holds %r" % text)

    def alternatives(self, answer_id):
        return self.call("GET", "/v1/answers/" + answer_id).json()["alternatives"]

    def test_questions_moved_or_merged_in_later_join_the_phrasings(self):
        r = self.call("POST", "/v1/gaps/%d/answer" % self.topic["id"],
                      {"answer": "Gå til Innstillinger → Konto → Slett konto."})
        answer_id = r.json()["answer"]["id"]
        self.ask(1, "Hvor er pakken min?")
        other, moved = self.topic_of("Hvor er pakken min?")
        self.assertNotEqual(other, self.topic["id"])
        r = self.call("POST", "/v1/gaps/questions/%d/move" % moved, {"topic": self.topic["id"]})
        self.assertEqual(r.status, 200, r)
        self.assertIn("Hvor er pakken min?", self.alternatives(answer_id))
        # A merge brings every undismissed question of the merged topic.
        self.ask(2, "Når åpner butikken?")
        other, _ = self.topic_of("Når åpner butikken?")
        r = self.call("POST", "/v1/gaps/%d/merge" % other, {"into": self.topic["id"]})
        self.assertEqual(r.status, 200, r)
        self.assertIn("Når åpner butikken?", self.alternatives(answer_id))
        # The CLI's move does the same.
        self.ask(3, "Kan jeg betale med faktura?")
        _, moved = self.topic_of("Kan jeg betale med faktura?")
        self.ws.cli("gaps", "move", str(moved), str(self.topic["id"]), "--account", "acme")
        self.assertIn("Kan jeg betale med faktura?", self.alternatives(answer_id))


if __name__ == "__main__":
    unittest.main()
