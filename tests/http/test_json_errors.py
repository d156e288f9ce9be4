"""Every answer of the API is valid JSON in valid UTF-8, whatever the request
quotes back (issue 21, item 4): error messages that quote input are cut on a
character boundary. The known shapes first, then a bounded random round of
multi-byte text in paths, query parameters and event fields."""
import json
import random
import unittest
import urllib.parse

from apserver import Server, Workspace, event, ndjson

NDJSON = "application/x-ndjson"
SEED = random.randrange(1 << 30)
CHARACTERS = ["é", "€", "😀", "a", "\"", "\\", "ø"]


def decode_strictly(test, r):
    """The body as JSON, failing the test when it is not UTF-8 or not JSON."""
    try:
        return json.loads(r.body.decode("utf-8", errors="strict"))
    except (UnicodeDecodeError, ValueError) as e:
        test.fail("%s: %r (seed %d)" % (e, r.body[:400], SEED))


class JsonErrors(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace("ap-json-errors-")
        cls.ws.create_account("acme")
        cls.admin = cls.ws.create_token("acme", "admin")
        cls.server = Server(cls.ws.db, "--rate-limit", "0").start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.ws.cleanup()

    def get(self, path, query=""):
        quoted = urllib.parse.quote(path, safe="/")
        return self.server.request("GET", quoted + query, token=self.admin)

    def test_event_type_of_multibyte_characters(self):
        r = self.server.post_events([event("e1", type="€" * 200)], self.admin)
        doc = decode_strictly(self, r)
        self.assertEqual(doc["rejected"], 1, doc)
        self.assertEqual(doc["problems"][0]["field"], "type", doc)
        self.assertIn("€€€", doc["problems"][0]["message"])

    def test_paths_quoting_multibyte_ids(self):
        for path in ["/v1/answers/x" + "é" * 40, "/v1/gaps/1" + "é" * 40,
                     "/v1/reports/r" + "é" * 40, "/v1/gaps/questions/1" + "€" * 30 + "/move"]:
            with self.subTest(path=path[:20]):
                r = self.get(path)
                self.assertGreaterEqual(r.status, 400)
                err = decode_strictly(self, r)["error"]
                self.assertNotEqual(err["message"], "no such endpoint", err)

    def test_random_multibyte_text_everywhere(self):
        rng = random.Random(SEED)

        def text():
            return "".join(rng.choice(CHARACTERS) for _ in range(rng.randrange(1, 400)))

        fields = ["type", "id", "conversation_id", "at", "channel", "language", "text",
                  "member_id", "reason", "rating"]
        for i in range(60):
            e = event("f%d" % i, type="question.asked", text="hello", answered=False)
            e[rng.choice(fields)] = text()
            decode_strictly(self, self.server.post_events([e], self.admin))
            query = "?" + urllib.parse.urlencode({rng.choice(["from", "to", "channel", "sort",
                                                              "granularity", "limit", "q"]):
                                                  text()})
            for path in ["/v1/reports", "/v1/gaps", "/v1/answers",
                         rng.choice(["/v1/answers/", "/v1/gaps/", "/v1/reports/"]) + text()]:
                decode_strictly(self, self.get(path, query))


if __name__ == "__main__":
    unittest.main()
