"""Short answers end to end (SPEC §6, docs/api.md "Short answers"): the
`agentperf answers` commands (create, list with search, show, edit, disable,
delete, import with per-line verdicts, match, settings) and the HTTP API
(/v1/answers and POST /v1/answers/match) against a real server: roles (viewer
reads but cannot change, ingest matches but cannot read), another account's
answers never visible (404), field-naming validation, and a server that sees
answers another process created, with no restart."""
import json
import os
import threading
import unittest

from apserver import Server, Workspace

JSON = "application/json"
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

KB = [
    {"id": "password", "question": "How do I reset my password?",
     "alternatives": ["I forgot my password", "how can I change my password",
                      "my password does not work", "cannot log in"],
     "answer": "Go to https://example.com/reset and follow the steps.", "language": "en"},
    {"id": "hours", "question": "What are your opening hours?",
     "alternatives": ["when are you open", "what time do you close", "are you open on sunday",
                      "opening times"],
     "answer": "Monday to Friday, 9-17.", "language": "en"},
    {"id": "refund", "question": "How do I get a refund?",
     "alternatives": ["can I get my money back", "I want a refund", "how do I return an item"],
     "answer": "Send it back within 30 days.", "language": "en"},
]


def ndjson(rows):
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows)


class AnswersCli(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace("ap-answers-cli-")
        self.addCleanup(self.ws.cleanup)
        self.ws.create_account("acme")
        self.ws.create_account("other")

    def cli(self, *args, **kw):
        kw.setdefault("check", False)
        return self.ws.cli(*args, **kw)

    def test_import_verdicts_and_match(self):
        rows = KB + [
            KB[0],                                              # duplicate
            dict(KB[1], answer="changed"),                      # conflict
            {"question": "no answer field"},                    # rejected: answer
            {"id": "x", "question": "q", "answer": "a", "language": "klingon"},
            "not json",
            {"question": "Do you ship abroad?", "answer": "Yes.", "alternatives": ["x", 3]},
        ]
        p = self.cli("answers", "import", "--account", "acme", input=ndjson(rows))
        self.assertEqual(p.returncode, EXIT_FAILED, p.stderr)
        self.assertIn("stored 3, duplicate 1, conflict 1, rejected 4", p.stdout)
        self.assertIn("line 5: conflict (id hours)", p.stderr)
        self.assertIn('line 6: rejected: "answer"', p.stderr)
        self.assertIn("line 7: rejected (id x): \"language\"", p.stderr)
        self.assertIn("line 8: rejected: invalid JSON", p.stderr)
        self.assertIn("line 9: rejected: \"alternatives\"", p.stderr)
        # The stored answer of the conflict is kept.
        shown = json.loads(self.cli("answers", "show", "hours", "--account", "acme",
                                    check=True).stdout)
        self.assertEqual(shown["answer"], "Monday to Friday, 9-17.")
        out = self.cli("answers", "match", "--account", "acme", check=True,
                       input="I forgot my password\nare you open on saturday\n"
                             "who won the football world cup\n").stdout.splitlines()
        self.assertEqual([l.split()[0] for l in out], ["password", "hours", "none"])
        for line in out:
            self.assertRegex(line, r"^\S+ [01]\.\d{4}$")
        # Another account has none of them.
        out = self.cli("answers", "match", "--account", "other", check=True,
                       input="I forgot my password\n").stdout
        self.assertEqual(out.split()[0], "none")

    def test_lifecycle(self):
        p = self.cli("answers", "create", "--account", "acme", "--question", "Do you ship abroad?",
                     "--answer", "Yes, to 30 countries.", "--alternatives",
                     '["international shipping", "deliver to sweden"]', check=True)
        created = json.loads(p.stdout)
        self.assertRegex(created["id"], r"^a-[0-9a-f]{16}$")
        self.assertEqual(created["alternatives"], ["international shipping", "deliver to sweden"])
        ident = created["id"]
        self.cli("answers", "import", "--account", "acme", input=ndjson(KB), check=True)
        listed = self.cli("answers", "list", "--account", "acme", check=True).stdout.splitlines()
        self.assertEqual(len(listed), 4)
        self.assertEqual(listed[0].split("\t"), [ident, "enabled", "Do you ship abroad?"])
        found = self.cli("answers", "list", "--account", "acme", "--q", "REFUND",
                         check=True).stdout.splitlines()
        self.assertEqual([l.split("\t")[0] for l in found], ["refund"])
        # Edit: only the fields given change; the matcher sees the new phrasing.
        p = self.cli("answers", "edit", "refund", "--account", "acme", "--alternatives",
                     '["do you sell gift cards"]', check=True)
        edited = json.loads(p.stdout)
        self.assertEqual(edited["alternatives"], ["do you sell gift cards"])
        self.assertEqual(edited["answer"], "Send it back within 30 days.")
        self.assertGreaterEqual(edited["updated_at"], edited["created_at"])
        # Disable: kept, listed as disabled, never matched.
        self.assertEqual(self.cli("answers", "match", "--account", "acme", check=True,
                                  input="I forgot my password\n").stdout.split()[0], "password")
        self.cli("answers", "disable", "password", "--account", "acme", check=True)
        self.assertEqual(self.cli("answers", "match", "--account", "acme", check=True,
                                  input="I forgot my password\n").stdout.split()[0], "none")
        disabled = self.cli("answers", "list", "--account", "acme", "--enabled", "false",
                            check=True).stdout.split("\t")
        self.assertEqual(disabled[:2], ["password", "disabled"])
        # Delete.
        self.cli("answers", "delete", "hours", "--account", "acme", check=True)
        p = self.cli("answers", "show", "hours", "--account", "acme")
        self.assertEqual(p.returncode, EXIT_FAILED)
        self.assertIn("no answer", p.stderr)
        p = self.cli("answers", "delete", "hours", "--account", "acme")
        self.assertEqual(p.returncode, EXIT_FAILED)

    def test_settings_and_usage(self):
        out = self.cli("answers", "settings", "--account", "acme", check=True).stdout
        self.assertEqual(out.strip(), "match_threshold 0.5000")
        self.cli("answers", "settings", "--account", "acme", "--match-threshold", "0.7", check=True)
        self.assertIn("0.7000", self.cli("answers", "settings", "--account", "acme").stdout)
        self.cli("answers", "settings", "--account", "acme", "--match-threshold", "default",
                 check=True)
        self.assertIn("0.5000", self.cli("answers", "settings", "--account", "acme").stdout)
        for bad in ("2", "-1", "x"):
            p = self.cli("answers", "settings", "--account", "acme", "--match-threshold", bad)
            self.assertEqual(p.returncode, EXIT_USAGE, bad)
        p = self.cli("answers", "create", "--account", "acme", "--question", "q")
        self.assertEqual(p.returncode, EXIT_FAILED)
        self.assertIn('"answer"', p.stderr)
        p = self.cli("answers", "list")
        self.assertEqual(p.returncode, EXIT_USAGE)
        for sub in ("list", "show", "create", "edit", "disable", "enable", "delete", "import",
                    "match", "settings"):
            self.assertEqual(self.cli("answers", sub, "--help").returncode, EXIT_OK, sub)


class AnswersHttp(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace("ap-answers-http-")
        try:
            cls.ws.create_account("acme")
            cls.ws.create_account("other")
            cls.tokens = {r: cls.ws.create_token("acme", r) for r in ("ingest", "viewer", "admin")}
            cls.tokens["other_admin"] = cls.ws.create_token("other", "admin")
            cls.server = Server(cls.ws.db).start()
        except BaseException:
            cls.ws.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            rc = cls.server.stop()
            if rc != 0:
                raise AssertionError("server exited %s\n%s" % (rc, cls.server.log()))
        finally:
            cls.ws.cleanup()

    def call(self, method, path, body=None, role="admin", content_type=JSON):
        if body is not None and not isinstance(body, (str, bytes)):
            body = json.dumps(body)
        return self.server.request(method, path, body, token=self.tokens[role],
                                   content_type=content_type if body is not None else None)

    def match(self, question, role="ingest", **extra):
        r = self.call("POST", "/v1/answers/match", dict(question=question, **extra), role=role)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def test_1_crud_roles_and_isolation(self):
        r = self.call("POST", "/v1/answers", KB[0])
        self.assertEqual(r.status, 201, r)
        doc = r.json()
        self.assertEqual(doc["id"], "password")
        self.assertEqual(doc["enabled"], True)
        self.assertRegex(doc["created_at"], r"^\d{4}-\d\d-\d\dT.*Z$")
        self.assertEqual(self.call("POST", "/v1/answers", KB[0]).status, 409)
        # Roles: viewer reads, cannot change; ingest cannot read or change.
        self.assertEqual(self.call("POST", "/v1/answers", KB[1], role="viewer").status, 403)
        self.assertEqual(self.call("POST", "/v1/answers", KB[1], role="ingest").status, 403)
        self.assertEqual(self.call("PATCH", "/v1/answers/password", {"answer": "x"},
                                   role="viewer").status, 403)
        self.assertEqual(self.call("DELETE", "/v1/answers/password", role="viewer").status, 403)
        self.assertEqual(self.call("GET", "/v1/answers/password", role="viewer").status, 200)
        self.assertEqual(self.call("GET", "/v1/answers", role="ingest").status, 403)
        # Another account sees nothing of it, and cannot change it.
        self.assertEqual(self.call("GET", "/v1/answers/password", role="other_admin").status, 404)
        self.assertEqual(self.call("PATCH", "/v1/answers/password", {"answer": "x"},
                                   role="other_admin").status, 404)
        self.assertEqual(self.call("DELETE", "/v1/answers/password",
                                   role="other_admin").status, 404)
        self.assertEqual(self.call("GET", "/v1/answers", role="other_admin").json()["total"], 0)
        self.assertEqual(self.call("POST", "/v1/answers/match", {"question": "forgot password"},
                                   role="other_admin").json()["match"], None)
        # The other account may use the same id for its own answer.
        self.assertEqual(self.call("POST", "/v1/answers", dict(KB[1], id="password"),
                                   role="other_admin").status, 201)
        self.assertEqual(self.call("GET", "/v1/answers/password").json()["question"],
                         KB[0]["question"])
        # Validation names the field.
        for body, field in ((dict(KB[1], question=""), "question"),
                            (dict(KB[1], alternatives=["ok", 5]), "alternatives"),
                            (dict(KB[1], language="english"), "language"),
                            (dict(KB[1], id="a/b"), "id"),
                            (dict(KB[1], answer="x" * 8193), "answer")):
            r = self.call("POST", "/v1/answers", body)
            self.assertEqual(r.status, 400, body)
            self.assertEqual(r.json()["error"]["field"], field)
        self.assertEqual(self.call("POST", "/v1/answers", "{", ).status, 400)
        self.assertEqual(self.call("POST", "/v1/answers", KB[1],
                                   content_type="text/plain").status, 415)

    def test_2_match_updates_without_restart(self):
        self.assertEqual(self.call("POST", "/v1/answers", KB[2]).status, 201)
        before = self.match("Are you open on Sunday?")
        self.assertIsNone(before["match"])
        self.assertEqual(self.call("POST", "/v1/answers", KB[1]).status, 201)
        after = self.match("Are you open on Sunday?", limit=2)
        self.assertEqual(after["match"]["id"], "hours")
        self.assertGreaterEqual(after["match"]["score"], after["threshold"])
        self.assertEqual(after["candidates"][0]["question"], KB[1]["question"])
        self.assertLessEqual(len(after["candidates"]), 2)
        self.assertIsNone(self.match("who won the football world cup")["match"])
        # Viewer may try it too (the dashboard's box); bad input names the field.
        self.assertEqual(self.match("I forgot my password", role="viewer")["match"]["id"],
                         "password")
        for body, field in (({}, "question"), ({"question": ""}, "question"),
                            ({"question": "x", "limit": 0}, "limit"),
                            ({"question": "x", "language": 5}, "language")):
            r = self.call("POST", "/v1/answers/match", body, role="ingest")
            self.assertEqual(r.status, 400, body)
            self.assertEqual(r.json()["error"]["field"], field)
        # Disable and delete take effect at once.
        r = self.call("PATCH", "/v1/answers/hours", {"enabled": False})
        self.assertEqual(r.status, 200, r)
        self.assertFalse(r.json()["enabled"])
        self.assertIsNone(self.match("Are you open on Sunday?")["match"])
        self.assertEqual(self.call("PATCH", "/v1/answers/hours", {"id": "other"}).status, 400)
        self.assertEqual(self.call("DELETE", "/v1/answers/refund").status, 204)
        self.assertEqual(self.call("GET", "/v1/answers/refund").status, 404)
        self.assertIsNone(self.match("I want my money back")["match"])

    def test_3_another_process_writes(self):
        # The CLI (another process) creates an answer: the running server
        # matches it on the next request.
        self.assertIsNone(self.match("Do you ship to Sweden?")["match"])
        self.ws.cli("answers", "create", "--account", "acme", "--id", "shipping", "--question",
                    "Do you ship abroad?", "--alternatives",
                    '["do you ship to sweden", "international delivery", "ship to norway"]',
                    "--answer", "Yes.")
        self.assertEqual(self.match("Do you ship to Sweden?")["match"]["id"], "shipping")
        self.ws.cli("answers", "settings", "--account", "acme", "--match-threshold", "1")
        self.assertIsNone(self.match("Do you ship to Sweden?")["match"])
        self.ws.cli("answers", "settings", "--account", "acme", "--match-threshold", "default")

    def test_5_concurrent_matches_and_changes(self):
        # Worker threads share one cache: matches run while answers are created
        # and deleted; every request is answered and the server stays up.
        statuses, lock = [], threading.Lock()

        def matcher():
            for _ in range(15):
                r = self.call("POST", "/v1/answers/match", {"question": "forgot my password"},
                              role="ingest")
                with lock:
                    statuses.append(r.status)

        def writer():
            for i in range(6):
                r = self.call("POST", "/v1/answers", {"id": "tmp%d" % i, "question": "temporary %d" % i,
                                                      "answer": "x"})
                with lock:
                    statuses.append(r.status)
            for i in range(6):
                with lock:
                    statuses.append(self.call("DELETE", "/v1/answers/tmp%d" % i).status)

        threads = [threading.Thread(target=matcher) for _ in range(4)] + [threading.Thread(target=writer)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(len(statuses), 4 * 15 + 12)
        self.assertTrue(all(s in (200, 201, 204) for s in statuses), statuses)
        self.assertEqual(self.match("I forgot my password")["match"]["id"], "password")

    def test_4_list_search_and_paging(self):
        r = self.call("GET", "/v1/answers?limit=1&offset=0", role="viewer")
        self.assertEqual(r.status, 200, r)
        doc = r.json()
        self.assertEqual(doc["limit"], 1)
        self.assertEqual(len(doc["answers"]), 1)
        total = doc["total"]
        self.assertGreaterEqual(total, 2)
        ids = [self.call("GET", "/v1/answers?limit=1&offset=%d" % i).json()["answers"][0]["id"]
               for i in range(total)]
        self.assertEqual(len(set(ids)), total)
        found = self.call("GET", "/v1/answers?q=SWEDEN").json()
        self.assertEqual([a["id"] for a in found["answers"]], ["shipping"])
        disabled = self.call("GET", "/v1/answers?enabled=false").json()
        self.assertEqual([a["id"] for a in disabled["answers"]], ["hours"])
        for query, field in (("limit=0", "limit"), ("limit=501", "limit"), ("offset=-1", "offset"),
                             ("enabled=maybe", "enabled")):
            r = self.call("GET", "/v1/answers?" + query)
            self.assertEqual(r.status, 400, query)
            self.assertEqual(r.json()["error"]["field"], field)
        self.assertEqual(self.call("PUT", "/v1/answers/password").status, 405)


if __name__ == "__main__":
    unittest.main()
