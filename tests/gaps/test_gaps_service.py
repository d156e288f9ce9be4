"""Knowledge gaps end to end (SPEC §5, docs/api.md): unanswered questions
become topics as they are stored, through HTTP and the CLI; the topic table
and detail; curation and its undo; roles and account isolation; topics that
stay stable across restarts and processes."""
import json
import unittest
import urllib.parse

from apserver import Server, Workspace, event

PASSWORD = ["How do I reset my password?", "I forgot my password, how can I reset it?",
            "reset password please", "Password reset link does not work, how do I reset my password"]
REFUND = ["Can I get a refund for my order?", "How do I get a refund?",
          "I want a refund for my order", "refund for a damaged order"]


def question(i, text, conversation, at="2026-11-23T10:00:00Z", answered=False, **extra):
    return event("q%d" % i, "question.asked", conversation, at, text=text, answered=answered,
                 **extra)


def started(conversation, channel, at="2026-11-23T09:59:00Z", i=None):
    return event("s-" + conversation if i is None else i, "conversation.started", conversation,
                 at, channel=channel)


def cli_topic_of_text(ws, account):
    """Each question's text -> its topic id, read with `gaps list` and `gaps show`."""
    out = {}
    listed = json.loads(ws.cli("gaps", "list", "--account", account, "--format", "json",
                               "--limit", "500").stdout)
    for t in listed["topics"]:
        shown = json.loads(ws.cli("gaps", "show", str(t["id"]), "--account", account,
                                  "--format", "json").stdout)
        out.update((q["text"], t["id"]) for q in shown["questions"])
    return out


class GapsService(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace("ap-gaps-")
        cls.ws.create_account("acme", time_zone="Europe/Oslo",
                              conversation_url="https://help.example.com/inbox/{conversation_id}",
                              ticket_url="https://tickets.example.com/{ticket_id}")
        cls.ws.create_account("other")
        cls.admin = cls.ws.create_token("acme", "admin")
        cls.viewer = cls.ws.create_token("acme", "viewer")
        cls.ingest = cls.ws.create_token("acme", "ingest")
        cls.other_admin = cls.ws.create_token("other", "admin")
        cls.server = Server(cls.ws.db).start()
        events = []
        n = 0
        for k, text in enumerate(PASSWORD):
            n += 1
            events.append(question(n, text, "pw%d" % k, "2026-11-2%dT10:00:00Z" % (k + 1)))
            events.append(started("pw%d" % k, "chat" if k % 2 == 0 else "email",
                                  "2026-11-2%dT09:59:00Z" % (k + 1)))
        for k, text in enumerate(REFUND):
            n += 1
            events.append(started("rf%d" % k, "chat", "2026-11-2%dT09:59:00Z" % (k + 1)))
            events.append(question(n, text, "rf%d" % k, "2026-11-2%dT10:00:00Z" % (k + 1)))
        # Two more questions in one conversation: two questions, one conversation.
        events.append(question(100, "where can I reset my password", "pw0", "2026-11-21T10:05:00Z"))
        # Answered questions are no gap.
        events.append(question(101, "How do I reset my password?", "ok1", answered=True))
        # A handed-off conversation with a ticket and a team reply.
        events += [
            event("h1", "conversation.handed_off", "rf0", "2026-11-21T10:01:00Z",
                  ticket_id="T 7", member_id="kari", member_name="Kari Nordmann"),
            event("hr1", "human.replied", "rf0", "2026-11-21T10:20:00Z", member_id="kari",
                  text="Refunds take 5 days; start one at https://example.com/refund"),
        ]
        r = cls.server.post_events(events, cls.ingest)
        assert r.status == 200, r
        assert r.json()["rejected"] == 0, r

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.ws.cleanup()

    def get(self, path, token=None):
        r = self.server.request("GET", path, token=token or self.viewer)
        return r

    def post(self, path, body=None, token=None):
        return self.server.request("POST", path, None if body is None else json.dumps(body),
                                   token=token or self.admin,
                                   content_type=None if body is None else "application/json")

    def topics(self, query=""):
        r = self.get("/v1/gaps" + query)
        self.assertEqual(r.status, 200, r)
        return r.json()

    def topic_of(self, text):
        for t in self.topics("?status=all&limit=500")["topics"]:
            detail = self.get("/v1/gaps/%d?limit=500" % t["id"]).json()
            if any(q["text"] == text for q in detail["questions"]):
                return t["id"]
        self.fail("no topic holds %r" % text)

    # --- the table --------------------------------------------------------------

    def test_questions_show_as_topics_at_once(self):
        doc = self.topics()
        self.assertEqual(doc["total"], 2, doc)
        by_size = sorted(doc["topics"], key=lambda t: -t["questions"])
        self.assertEqual(by_size[0]["questions"], 5)       # 4 + the second in pw0
        self.assertEqual(by_size[0]["conversations"], 4)   # distinct conversations
        self.assertEqual(by_size[1]["questions"], 4)
        self.assertEqual(by_size[0]["status"], "open")
        self.assertEqual(by_size[0]["label_source"], "auto")
        self.assertIn(by_size[0]["label"], PASSWORD + ["where can I reset my password"])

    def test_answered_questions_are_not_gaps(self):
        pw = self.topic_of(PASSWORD[0])
        texts = [q["conversation_id"] for q in self.get("/v1/gaps/%d?limit=500" % pw).json()["questions"]]
        self.assertNotIn("ok1", texts)

    def test_channel_filter_uses_a_start_that_arrived_later(self):
        doc = self.topics("?channel=email")
        self.assertEqual(len(doc["topics"]), 1, doc)
        self.assertEqual(doc["topics"][0]["conversations"], 2)  # pw1, pw3
        self.assertEqual(self.topics("?channel=voice")["total"], 0)

    def test_date_range_is_in_the_account_zone(self):
        # Questions at 10:00 UTC on the 21st..24th; Oslo is UTC+1.
        doc = self.topics("?from=2026-11-23&to=2026-11-24")
        self.assertEqual(sum(t["questions"] for t in doc["topics"]), 2)
        self.assertEqual(self.topics("?from=2026-11-25")["total"], 0)

    def test_sort_and_paging(self):
        last = self.topics("?sort=last")["topics"]
        self.assertGreaterEqual(last[0]["last_at"], last[1]["last_at"])
        page = self.topics("?limit=1&offset=1")
        self.assertEqual(page["total"], 2)
        self.assertEqual(len(page["topics"]), 1)
        self.assertEqual(page["topics"][0]["id"], self.topics()["topics"][1]["id"])

    def test_parameters_are_validated_by_name(self):
        for query, field in [("?status=nope", "status"), ("?from=2026-13-01", "from"),
                             ("?limit=0", "limit"), ("?sort=size", "sort"),
                             ("?channel=Bad%20Channel", "channel"),
                             ("?from=2026-11-25&to=2026-11-20", "to")]:
            r = self.get("/v1/gaps" + query)
            self.assertEqual(r.status, 400, query)
            self.assertEqual(r.json()["error"]["field"], field, query)

    # --- the detail ---------------------------------------------------------------

    def test_detail_has_links_tickets_and_team_replies(self):
        rf = self.topic_of(REFUND[0])
        doc = self.get("/v1/gaps/%d" % rf).json()
        by_conv = {q["conversation_id"]: q for q in doc["questions"]}
        q = by_conv["rf0"]
        self.assertEqual(q["text"], REFUND[0])
        self.assertEqual(q["channel"], "chat")
        self.assertEqual(q["conversation_url"], "https://help.example.com/inbox/rf0")
        self.assertEqual(q["ticket_id"], "T 7")
        self.assertEqual(q["ticket_url"], "https://tickets.example.com/T%207")
        self.assertIsNone(by_conv["rf1"]["ticket_id"])
        self.assertEqual(len(doc["team_replies"]), 1, doc)
        reply = doc["team_replies"][0]
        self.assertEqual(reply["member_name"], "Kari Nordmann")
        self.assertEqual(reply["question_id"], q["id"])
        self.assertTrue(reply["text"].startswith("Refunds take 5 days"))
        self.assertEqual(self.get("/v1/gaps/99999").status, 404)
        self.assertEqual(self.get("/v1/gaps/abc").status, 404)

    # --- curation -----------------------------------------------------------------

    def test_rename_and_back(self):
        pw = self.topic_of(PASSWORD[0])
        r = self.post("/v1/gaps/%d/rename" % pw, {"label": "Password resets"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["topic"]["label"], "Password resets")
        self.assertEqual(r.json()["topic"]["label_source"], "manual")
        r = self.post("/v1/gaps/%d/rename" % pw, {"label": ""})
        self.assertEqual((r.status, r.json()["error"]["field"]), (400, "label"))
        r = self.post("/v1/gaps/%d/rename" % pw, {"name": "x"})
        self.assertEqual((r.status, r.json()["error"]["field"]), (400, "label"))

    def test_dismiss_question_and_topic_with_undo(self):
        rf = self.topic_of(REFUND[1])
        before = self.get("/v1/gaps/%d" % rf).json()
        qid = next(q["id"] for q in before["questions"] if q["text"] == REFUND[1])
        r = self.post("/v1/gaps/questions/%d/dismiss" % qid)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["topic"]["questions"], before["topic"]["questions"] - 1)
        self.assertTrue(next(q for q in r.json()["questions"] if q["id"] == qid)["dismissed"])
        r = self.post("/v1/gaps/questions/%d/undismiss" % qid)
        self.assertEqual(r.json()["topic"]["questions"], before["topic"]["questions"])

        self.assertEqual(self.post("/v1/gaps/%d/dismiss" % rf).status, 200)
        active = [t["id"] for t in self.topics()["topics"]]
        self.assertNotIn(rf, active)
        dismissed = self.topics("?status=dismissed")["topics"]
        self.assertEqual([t["id"] for t in dismissed], [rf])
        self.assertEqual(dismissed[0]["status"], "dismissed")
        self.assertEqual(self.post("/v1/gaps/%d/undismiss" % rf).status, 200)
        self.assertIn(rf, [t["id"] for t in self.topics()["topics"]])

    def test_viewer_and_ingest_cannot_curate_and_ingest_cannot_read(self):
        pw = self.topic_of(PASSWORD[0])
        self.assertEqual(self.post("/v1/gaps/%d/dismiss" % pw, token=self.viewer).status, 403)
        self.assertEqual(self.post("/v1/gaps/%d/rename" % pw, {"label": "x"},
                                   token=self.ingest).status, 403)
        self.assertEqual(self.get("/v1/gaps", token=self.ingest).status, 403)
        self.assertEqual(self.server.request("GET", "/v1/gaps").status, 401)

    def test_another_account_sees_nothing(self):
        r = self.get("/v1/gaps", token=self.other_admin)
        self.assertEqual(r.json()["total"], 0)
        pw = self.topic_of(PASSWORD[0])
        self.assertEqual(self.get("/v1/gaps/%d" % pw, token=self.other_admin).status, 404)
        self.assertEqual(self.post("/v1/gaps/%d/dismiss" % pw, token=self.other_admin).status, 404)


class Curation(unittest.TestCase):
    """Merge and move change assignments: counts follow, the merged topic is
    gone, and later questions follow the curated topics."""

    def setUp(self):
        self.ws = Workspace("ap-gaps-curate-")
        self.ws.create_account("acme")
        self.admin = self.ws.create_token("acme", "admin")
        self.server = Server(self.ws.db).start()
        evs = [question(i, t, "c%d" % i) for i, t in enumerate(PASSWORD + REFUND)]
        self.assertEqual(self.server.post_events(evs, self.admin).status, 200)
        self.ids = {t["label"]: t["id"] for t in self.list()["topics"]}
        self.assertEqual(len(self.ids), 2, self.list())

    def tearDown(self):
        self.server.stop()
        self.ws.cleanup()

    def list(self, query=""):
        return self.server.request("GET", "/v1/gaps" + query, token=self.admin).json()

    def post(self, path, body):
        return self.server.request("POST", path, json.dumps(body), token=self.admin,
                                   content_type="application/json")

    def test_merge_moves_every_question_and_retires_the_topic(self):
        a, b = sorted(self.ids.values())
        r = self.post("/v1/gaps/%d/merge" % a, {"into": b})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["topic"]["id"], b)
        self.assertEqual(r.json()["topic"]["questions"], 8)
        self.assertEqual(self.server.request("GET", "/v1/gaps/%d" % a, token=self.admin).status, 404)
        self.assertEqual(self.list()["total"], 1)
        # A later paraphrase of either need joins the merged topic.
        r = self.server.post_events([question(50, "I forgot my password, reset it", "c50")],
                                    self.admin)
        self.assertEqual(r.json()["stored"], 1)
        self.assertEqual([t["questions"] for t in self.list()["topics"]], [9])
        for body, field, status in [({"into": a}, "into", 404), ({"into": b}, "into", 400),
                                    ({"into": "x"}, "into", 400), ({}, "into", 400)]:
            r = self.post("/v1/gaps/%d/merge" % b, body)
            self.assertEqual((r.status, r.json()["error"]["field"]), (status, field), body)

    def test_move_one_question(self):
        a, b = sorted(self.ids.values())
        qs = self.server.request("GET", "/v1/gaps/%d" % a, token=self.admin).json()["questions"]
        r = self.post("/v1/gaps/questions/%d/move" % qs[0]["id"], {"topic": b})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["topic"]["id"], b)
        counts = {t["id"]: t["questions"] for t in self.list()["topics"]}
        self.assertEqual(counts, {a: 3, b: 5})
        r = self.post("/v1/gaps/questions/999/move", {"topic": b})
        self.assertEqual(r.status, 404)
        r = self.post("/v1/gaps/questions/%d/move" % qs[0]["id"], {"topic": 999})
        self.assertEqual((r.status, r.json()["error"]["field"]), (404, "topic"))


class Processes(unittest.TestCase):
    """The grouping model is a function of the stored assignments: the CLI and
    the server assign into the same topics, and a restart changes nothing."""

    def test_cli_and_server_share_topics_and_restarts_keep_them(self):
        ws = Workspace("ap-gaps-proc-")
        try:
            ws.create_account("acme")
            admin = ws.create_token("acme", "admin")
            lines = "\n".join(json.dumps(question(i, t, "c%d" % i))
                              for i, t in enumerate(PASSWORD[:2] + REFUND[:2]))
            ws.cli("ingest", "--account", "acme", input=lines + "\n")
            server = Server(ws.db).start()
            try:
                doc = server.request("GET", "/v1/gaps", token=admin).json()
                self.assertEqual(doc["total"], 2, doc)
                before = {t["id"]: t["questions"] for t in doc["topics"]}
                r = server.post_events([question(10, PASSWORD[2], "c10")], admin)
                self.assertEqual(r.json()["stored"], 1)
                # The CLI adds one more while the server runs.
                ws.cli("ingest", "--account", "acme",
                       input=json.dumps(question(11, REFUND[2], "c11")) + "\n")
                r = server.post_events([question(12, PASSWORD[3], "c12")], admin)
                after = {t["id"]: t["questions"]
                         for t in server.request("GET", "/v1/gaps", token=admin).json()["topics"]}
            finally:
                server.stop()
            self.assertEqual(sorted(after), sorted(before))
            self.assertEqual(sorted(after.values()), [3, 4])
            # After a restart the model is rebuilt from the stored assignments.
            server = Server(ws.db).start()
            try:
                server.post_events([question(13, REFUND[3], "c13")], admin)
                again = {t["id"]: t["questions"]
                         for t in server.request("GET", "/v1/gaps", token=admin).json()["topics"]}
            finally:
                server.stop()
            self.assertEqual(sorted(again), sorted(before))
            self.assertEqual(sorted(again.values()), [4, 4])
            listed = ws.cli("gaps", "list", "--account", "acme", "--format", "json").stdout
            self.assertEqual({t["id"]: t["questions"] for t in json.loads(listed)["topics"]}, again)
        finally:
            ws.cleanup()

    def test_service_groups_like_gaps_assign(self):
        """`gaps assign` is the service's grouping: same partition of the same
        questions in the same order."""
        texts = PASSWORD + REFUND + ["Do you ship to Sweden?", "shipping to sweden",
                                     "Hvor er pakken min?", "Hvor er pakken min nå?"]
        ws = Workspace("ap-gaps-same-")
        try:
            ws.create_account("acme")
            lines = "\n".join(json.dumps(question(i, t, "c%d" % i)) for i, t in enumerate(texts))
            ws.cli("ingest", "--account", "acme", input=lines + "\n")
            topic_of_text = cli_topic_of_text(ws, "acme")
            assigned = ws.cli("gaps", "assign", db=False, input="\n".join(texts) + "\n").stdout.split()
            service = [topic_of_text[t] for t in texts]
            # Same partition: equal labels exactly where the other has equal labels.
            for i in range(len(texts)):
                for j in range(len(texts)):
                    self.assertEqual(service[i] == service[j], assigned[i] == assigned[j],
                                     (texts[i], texts[j]))
        finally:
            ws.cleanup()

    def test_service_groups_like_gaps_assign_with_embeddings(self):
        """The agent's embeddings go the same way through ingest and through
        `gaps assign --ndjson`: paraphrases with no shared word meet on them."""
        def vector(axis):
            return [1.0 if i == axis else 0.05 for i in range(16)]
        items = [(t, vector(0)) for t in PASSWORD] + [(t, vector(1)) for t in REFUND]
        items += [("I cannot sign in", vector(0)), ("money back please", vector(1)),
                  ("Hvor er pakken min?", vector(2)), ("parcel missing", vector(2))]
        ws = Workspace("ap-gaps-same-emb-")
        try:
            ws.create_account("acme")
            lines = "\n".join(json.dumps(question(i, t, "c%d" % i, embedding=v))
                              for i, (t, v) in enumerate(items))
            ws.cli("ingest", "--account", "acme", input=lines + "\n")
            topic_of_text = cli_topic_of_text(ws, "acme")
            ndjson = "".join(json.dumps({"text": t, "embedding": v}) + "\n" for t, v in items)
            assigned = ws.cli("gaps", "assign", "--ndjson", db=False, input=ndjson).stdout.split()
            service = [topic_of_text[t] for t, _ in items]
            for i in range(len(items)):
                for j in range(len(items)):
                    self.assertEqual(service[i] == service[j], assigned[i] == assigned[j],
                                     (items[i][0], items[j][0]))
            texts = [t for t, _ in items]
            self.assertEqual(service[texts.index("parcel missing")],
                             service[texts.index("Hvor er pakken min?")])
            # Each malformed line is refused by its line number and field.
            for line, field in [('{"text": ""}', '"text"'), ('{"embedding": [1,2,3,4,5,6,7,8]}', '"text"'),
                                ('{"text": "x", "embedding": [1, 2]}', '"embedding"'),
                                ('{"text": "x", "language": 7}', '"language"'),
                                ('{"text": "x", "language": "en gb"}', '"language"'),
                                ('not json', "invalid JSON")]:
                p = ws.cli("gaps", "assign", "--ndjson", db=False, check=False,
                           input='{"text": "fine"}\n' + line + "\n")
                self.assertEqual(p.returncode, 1, line)
                self.assertEqual(p.stdout, "1\n")
                self.assertIn("line 2: ", p.stderr)
                self.assertIn(field, p.stderr)
            # Out-of-range tuning flags are usage errors that name the flag.
            for flag, value in [("--embedding-weight", "1.5"), ("--novelty-horizon", "0"),
                                ("--embedding-threshold-new", "x")]:
                p = ws.cli("gaps", "assign", flag, value, db=False, check=False, input="q\n")
                self.assertEqual((p.returncode, p.stdout), (2, ""), flag)
                self.assertIn(flag + ": ", p.stderr)
        finally:
            ws.cleanup()

    def test_cli_curation_commands(self):
        ws = Workspace("ap-gaps-cli-")
        try:
            ws.create_account("acme")
            lines = "\n".join(json.dumps(question(i, t, "c%d" % i))
                              for i, t in enumerate(PASSWORD + REFUND))
            ws.cli("ingest", "--account", "acme", input=lines + "\n")
            table = ws.cli("gaps", "list", "--account", "acme").stdout
            self.assertIn("(2 topics)", table)
            # Tables are for people: times in the account's zone with the offset, the
            # page said, a topic shown with a readable head (never a JSON line).
            ws.cli("accounts", "update", "acme", "--time-zone", "Asia/Kolkata")
            table = ws.cli("gaps", "list", "--account", "acme").stdout
            self.assertRegex(table, r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:30  ")
            self.assertIn("(topics 1-1 of 2; --offset 1 for the next ones)",
                          ws.cli("gaps", "list", "--account", "acme", "--limit", "1").stdout)
            first = json.loads(ws.cli("gaps", "list", "--account", "acme", "--format", "json").stdout)["topics"][0]
            shown = ws.cli("gaps", "show", str(first["id"]), "--account", "acme").stdout
            self.assertTrue(shown.startswith("topic %d: " % first["id"]), shown)
            self.assertIn("open · %d conversations · %d questions · last " % (first["conversations"], first["questions"]),
                          shown)
            self.assertNotIn("{", shown.splitlines()[0])
            ids = sorted(t["id"] for t in json.loads(
                ws.cli("gaps", "list", "--account", "acme", "--format", "json").stdout)["topics"])
            ws.cli("gaps", "rename", str(ids[0]), "Passwords", "--account", "acme")
            self.assertIn("Passwords", ws.cli("gaps", "list", "--account", "acme").stdout)
            ws.cli("gaps", "dismiss", str(ids[0]), "--account", "acme")
            self.assertIn("(1 topics)", ws.cli("gaps", "list", "--account", "acme").stdout)
            ws.cli("gaps", "undismiss", str(ids[0]), "--account", "acme")
            ws.cli("gaps", "merge", str(ids[0]), str(ids[1]), "--account", "acme")
            self.assertIn("(1 topics)", ws.cli("gaps", "list", "--account", "acme").stdout)
            bad = ws.cli("gaps", "show", str(ids[0]), "--account", "acme", check=False)
            self.assertEqual(bad.returncode, 1)
            self.assertIn("merged into topic %d" % ids[1], bad.stderr)
            bad = ws.cli("gaps", "move", "x", "1", "--account", "acme", check=False)
            self.assertEqual(bad.returncode, 2)
            self.assertIn("question", bad.stderr)
            shown = ws.cli("gaps", "show", str(ids[1]), "--account", "acme").stdout
            self.assertIn(PASSWORD[0], shown)
            self.assertIn(REFUND[0], shown)
        finally:
            ws.cleanup()


class DefaultLanguage(unittest.TestCase):
    """A question is stemmed in the event's language, else the one detected
    from its words, else the account's default_language; a change of the
    setting applies to the next question and leaves grouped ones as they were."""

    def setUp(self):
        self.ws = Workspace("ap-gaps-language-")
        self.addCleanup(self.ws.cleanup)
        self.ws.create_account("acme", default_language="nb")
        self.admin = self.ws.create_token("acme", "admin")
        self.server = Server(self.ws.db).start()
        self.addCleanup(self.server.stop)

    def stemmed_as(self):
        """Each question's text -> the stemmer it was grouped with."""
        out = {}
        doc = self.server.request("GET", "/v1/gaps?status=all&limit=500", token=self.admin).json()
        for t in doc["topics"]:
            detail = self.server.request("GET", "/v1/gaps/%d?limit=500" % t["id"],
                                         token=self.admin).json()
            out.update((q["text"], q["stemmed_as"]) for q in detail["questions"])
        return out

    def ingest(self, *questions):
        r = self.server.post_events(questions, self.admin)
        self.assertEqual((r.status, r.json()["rejected"]), (200, 0), r)

    def test_event_then_detection_then_account_default(self):
        me = self.server.request("GET", "/v1/me", token=self.admin).json()
        self.assertEqual(me["default_language"], "nb")
        self.ingest(question(1, "fakturaen", "c1"),                      # no clue: the default
                    question(2, "how do I reset my password", "c2"),     # detected
                    question(3, "Rechnung", "c3", language="de"))        # the event's tag
        self.assertEqual(self.stemmed_as(), {"fakturaen": "norwegian",
                                             "how do I reset my password": "english",
                                             "Rechnung": "german"})
        p = self.ws.cli("accounts", "update", "acme", "--default-language", "sv")
        self.assertIn("default_language=sv", p.stdout)
        self.ingest(question(4, "fakturan", "c4"))
        got = self.stemmed_as()
        self.assertEqual((got["fakturan"], got["fakturaen"]), ("swedish", "norwegian"))

    def test_a_short_answer_defaults_to_the_account_language(self):
        r = self.server.request("POST", "/v1/answers",
                                json.dumps({"question": "Hvordan endrer jeg passordet?",
                                            "answer": "Under Innstillinger."}),
                                token=self.admin, content_type="application/json")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json()["language"], "nb")
        p = self.ws.cli("answers", "create", "--account", "acme", "--question", "Åpningstider?",
                        "--answer", "9-17")
        self.assertEqual(json.loads(p.stdout)["language"], "nb")


if __name__ == "__main__":
    unittest.main()
