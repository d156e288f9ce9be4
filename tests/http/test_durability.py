"""Durability (SPEC §2): an event the server has answered "stored" survives a
crash. Clients post batches over HTTP while the server is killed with SIGKILL
right after some answers arrived, several rounds on one database. After each
crash every acknowledged batch is present whole, every other batch is present
whole or not at all (a batch is one transaction), no id is stored twice, a
retry of an unanswered batch stores exactly what is missing, and the report
aggregates equal those of a fresh database holding the same events.

Set AP_TEST_SEED to replay a run; the seed is printed when a check fails."""
import json
import os
import random
import sqlite3
import threading
import time
import unittest

from apserver import Server, Workspace, event, ndjson

ROUNDS = 5
CLIENTS = 2
NOW = "2026-12-01T00:00:00Z"


def make_batch(rng, name):
    """A batch of valid events of several types, ids prefixed by the batch name."""
    size = rng.choice([rng.randint(1, 40), rng.randint(200, 1500)])
    out = []
    for i in range(size):
        conv = "%s-c%d" % (name, i // 4)
        at = "2026-11-%02dT%02d:%02d:00Z" % (rng.randint(2, 27), rng.randint(0, 23), i % 60)
        kind = i % 4
        if kind == 0:
            e = event("%s-%d" % (name, i), type="conversation.started", conversation_id=conv, at=at,
                      channel=rng.choice(["chat", "email", "whatsapp"]))
        elif kind == 1:
            e = event("%s-%d" % (name, i), type="question.asked", conversation_id=conv, at=at,
                      text="question %d of %s" % (i, name), answered=rng.random() < 0.7)
        elif kind == 2:
            e = event("%s-%d" % (name, i), type="conversation.handed_off", conversation_id=conv, at=at,
                      reason="missing_knowledge", ticket_id="T-" + conv)
        else:
            e = event("%s-%d" % (name, i), type="conversation.resolved", conversation_id=conv, at=at,
                      by="agent")
        out.append(e)
    return out


class Durability(unittest.TestCase):
    def setUp(self):
        self.seed = int(os.environ.get("AP_TEST_SEED") or time.time_ns() % 1000000)
        self.rng = random.Random(self.seed)
        self.ws = Workspace("ap-durability-")
        self.addCleanup(self.ws.cleanup)
        self.ws.create_account("acme")
        self.ws.create_account("other")
        self.token = self.ws.create_token("acme", "ingest")
        self.server = None
        self.addCleanup(lambda: self.server and self.server.running() and self.server.kill())
        self.batches = {}   # name -> events, everything ever sent
        self.acked = set()  # names of batches the server answered "stored"

    def check(self, condition, message):
        if not condition:
            self.fail("%s (AP_TEST_SEED=%d)" % (message, self.seed))

    def stored_ids(self):
        """The account's event ids, read from the database while no server runs."""
        db = sqlite3.connect(self.ws.db, timeout=10)
        try:
            rows = db.execute("SELECT e.id FROM events e JOIN accounts a ON a.id = e.account_id "
                              "WHERE a.name = 'acme'").fetchall()
            others = db.execute("SELECT count(*) FROM events e JOIN accounts a ON a.id = e.account_id "
                                "WHERE a.name != 'acme'").fetchone()[0]
        finally:
            db.close()
        self.check(others == 0, "events leaked into another account")
        ids = [r[0] for r in rows]
        self.check(len(ids) == len(set(ids)), "an id is stored twice")
        return set(ids)

    def check_batches(self, stage):
        """Every acknowledged batch whole, every other batch whole or absent,
        nothing else stored. Returns the names of the batches present."""
        ids = self.stored_ids()
        present, accounted = set(), 0
        for name, events in self.batches.items():
            n = len({e["id"] for e in events} & ids)
            if name in self.acked:
                self.check(n == len(events), "%s: acknowledged batch %s has %d of %d events"
                           % (stage, name, n, len(events)))
            else:
                self.check(n in (0, len(events)), "%s: unacknowledged batch %s is half-written: "
                           "%d of %d events" % (stage, name, n, len(events)))
            if n:
                present.add(name)
            accounted += n
        self.check(accounted == len(ids), "%s: %d stored events belong to no batch"
                   % (stage, len(ids) - accounted))
        return present

    def post(self, name, timeout=15):
        r = self.server.post_events(self.batches[name], self.token, timeout=timeout)
        self.check(r.status == 200, "batch %s: %r" % (name, r))
        return r.json()

    def run_round(self, round_no):
        """Clients post new batches until the server is killed right after
        `target` answers have arrived."""
        target = self.rng.randint(1, 6)
        answered = threading.Event()
        lock = threading.Lock()
        acked_now = []
        problems = []

        def client(k, rng):
            for b in range(10000):
                name = "r%d-c%d-b%d" % (round_no, k, b)
                with lock:
                    self.batches[name] = make_batch(rng, name)
                try:
                    r = self.server.post_events(self.batches[name], self.token, timeout=15)
                except OSError:
                    return  # the server died under us: this batch is unanswered
                if r.status != 200 or r.json()["stored"] != len(self.batches[name]):
                    problems.append((name, r))
                    return
                with lock:
                    self.acked.add(name)
                    acked_now.append(name)
                    if len(acked_now) >= target:
                        answered.set()

        threads = [threading.Thread(target=client, args=(k, random.Random(self.rng.random())))
                   for k in range(CLIENTS)]
        for t in threads:
            t.start()
        try:
            self.check(answered.wait(timeout=30), "round %d: no answers within 30 s" % round_no)
            time.sleep(self.rng.uniform(0, 0.03))
        finally:
            self.server.kill()
            for t in threads:
                t.join(timeout=30)
        self.check(not any(t.is_alive() for t in threads), "a client hung after the kill")
        self.check(problems == [], "round %d: %r" % (round_no, problems))

    def test_acknowledged_events_survive_kill_9(self):
        retried = 0
        for round_no in range(ROUNDS):
            present = self.check_batches("before round %d" % round_no)
            self.server = Server(self.ws.db).start()
            # A client retries what was never answered: exactly the missing
            # batches are stored, the ones that did commit are duplicates.
            for name in sorted(set(self.batches) - self.acked):
                n = len(self.batches[name])
                doc = self.post(name)
                want = (0, n) if name in present else (n, 0)
                self.check((doc["stored"], doc["duplicate"]) == want,
                           "retry of %s (%s): %r" % (name, "present" if name in present else "absent",
                                                     doc))
                self.acked.add(name)
                retried += 1
            self.run_round(round_no)

        self.check_batches("after the last crash")
        self.server = Server(self.ws.db).start()
        try:
            # Re-posting everything that was acknowledged finds only duplicates.
            for name in sorted(self.acked):
                doc = self.post(name)
                self.check((doc["stored"], doc["duplicate"], doc["conflict"], doc["rejected"])
                           == (0, len(self.batches[name]), 0, 0), "re-post of %s: %r" % (name, doc))
        finally:
            self.check(self.server.stop() == 0, "server did not stop cleanly")
        present = self.check_batches("at the end")
        self.assertGreaterEqual(len(self.acked), ROUNDS)
        self.assertGreater(retried + len(present), 0)

        # The report aggregates, written in the same transactions, agree with a
        # fresh database that holds the same events.
        fresh = Workspace("ap-durability-fresh-")
        self.addCleanup(fresh.cleanup)
        fresh.create_account("acme")
        events = [e for name in sorted(present) for e in self.batches[name]]
        p = fresh.cli("ingest", "--account", "acme", input=ndjson(events).decode())
        self.assertEqual(p.stdout.strip(), "stored %d, duplicate 0, conflict 0, rejected 0" % len(events))
        report = lambda w: json.loads(w.cli("report", "--account", "acme", "--now", NOW).stdout)
        self.check(report(self.ws) == report(fresh), "reports differ from a fresh database's")


if __name__ == "__main__":
    unittest.main()
