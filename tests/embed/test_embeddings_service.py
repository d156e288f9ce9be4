"""Embeddings from the model server, end to end (docs/internals/embed.md):
a real `agentperf serve --embeddings-url` against the stand-in model server of
tests/lib/embed_server.py. Vectors arrive in the background and are stored
with the questions; a text is fetched once (the cache); faults of every kind
never lose or hold up an event and show in /metrics and /healthz; the worker
recovers when the server comes back; a change of model re-embeds; the API key
goes to the server and nowhere else; the same questions group measurably
better with the encoder than without; the match API waits a bounded time."""
import json
import math
import os
import subprocess
import sqlite3
import time
import unittest
from collections import Counter

import apserver
from apserver import Server, Workspace, event
from embed_server import EmbedServer, closed_port

MODEL = "stand-in-128"

# Six needs, each worded six ways with few words in common: what a sentence
# encoder groups and a bag of stems does not.
NEEDS = {
    "access": ["How do I reset my password?", "I forgot my login credentials",
               "my passcode is not accepted anymore", "locked out of my account after sign in",
               "forgot username and pin", "can't log in, what is my password"],
    "card": ["my visa was declined at the shop", "debit card not working",
             "why was my mastercard refused", "the credit card payment fails",
             "card declined when I pay online", "new visa card is rejected"],
    "refund": ["I want my money back", "how do I get a refund",
               "reimbursement for the broken blender", "when will I be reimbursed",
               "chargeback for a double payment", "refund still not received"],
    "delivery": ["where is my parcel", "the courier never arrived",
                 "package tracking shows nothing", "shipping is taking forever",
                 "when will the shipment be delivered", "my delivery did not arrive"],
    "cancel": ["how do I cancel my subscription", "I want to terminate the contract",
               "stop my membership please", "unsubscribe me from the plan",
               "end my subscription today", "quit the service and cancel billing"],
    "address": ["I moved, how do I change my address", "update street address",
                "relocated to a new city, where do I change it",
                "change of address for my account", "we are moving next month",
                "new address after relocation"],
}


def query(db, sql):
    """Rows of one SELECT on the test's database, SQLite or PostgreSQL."""
    if db.startswith(("postgres://", "postgresql://")):
        out = subprocess.run(["psql", "-X", "-At", "-F", "\t", "-d", db, "-c", sql],
                             check=True, capture_output=True, text=True, timeout=60).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]
    with sqlite3.connect(db) as c:
        return [tuple("" if v is None else str(v) for v in row) for row in c.execute(sql)]


def metrics(server):
    out = {}
    for line in server.request("GET", "/metrics").body.decode().splitlines():
        if line.startswith("agentperf_embeddings"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


def wait_for(predicate, timeout=20, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def questions(texts, prefix, conversation_prefix=None):
    cp = conversation_prefix or prefix
    return [event("%s%d" % (prefix, i), "question.asked", "%s%d" % (cp, i),
                  "2026-11-23T10:00:%02dZ" % (i % 60), text=t, answered=False)
            for i, t in enumerate(texts)]


def nmi(labels, pred):
    n = len(labels)
    pa, pb, pab = Counter(labels), Counter(pred), Counter(zip(labels, pred))
    mi = sum(c / n * math.log(c * n / (pa[a] * pb[b])) for (a, b), c in pab.items())
    h = lambda p: -sum(c / n * math.log(c / n) for c in p.values())
    ha, hb = h(pa), h(pb)
    return 2 * mi / (ha + hb) if ha + hb > 0 else 1.0


class Base(unittest.TestCase):
    serve_args = ()

    def setUp(self):
        self.es = EmbedServer().start()
        self.ws = Workspace("ap-embed-")
        self.ws.create_account("acme")
        self.token = self.ws.create_token("acme", "admin")
        self.server = None

    def tearDown(self):
        try:
            if self.server and self.server.running():
                rc = self.server.stop()
                self.assertEqual(rc, 0, self.server.log()[-3000:])
        finally:
            self.es.stop()
            self.ws.cleanup()

    def serve(self, *args, url=None, model=MODEL, env=None):
        self.server = Server(self.ws.db, "--embeddings-url", url or self.es.url,
                             "--embeddings-model", model, *self.serve_args, *args,
                             env=env).start()
        return self.server

    def stored(self, account="acme"):
        """question text -> (embedding bytes, model, topic) from the database."""
        rows = query(self.ws.db, "SELECT q.text, coalesce(length(q.embedding), 0), "
                     "coalesce(q.embedding_model, ''), coalesce(q.topic_id, 0) FROM gap_questions q "
                     "JOIN accounts a ON a.id = q.account_id WHERE a.name = '%s'" % account)
        return {r[0]: (int(r[1]), r[2], int(r[3])) for r in rows}

    def count_embedded(self, account, model):
        return int(query(self.ws.db, "SELECT count(*) FROM gap_questions q JOIN accounts a ON "
                         "a.id = q.account_id WHERE a.name = '%s' AND length(q.embedding) = 1024 "
                         "AND q.embedding_model = '%s'" % (account, model))[0][0])

    def all_embedded(self, n, account="acme", model=MODEL):
        return self.count_embedded(account, model) == n


class Arrival(Base):
    def test_vectors_arrive_are_stored_and_fetched_once(self):
        server = self.serve()
        texts = NEEDS["access"] + NEEDS["card"]
        r = server.post_events(questions(texts, "q"), self.token)
        self.assertEqual(r.json()["stored"], len(texts), r)
        wait_for(lambda: self.all_embedded(len(texts)), what="vectors stored")
        m = metrics(server)
        self.assertEqual(m["agentperf_embeddings_questions_total"], len(texts))
        self.assertEqual(m["agentperf_embeddings_texts_total"], len(texts))
        self.assertEqual(m["agentperf_embeddings_up"], 1)
        stats = self.es.stats()
        self.assertEqual(stats["models"], {MODEL})
        self.assertTrue(all(b <= 32 for b in stats["batches"]), stats["batches"])
        # The same texts again (other conversations, another account): the
        # cache answers, the server is not asked again.
        self.ws.create_account("other")
        other = self.ws.create_token("other", "admin")
        server.post_events(questions(texts, "again", "c2-"), self.token)
        server.post_events(questions(texts, "o"), other)
        wait_for(lambda: self.all_embedded(2 * len(texts)), what="repeat texts stored")
        wait_for(lambda: self.all_embedded(len(texts), "other"), what="other account stored")
        self.assertEqual(set(self.es.stats()["texts"].values()), {1})
        self.assertGreaterEqual(metrics(server)["agentperf_embeddings_cache_hits_total"],
                                2 * len(texts))
        # A restart asks for nothing: the vectors are stored.
        self.server.stop()
        requests = self.es.stats()["requests"]
        self.serve()
        time.sleep(1.0)
        self.assertEqual(self.es.stats()["requests"], requests)

    def test_assignment_uses_the_vectors(self):
        server = self.serve()
        texts = NEEDS["access"]
        server.post_events(questions(texts, "q"), self.token)
        wait_for(lambda: self.all_embedded(len(texts)), what="vectors stored")
        topics = {t for _, _, t in self.stored().values()}
        # The encoder knows password, login, passcode and pin mean one thing.
        self.assertLessEqual(len(topics), 2, self.stored())

    def test_account_off_sends_nothing(self):
        self.ws.cli("accounts", "update", "acme", "--embeddings", "off")
        self.assertIn("embeddings=off", self.ws.cli("accounts", "list").stdout)
        server = self.serve()
        server.post_events(questions(NEEDS["card"], "q"), self.token)
        r = server.request("GET", "/v1/gaps", token=self.token)
        self.assertEqual(r.status, 200)
        time.sleep(1.0)
        self.assertEqual(self.es.stats()["requests"], 0)
        self.assertTrue(all(b == 0 for b, _, _ in self.stored().values()))

    def test_agents_own_embedding_is_kept(self):
        server = self.serve()
        own = [0.5] * 16
        ev = questions(["my own vector question"], "own")[0]
        ev["embedding"] = own
        server.post_events([ev] + questions(["a second question"], "q"), self.token)
        wait_for(lambda: self.stored().get("a second question", (0,))[0] == 1024,
                 what="the second question's vector")
        b, model, _ = self.stored()["my own vector question"]
        self.assertEqual((b, model), (16 * 8, ""))
        self.assertNotIn("my own vector question", self.es.stats()["texts"])

    def test_model_change_reembeds(self):
        server = self.serve()
        texts = NEEDS["refund"]
        server.post_events(questions(texts, "q"), self.token)
        wait_for(lambda: self.all_embedded(len(texts)), what="first model's vectors")
        server.stop()
        self.serve(model="stand-in-v2")
        wait_for(lambda: self.all_embedded(len(texts), model="stand-in-v2"),
                 what="second model's vectors")
        self.assertEqual(self.es.stats()["models"], {MODEL, "stand-in-v2"})
        # Topics stay where they were: a re-embedding moves no question.
        r = self.server.request("GET", "/v1/gaps", token=self.token)
        self.assertEqual(r.status, 200)


class Faults(Base):
    serve_args = ("--embeddings-dims", "128", "--embeddings-timeout", "700",
                  "--embeddings-hold", "500")

    def check_fault(self, mode, kind, prefix):
        counter = 'agentperf_embeddings_failures_total{kind="%s"}' % kind
        before = metrics(self.server).get(counter, 0)
        self.es.set(mode)
        texts = ["%s question %d about %s" % (mode, i, w)
                 for i, w in enumerate(["refunds", "cards", "parcels"])]
        t0 = time.monotonic()
        r = self.server.post_events(questions(texts, prefix), self.token)
        self.assertLess(time.monotonic() - t0, 1.0, "ingest waited for the model server")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["stored"], len(texts), r)
        # Nothing is lost: every question is in a topic, by text alone.
        listed = self.server.request("GET", "/v1/gaps?status=all&limit=500", token=self.token)
        self.assertEqual(listed.status, 200)
        self.assertEqual(sum(t["questions"] for t in listed.json()["topics"]),
                         len(self.stored()))
        wait_for(lambda: metrics(self.server).get(counter, 0) > before,
                 what="failure kind %s counted" % kind)
        health = self.server.request("GET", "/healthz")
        self.assertEqual(health.status, 200)
        emb = health.json()["embeddings"]
        self.assertEqual((emb["status"], emb["last_failure"]), ("failing", kind), emb)
        self.assertEqual(metrics(self.server)["agentperf_embeddings_up"], 0)
        # Back to normal: the worker retries after its back-off and the
        # questions get their vectors.
        self.es.set("ok")
        wait_for(lambda: all(b == 1024 for b, _, _ in self.stored().values()), timeout=30,
                 what="recovery after %s" % mode)
        wait_for(lambda: self.server.request("GET", "/healthz").json()["embeddings"]["status"]
                 == "ok", what="healthz ok again")

    def test_each_fault(self):
        self.serve()
        cases = [("http_500", "http_5xx"), ("http_400", "http_4xx"), ("http_401", "http_4xx"),
                 ("wrong_dims", "dimensions"), ("mixed_dims", "dimensions"),
                 ("garbage", "garbage"), ("nan", "garbage"), ("truncated", "garbage"),
                 ("too_many", "garbage"), ("hang", "timeout")]
        for i, (mode, kind) in enumerate(cases):
            with self.subTest(mode=mode):
                self.check_fault(mode, kind, "f%d-" % i)

    def test_server_down_then_back(self):
        port = closed_port()
        self.serve(url="http://127.0.0.1:%d" % port)
        texts = NEEDS["delivery"]
        t0 = time.monotonic()
        self.server.post_events(questions(texts, "q"), self.token)
        self.assertLess(time.monotonic() - t0, 1.0)
        # Assigned by text alone without waiting out the hold for long.
        wait_for(lambda: all(t for _, _, t in self.stored().values()), timeout=5,
                 what="text-only assignment")
        wait_for(lambda: metrics(self.server).get(
            'agentperf_embeddings_failures_total{kind="connect"}', 0) >= 1, what="connect")
        self.assertTrue(all(b == 0 for b, _, _ in self.stored().values()))
        # The model server comes up on that port: the vectors follow, stored
        # with the assigned questions (every node replays them).
        self.es.stop()
        self.es.port = port
        self.es.start()
        wait_for(lambda: self.all_embedded(len(texts)), timeout=40, what="backfill")
        self.assertEqual(self.server.request("GET", "/healthz").json()["embeddings"]["status"],
                         "ok")

    def test_restart_of_the_model_server(self):
        self.serve()
        self.server.post_events(questions(NEEDS["cancel"], "a"), self.token)
        wait_for(lambda: self.all_embedded(6), what="first batch")
        self.es.restart(down_for=0.5)
        self.server.post_events(questions(NEEDS["address"], "b"), self.token)
        wait_for(lambda: self.all_embedded(12), timeout=30, what="after the restart")

    def test_slow_server_holds_assignment_a_bounded_time(self):
        self.serve()
        self.es.set("slow", delay=2.0)
        t0 = time.monotonic()
        self.server.post_events(questions(["slow one", "slow two"], "s"), self.token)
        self.assertLess(time.monotonic() - t0, 1.0)
        # Held at most --embeddings-hold (0.5 s), then grouped by text alone.
        wait_for(lambda: all(t for _, _, t in self.stored().values()), timeout=1.8,
                 what="assignment after the hold")
        self.assertTrue(all(b == 0 for b, _, _ in self.stored().values()))
        self.es.set("ok")
        wait_for(lambda: self.all_embedded(2), timeout=20, what="late vectors")


class Secrets(Base):
    KEY = "sk-test-0123456789abcdef"

    def test_key_from_environment_and_file(self):
        server = self.serve(env={"AGENTPERF_EMBEDDINGS_KEY": self.KEY})
        server.post_events(questions(["key question"], "k"), self.token)
        wait_for(lambda: self.es.stats()["auth"], what="a request")
        self.assertEqual(self.es.stats()["auth"][0], "Bearer " + self.KEY)
        server.stop()
        path = os.path.join(self.ws.dir, "key")
        with open(path, "w") as f:
            f.write("  file-key-42 \n")
        self.es.reset_stats()
        self.serve("--embeddings-key-file", path)
        self.server.post_events(questions(["another key question"], "k2"), self.token)
        wait_for(lambda: self.es.stats()["auth"], what="a request")
        self.assertEqual(self.es.stats()["auth"][0], "Bearer file-key-42")
        self.es.set("http_401")
        self.server.post_events(questions(["third key question"], "k3"), self.token)
        wait_for(lambda: metrics(self.server).get(
            'agentperf_embeddings_failures_total{kind="http_4xx"}', 0) >= 1, what="401")
        self.server.stop()
        log = self.server.log()
        self.assertNotIn(self.KEY, log)
        self.assertNotIn("file-key-42", log)

    def test_bad_configuration_is_refused(self):
        p = self.ws.cli("serve", "--embeddings-url", self.es.url, check=False)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("--embeddings-model", p.stderr)
        p = self.ws.cli("serve", "--embeddings-url", "ftp://x", "--embeddings-model", "m",
                        check=False)
        self.assertEqual(p.returncode, 2, p.stderr)


class EndToEffect(Base):
    """The same questions, the same arrival order, one account with the
    encoder and one without: the encoder's topics match the needs better."""

    def test_grouping_better_with_the_encoder(self):
        self.ws.create_account("plain", embeddings="off")
        plain = self.ws.create_token("plain", "admin")
        server = self.serve()
        rows = [(need, text) for k in range(6) for need, texts in NEEDS.items()
                for text in texts[k:k + 1]]  # interleaved, as questions arrive
        texts = [t for _, t in rows]
        for token in (self.token, plain):
            for i in range(0, len(rows), 6):  # a few requests, like an agent
                server.post_events(questions(texts[i:i + 6], "q%d-" % i), token)
        wait_for(lambda: self.all_embedded(len(rows)), what="vectors")
        server.request("GET", "/v1/gaps", token=plain)  # assigns what waits
        labels = [need for need, _ in rows]
        got = {}
        for account in ("acme", "plain"):
            stored = self.stored(account)
            got[account] = nmi(labels, [stored[t][2] for t in texts])
        self.assertGreater(got["acme"], got["plain"] + 0.1, got)
        print("\nNMI with the encoder %.3f, text alone %.3f" % (got["acme"], got["plain"]))


class Match(Base):
    serve_args = ("--embeddings-match-wait", "200")
    ANSWERS = [
        {"id": "pw", "question": "How do I reset my password?",
         "alternatives": ["forgot my password", "password reset"],
         "answer": "Use the reset link on the sign-in page."},
        {"id": "rf", "question": "How do I get a refund?",
         "alternatives": ["refund my order", "I want a refund"],
         "answer": "Refunds take five days."},
        {"id": "dl", "question": "Where is my parcel?",
         "alternatives": ["parcel tracking", "my parcel is late"],
         "answer": "Track it on the orders page."},
    ]

    def match(self, question):
        r = self.server.request("POST", "/v1/answers/match", json.dumps({"question": question}),
                                token=self.token, content_type="application/json")
        self.assertEqual(r.status, 200, r)
        return r.json()

    def test_blend_and_bounded_wait(self):
        self.serve()
        for a in self.ANSWERS:
            r = self.server.request("POST", "/v1/answers", json.dumps(a), token=self.token,
                                    content_type="application/json")
            self.assertEqual(r.status, 201, r)
        self.match("warm up")  # builds the matcher, queues the phrasings
        wait_for(lambda: all(t in self.es.stats()["texts"] for a in self.ANSWERS
                             for t in [a["question"]] + a["alternatives"]),
                 what="phrasings embedded")
        time.sleep(1.1)  # the matcher reads newly cached vectors once a second
        # Same words: still the right answer, matched.
        self.assertEqual(self.match("I forgot my password")["match"]["id"], "pw")
        # Other words, same need: the encoder ranks the right answer first.
        got = self.match("I am locked out and forgot my login credentials")
        self.assertEqual(got["candidates"][0]["id"], "pw", got)
        # A slow server: the match waits at most --embeddings-match-wait.
        self.es.set("slow", delay=3.0)
        t0 = time.monotonic()
        got = self.match("an entirely new question about parcels")
        self.assertLess(time.monotonic() - t0, 1.0)
        self.assertEqual(got["candidates"][0]["id"], "dl", got)
        self.es.set("ok")


if __name__ == "__main__":
    unittest.main()
