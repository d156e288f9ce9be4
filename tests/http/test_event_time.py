"""Events dated ahead of the server's clock (issue 21, item 7; docs/events.md):
past now + --max-future (default one hour) they are rejected naming `at`,
over HTTP (NDJSON and a single event) and through `agentperf ingest`."""
import datetime as dt
import os
import unittest

from apserver import Server, Workspace, event, ndjson


def stamp(delta):
    """An RFC 3339 time `delta` from now."""
    return (dt.datetime.now(dt.timezone.utc) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


class EventTime(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace("ap-event-time-")
        cls.ws.create_account("acme")
        cls.ingest = cls.ws.create_token("acme", "ingest")
        cls.saved = os.environ.pop("AGENTPERF_MAX_FUTURE", None)

    @classmethod
    def tearDownClass(cls):
        if cls.saved is not None:
            os.environ["AGENTPERF_MAX_FUTURE"] = cls.saved
        cls.ws.cleanup()

    def test_default_bound_over_http(self):
        with Server(self.ws.db) as s:
            events = [event("soon", at=stamp(dt.timedelta(minutes=5))),
                      event("two-days", type="conversation.started", channel="chat",
                            at=stamp(dt.timedelta(days=2))),
                      event("far", at="9999-12-31T23:59:59Z"),
                      event("past", at="2026-01-05T10:00:00Z")]
            doc = s.post_events(events, self.ingest).json()
            self.assertEqual((doc["stored"], doc["rejected"]), (2, 2), doc)
            self.assertEqual([(p["id"], p["field"]) for p in doc["problems"]],
                             [("two-days", "at"), ("far", "at")])
            self.assertIn("max_future", doc["problems"][0]["message"])
            r = s.request("POST", "/v1/events", b'{"id":"one","type":"conversation.closed",'
                          b'"conversation_id":"c","at":"9999-01-01T00:00:00Z"}',
                          token=self.ingest, content_type="application/json")
            self.assertEqual((r.status, r.json()["error"]["field"]), (400, "at"), r)

    def test_flag_sets_the_bound(self):
        with Server(self.ws.db, "--max-future", "60") as s:
            doc = s.post_events([event("ten-minutes", at=stamp(dt.timedelta(minutes=10)))],
                                self.ingest).json()
            self.assertEqual(doc["rejected"], 1, doc)
        with Server(self.ws.db, "--max-future", "0") as s:
            doc = s.post_events([event("year-9999", at="9999-01-01T00:00:00Z")],
                                self.ingest).json()
            self.assertEqual(doc["stored"], 1, doc)

    def test_cli_ingest_applies_the_same_bound(self):
        lines = ndjson([event("cli-far", at=stamp(dt.timedelta(days=3))),
                        event("cli-now", at=stamp(dt.timedelta(0)))])
        proc = self.ws.cli("ingest", "--account", "acme", input=lines, check=False)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn(b"stored 1, duplicate 0, conflict 0, rejected 1", proc.stdout)
        self.assertIn(b"max_future", proc.stderr)

    def test_bad_flag_names_itself(self):
        for args in (["serve", "--max-future", "-1"], ["ingest", "--account", "acme",
                                                       "--max-future", "soon"]):
            proc = self.ws.cli(*args, check=False)
            self.assertEqual(proc.returncode, 2, proc.stderr)
            self.assertIn("--max-future", proc.stderr)


if __name__ == "__main__":
    unittest.main()
