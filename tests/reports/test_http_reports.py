"""GET /v1/reports and /v1/reports/{name} against the real server: the same
document as the CLI, CSV downloads, parameters validated by name, roles."""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import apserver
import urllib.error
import urllib.request

BIN = os.environ.get("AGENTPERF_BIN", "build/release/agentperf")
TMP = os.environ.get("AP_TEST_TMP", tempfile.gettempdir())

EVENTS = [
    {"id": "s1", "type": "conversation.started", "at": "2026-11-23T09:00:00Z", "conversation_id": "c1", "channel": "chat"},
    {"id": "q1", "type": "question.asked", "at": "2026-11-23T09:01:00Z", "conversation_id": "c1", "text": "hi", "answered": True},
    {"id": "r1", "type": "conversation.resolved", "at": "2026-11-23T09:02:00Z", "conversation_id": "c1", "by": "agent"},
    {"id": "s2", "type": "conversation.started", "at": "2026-11-24T09:00:00Z", "conversation_id": "c2", "channel": "email"},
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HttpReports(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = apserver.new_db("http-reports")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(cls.db + suffix):
                os.remove(cls.db + suffix)
        run = lambda *a, **kw: subprocess.run([BIN, *a, "--db", cls.db], capture_output=True, text=True,
                                              check=True, timeout=60, **kw)
        run("accounts", "create", "acme", "--time-zone", "Europe/Oslo")
        run("accounts", "create", "other")
        run("ingest", "--account", "acme", input="".join(json.dumps(e) + "\n" for e in EVENTS))
        cls.tokens = {role: run("tokens", "create", "--account", "acme", "--role", role).stdout.strip()
                      for role in ("ingest", "viewer", "admin")}
        cls.other = run("tokens", "create", "--account", "other", "--role", "viewer").stdout.strip()
        cls.port = free_port()
        cls.server = subprocess.Popen([BIN, "serve", "--db", cls.db, "--listen", "127.0.0.1:%d" % cls.port],
                                      stderr=subprocess.DEVNULL)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/healthz" % cls.port, timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        else:
            cls.server.kill()
            raise AssertionError("server did not start")

    @classmethod
    def tearDownClass(cls):
        cls.server.send_signal(signal.SIGTERM)
        assert cls.server.wait(timeout=30) == 0

    def get(self, path, token):
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path),
                                     headers={"Authorization": "Bearer " + token})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, dict(r.headers), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read().decode()

    def test_page_matches_cli(self):
        status, headers, body = self.get("/v1/reports", self.tokens["viewer"])
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], "application/json")
        doc = json.loads(body)
        cli = subprocess.run([BIN, "report", "--account", "acme", "--db", self.db, "--now", doc["now"]],
                             capture_output=True, text=True, check=True, timeout=60)
        self.assertEqual(doc, json.loads(cli.stdout))
        self.assertEqual(list(doc["reports"]), [
            "impact", "handled_over_time", "handled_by_channel", "feedback_trend",
            "handling_rate_over_time", "resolution_rate", "resolution_rate_over_time",
            "resolved_over_time", "deflection_rate_over_time", "deflections_over_time", "team",
            "handoff_rate_over_time", "handoffs_over_time", "handoff_outcomes",
            "questions_over_time", "handoffs_by_reason", "handoffs_by_assignee", "by_language"])
        self.assertEqual(len(doc["reports"]["handled_over_time"]), 13)

    def test_one_report_with_parameters(self):
        status, _, body = self.get("/v1/reports/handled_by_channel?from=2026-11-01&to=2026-12-01"
                                   "&granularity=day&channel=chat", self.tokens["admin"])
        self.assertEqual(status, 200, body)
        doc = json.loads(body)
        self.assertEqual((doc["from"], doc["to"], doc["granularity"], doc["channel"]),
                         ("2026-11-01", "2026-12-01", "day", "chat"))
        self.assertEqual(doc["reports"], {"handled_by_channel": [{"channel": "chat", "count": 1}]})

    def test_csv(self):
        status, headers, body = self.get("/v1/reports/handled_by_channel?format=csv&from=2026-11-01"
                                         "&to=2026-12-01", self.tokens["viewer"])
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn('filename="handled_by_channel.csv"', headers["Content-Disposition"])
        self.assertEqual(body, "channel,count\r\nchat,1\r\nemail,1\r\n")

    def test_bad_parameters_are_400_naming_the_parameter(self):
        cases = {"from=2026-11-01": "to", "from=2026-11-31&to=2026-12-01": "from",
                 "from=2026-12-01&to=2026-11-01": "to", "granularity=hour": "granularity",
                 "channel=CHAT": "channel", "format=xml": "format", "format=table": "format"}
        for query, field in cases.items():
            status, _, body = self.get("/v1/reports?" + query, self.tokens["viewer"])
            self.assertEqual(status, 400, query)
            self.assertEqual(json.loads(body)["error"]["field"], field, query)

    def test_unknown_report_is_404(self):
        status, _, body = self.get("/v1/reports/nonsense", self.tokens["viewer"])
        self.assertEqual(status, 404)
        self.assertEqual(json.loads(body)["error"]["code"], "not_found")

    def test_roles_and_accounts(self):
        self.assertEqual(self.get("/v1/reports", self.tokens["ingest"])[0], 403)
        self.assertEqual(self.get("/v1/reports", "ap_not-a-token")[0], 401)
        status, _, body = self.get("/v1/reports", self.other)
        self.assertEqual(status, 200)
        doc = json.loads(body)
        self.assertEqual(doc["account"], "other")
        self.assertEqual(doc["reports"]["resolution_rate"], {"rate": None, "numerator": 0, "denominator": 0})


    def test_conversations_behind_a_figure(self):
        """GET /v1/conversations: the ids behind a figure, the same as the CLI,
        paged; CSV and NDJSON exports; parameters checked by name; one account."""
        q = "from=2026-11-01&to=2026-12-01&now=2026-12-05T00:00:00Z"
        status, _, body = self.get("/v1/conversations?metric=resolved&" + q, self.tokens["viewer"])
        self.assertEqual(status, 200, body)
        doc = json.loads(body)
        self.assertEqual([c["id"] for c in doc["conversations"]], ["c1"])
        c1 = doc["conversations"][0]
        self.assertEqual((c1["resolved_by_agent"], c1["resolver"], c1["resolution_seconds"], c1["questions"]),
                         (True, "agent", 120, 1))
        self.assertIsNone(doc["next_cursor"])
        cli = subprocess.run([BIN, "conversations", "--account", "acme", "--db", self.db, "--metric", "resolved",
                              "--from", "2026-11-01", "--to", "2026-12-01", "--now", "2026-12-05T00:00:00Z",
                              "--format", "json"], capture_output=True, text=True, check=True, timeout=60)
        self.assertEqual(json.loads(cli.stdout), doc)
        # two conversations, one a page
        status, _, body = self.get("/v1/conversations?limit=1&" + q, self.tokens["viewer"])
        first = json.loads(body)
        self.assertEqual([c["id"] for c in first["conversations"]], ["c1"])
        status, _, body = self.get("/v1/conversations?limit=1&cursor=%s&%s" % (first["next_cursor"], q),
                                   self.tokens["viewer"])
        second = json.loads(body)
        self.assertEqual(([c["id"] for c in second["conversations"]], second["next_cursor"]), (["c2"], None))
        # exports
        status, headers, body = self.get("/v1/conversations?format=csv&limit=1&" + q, self.tokens["viewer"])
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn('filename="conversations.csv"', headers["Content-Disposition"])
        self.assertTrue(body.startswith("id,started_at,channel,handled,"), body)
        self.assertEqual(len(body.strip().split("\r\n")), 2)
        self.assertTrue(headers.get("X-Next-Cursor"))
        status, headers, body = self.get("/v1/conversations?format=ndjson&channel=email&" + q, self.tokens["viewer"])
        self.assertEqual([json.loads(line)["id"] for line in body.splitlines()], ["c2"])
        self.assertNotIn("X-Next-Cursor", headers)
        # parameters
        for query, field in {"metric=revenue": "metric", "limit=0": "limit", "limit=1001": "limit",
                             "cursor=zz": "cursor", "format=xml": "format", "from=2026-11-01": "to",
                             "language=NB": "language", "language=x": "language"}.items():
            status, _, body = self.get("/v1/conversations?" + query, self.tokens["viewer"])
            self.assertEqual((status, json.loads(body)["error"]["field"]), (400, field), query)
        # one conversation: its state and its events in order
        status, _, body = self.get("/v1/conversations/c1?now=2026-12-05T00:00:00Z", self.tokens["viewer"])
        self.assertEqual(status, 200, body)
        one = json.loads(body)
        self.assertEqual({k: v for k, v in one.items() if k not in ("events", "events_total")}, c1)
        self.assertEqual(([e["id"] for e in one["events"]], one["events_total"]), (["s1", "q1", "r1"], 3))
        self.assertEqual(one["events"][1], EVENTS[1])
        for token in (self.tokens["viewer"], self.other):
            status, _, body = self.get("/v1/conversations/nope" if token != self.other else "/v1/conversations/c1",
                                       token)
            self.assertEqual((status, json.loads(body)["error"]["field"]), (404, "id"))
        # roles, accounts
        self.assertEqual(self.get("/v1/conversations", self.tokens["ingest"])[0], 403)
        status, _, body = self.get("/v1/conversations?" + q, self.other)
        self.assertEqual((status, json.loads(body)["conversations"]), (200, []))


if __name__ == "__main__":
    unittest.main()
