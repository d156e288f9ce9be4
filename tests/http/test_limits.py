"""Configurable limits of `agentperf serve` (issue 8, docs/operations.md):
per-token rate limiting (429 with Retry-After, a bucket per token), events per
request, JSON nesting depth; each rejection names its field and limit."""
import json
import time
import unittest

from apserver import Server, Workspace, event, ndjson

NDJSON = "application/x-ndjson"


class Limits(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace("ap-limits-")
        cls.ws.create_account("acme")
        cls.viewer = cls.ws.create_token("acme", "viewer")
        cls.viewer2 = cls.ws.create_token("acme", "viewer")
        cls.ingest = cls.ws.create_token("acme", "ingest")

    @classmethod
    def tearDownClass(cls):
        cls.ws.cleanup()

    def test_rate_limit_per_token_with_retry_after(self):
        with Server(self.ws.db, "--rate-limit", "2", "--rate-burst", "5") as s:
            statuses = [s.request("GET", "/v1/gaps", token=self.viewer).status for _ in range(8)]
            # The burst passes; a request a second refills at 2/s, so at most
            # one more slips in while the loop runs.
            self.assertEqual(statuses[:5], [200] * 5)
            self.assertIn(429, statuses[5:])
            r = s.request("GET", "/v1/gaps", token=self.viewer)
            self.assertEqual(r.status, 429)
            self.assertEqual(r.headers.get("Retry-After"), "1")
            err = r.json()["error"]
            self.assertEqual(err["code"], "rate_limited")
            self.assertEqual(err["field"], "Authorization")
            self.assertIn("rate_limit", err["message"])
            # Another token of the same account has its own bucket.
            self.assertEqual(s.request("GET", "/v1/gaps", token=self.viewer2).status, 200)
            # Public routes are not limited per token.
            self.assertEqual(s.request("GET", "/healthz").status, 200)
            time.sleep(1.1)
            self.assertEqual(s.request("GET", "/v1/gaps", token=self.viewer).status, 200)
            self.assertIn("status=429", s.log())

    def test_rate_limit_bucket_belongs_to_account_and_token(self):
        # Token ids are numbered per account, so both accounts' first tokens
        # have id 1: one must not spend the other's budget (issue 21, item 1).
        ws = Workspace("ap-limits-accounts-")
        try:
            ws.create_account("a")
            ws.create_account("b")
            token_a = ws.create_token("a", "viewer", label="first")
            token_b = ws.create_token("b", "viewer", label="first")
            self.assertEqual(ws.token_id("a", "first"), ws.token_id("b", "first"))
            with Server(ws.db, "--rate-limit", "1", "--rate-burst", "5") as s:
                statuses = [s.request("GET", "/v1/me", token=token_b).status for _ in range(6)]
                self.assertEqual(statuses[:5], [200] * 5)
                self.assertEqual(statuses[5], 429)
                self.assertEqual(s.request("GET", "/v1/me", token=token_a).status, 200)
        finally:
            ws.cleanup()

    def test_an_answer_past_max_response_is_an_error_not_cut_short(self):
        # Issue 21, item 9: a document past its limit never leaves as a 200.
        topics = [event("mr-%d" % i, "question.asked", "mr-c%d" % i,
                        text="question number %d about %s" % (i, word), answered=False)
                  for i, word in enumerate(["invoices", "passwords", "shipping", "refunds",
                                            "coupons", "accounts", "returns", "delivery"] * 5)]
        with Server(self.ws.db, "--max-response", "4096") as s:
            self.assertEqual(s.post_events(topics, self.ingest).status, 200)
            topic = s.request("GET", "/v1/gaps", token=self.viewer).json()["topics"][0]["id"]
            for path in ("/v1/reports", "/v1/gaps/%d?limit=100" % topic):
                with self.subTest(path):
                    r = s.request("GET", path, token=self.viewer)
                    self.assertEqual(r.status, 500, r)
                    self.assertIsNone(r.headers.get("ETag"))
                    err = r.json()["error"]
                    self.assertEqual(err["code"], "internal")
                    self.assertIn("larger than its limit of 4096 bytes", err["message"])
            self.assertEqual(s.request("GET", "/v1/reports/impact", token=self.viewer).status, 200)
        with Server(self.ws.db) as s:
            r = s.request("GET", "/v1/reports", token=self.viewer)
            self.assertEqual(r.status, 200)
            self.assertGreater(len(r.body), 4096)
        p = self.ws.cli("serve", "--max-response", "100", check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--max-response", p.stderr)

    def test_rate_limit_zero_is_off(self):
        with Server(self.ws.db, "--rate-limit", "0", "--rate-burst", "1") as s:
            for _ in range(30):
                self.assertEqual(s.request("GET", "/v1/gaps", token=self.viewer).status, 200)

    def test_default_rate_limit_does_not_bother_normal_use(self):
        with Server(self.ws.db) as s:
            conn = s.connection()
            try:
                for _ in range(300):
                    conn.request("GET", "/v1/reports/impact",
                                 headers={"Authorization": "Bearer " + self.viewer})
                    r = conn.getresponse()
                    r.read()
                    self.assertEqual(r.status, 200)
            finally:
                conn.close()

    def test_events_per_request(self):
        with Server(self.ws.db, "--max-events", "3") as s:
            four = [event("me-%d" % i) for i in range(4)]
            r = s.post_events(four, self.ingest)
            self.assertEqual(r.status, 413, r)
            err = r.json()["error"]
            self.assertEqual(err["field"], "body")
            self.assertIn("max_events", err["message"])
            # Refused whole: nothing of it was stored.
            r = s.post_events(four[:3], self.ingest)
            self.assertEqual(r.json()["stored"], 3, r)
            # Blank lines are no events.
            body = ndjson(four[:3]) + b"\n  \n\n"
            r = s.request("POST", "/v1/events", body, token=self.ingest, content_type=NDJSON)
            self.assertEqual((r.status, r.json()["duplicate"]), (200, 3), r)

    def test_json_depth_names_the_limit(self):
        with Server(self.ws.db) as s:
            deep = json.dumps(event("deep-1"))[:-1] + ', "x": ' + "[" * 100 + "]" * 100 + "}"
            ok = json.dumps(event("deep-2"))[:-1] + ', "x": ' + "[" * 60 + "]" * 60 + "}"
            r = s.request("POST", "/v1/events", ndjson([deep, ok]), token=self.ingest,
                          content_type=NDJSON)
            doc = r.json()
            self.assertEqual((doc["stored"], doc["rejected"]), (1, 1), doc)
            self.assertIn("max_depth", doc["problems"][0]["message"])


if __name__ == "__main__":
    unittest.main()
