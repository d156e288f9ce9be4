"""Crash test (issue 8, SPEC §2 "durable", "idempotent"): several clients
post NDJSON batches over HTTP while the server is killed with SIGKILL at random
moments, round after round on one database. After each restart:

- every batch that was answered before the kill is stored, exactly once, and a
  resend of it is acknowledged as all duplicates;
- every batch that got no answer is resent, and the resend stores exactly what
  the crash did not (stored + duplicate = its size, nothing rejected);
- the database holds exactly the acknowledged ids, each once;
- at the end, the report document the server's aggregates give
  (`agentperf report --now T`) equals the independent reference
  (tests/reports/reference.py) computed from the acknowledged events.

It prints rounds, batches, events acknowledged and events lost (must be 0).
Short by default (about 30 s); AP_CRASH_ROUNDS=200 runs a long one.
AP_TEST_SEED replays a run."""
import json
import os
import random
import sqlite3
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "reports"))

import reference  # noqa: E402
import test_property as gen  # noqa: E402  (the property test's event generator)
from apserver import Server, Workspace, ndjson  # noqa: E402

ROUNDS = int(os.environ.get("AP_CRASH_ROUNDS", "10"))
CLIENTS = 3
NOW = "2027-03-01T00:00:00Z"
ZONE = "Europe/Oslo"
INACTIVITY = 24


class Pool:
    """Fresh events made on demand, handed out in batches of random size; a
    conversation's events may land in several batches, in any order."""

    def __init__(self, rng):
        self.rng = rng
        self.events = []
        self.counter, self.tickets = [0], []
        self.conversations = 0
        self.lock = threading.Lock()

    def take(self):
        with self.lock:
            n = self.rng.choice([self.rng.randint(1, 20), self.rng.randint(20, 120)])
            while len(self.events) < n:
                self.conversations += 1
                self.events += gen.conversation(self.rng, "c%d" % self.conversations,
                                                1_790_000_000, self.counter, self.tickets)
                if len(self.events) > 40:
                    # Mix the newest conversations into the queue.
                    tail = self.events[-40:]
                    self.rng.shuffle(tail)
                    self.events[-40:] = tail
            batch, self.events = self.events[:n], self.events[n:]
            return batch

    def drain(self):
        with self.lock:
            batch, self.events = self.events, []
            return batch


def post(server, token, batch, timeout=30):
    """(status, document) or None when the connection broke."""
    try:
        r = server.post_events(batch, token, timeout=timeout)
    except (OSError, ValueError):
        return None
    try:
        return r.status, r.json()
    except ValueError:
        return r.status, None


class CrashTest(unittest.TestCase):
    def test_sigkill_rounds(self):
        seed = int(os.environ.get("AP_TEST_SEED", random.randrange(1 << 30)))
        rng = random.Random(seed)
        msg = "seed %d" % seed
        ws = Workspace("ap-crash-")
        try:
            self.run_rounds(ws, rng, msg)
        finally:
            ws.cleanup()

    def run_rounds(self, ws, rng, msg):
        ws.create_account("acme", time_zone=ZONE, inactivity_hours=INACTIVITY)
        token = ws.create_token("acme", "ingest")
        pool = Pool(rng)
        acked = {}     # id → event, answered "stored" or "duplicate"
        acked_batches = []
        pending = []   # batches sent but not answered before a kill
        lost = 0
        stats = {"rounds": 0, "batches": 0, "unanswered": 0, "resent_stored": 0}

        def acknowledge(batch, status_doc, expect_all_duplicate=False):
            self.assertIsNotNone(status_doc, msg)
            status, doc = status_doc
            self.assertEqual(status, 200, "%s %r" % (msg, doc))
            self.assertEqual((doc["rejected"], doc["conflict"]), (0, 0), "%s %r" % (msg, doc))
            self.assertEqual(doc["stored"] + doc["duplicate"], len(batch), msg)
            if expect_all_duplicate:
                self.assertEqual(doc["stored"], 0, "%s: an acknowledged batch stored again" % msg)
            for e in batch:
                acked[e["id"]] = e
            return doc

        for rnd in range(ROUNDS):
            server = Server(ws.db, "--rate-limit", "0").start()
            stats["rounds"] += 1
            # Batches left unanswered by the last crash: resent now, they store
            # exactly what the crash did not.
            for batch in pending:
                doc = acknowledge(batch, post(server, token, batch))
                stats["resent_stored"] += doc["stored"]
                acked_batches.append(batch)
            pending = []
            # Some acknowledged batches again: all duplicates.
            for batch in rng.sample(acked_batches, min(3, len(acked_batches))):
                acknowledge(batch, post(server, token, batch), expect_all_duplicate=True)
            self.check_stored(ws.db, acked, msg)

            lock = threading.Lock()
            stop = threading.Event()
            answered, broken, failures = [], [], []

            def client():
                while not stop.is_set():
                    batch = pool.take()
                    result = post(server, token, batch)
                    with lock:
                        if result is None:
                            broken.append(batch)
                            return
                        answered.append((batch, result))

            threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.05, 0.8))
            server.kill()
            stop.set()
            for t in threads:
                t.join(timeout=60)
            self.assertFalse(any(t.is_alive() for t in threads), msg)
            for batch, result in answered:
                stats["batches"] += 1
                acknowledge(batch, result)
                acked_batches.append(batch)
            stats["unanswered"] += len(broken)
            pending = broken

        # A last clean start: the unanswered batches, then the checks.
        server = Server(ws.db, "--rate-limit", "0").start()
        try:
            for batch in pending:
                acknowledge(batch, post(server, token, batch))
            rest = pool.drain()
            if rest:
                acknowledge(rest, post(server, token, rest))
            lost = self.check_stored(ws.db, acked, msg)
        finally:
            self.assertEqual(server.stop(), 0, server.log()[-2000:])
        self.check_reports(ws, list(acked.values()), msg)
        print("\ncrash test: %d rounds, %d batches answered before a kill, %d unanswered and "
              "resent (%d of their events had not been stored), %d events acknowledged, "
              "%d lost, %s" % (stats["rounds"], stats["batches"], stats["unanswered"],
                               stats["resent_stored"], len(acked), lost, msg), file=sys.stderr)
        self.assertEqual(lost, 0)

    def check_stored(self, db, acked, msg):
        """Every acknowledged id stored exactly once, nothing else; returns lost."""
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
        try:
            rows = [r[0] for r in con.execute("SELECT id FROM events")]
        finally:
            con.close()
        ids = set(rows)
        self.assertEqual(len(rows), len(ids), "%s: an id stored twice" % msg)
        lost = set(acked) - ids
        self.assertEqual(lost, set(), "%s: acknowledged events lost" % msg)
        # Stored ids beyond the acknowledged ones can only come from batches
        # whose answer the kill cut off; they are resent and checked next round.
        return len(lost)

    def check_reports(self, ws, events, msg):
        now_us = reference.parse_at(NOW)
        members = reference.member_names(events)
        r = ws.cli("report", "--account", "acme", "--now", NOW, "--from", "2026-09-01",
                   "--to", "2027-03-01", "--granularity", "week", "--format", "json")
        got = json.loads(r.stdout)
        want = reference.document("acme", ZONE, INACTIVITY, [dict(e) for e in events], now_us,
                                  members=members, granularity="week",
                                  date_from=reference.dt.date(2026, 9, 1),
                                  date_to=reference.dt.date(2027, 3, 1))
        self.assertGreater(want["reports"]["resolution_rate"]["denominator"], 100)
        for name in reference.REPORTS:
            self.assertEqual(got["reports"][name], want["reports"][name],
                             "%s report %s" % (msg, name))


if __name__ == "__main__":
    unittest.main()
