"""Several agentperf nodes on one PostgreSQL database (SPEC §8, issue 7): two
servers share a database; clients post random event streams through both at
once — the conversations overlap, handoffs and ticket closes of one ticket go
to different nodes, and some batches are posted to both nodes at the same
moment, exact duplicates and conflicting versions included, and one bulk batch
of 1,200 conversations (locked as a whole account) among the small ones. Afterwards each id
is stored once (verdicts across both nodes add up), and the reports of either
node equal the brute-force reference (tests/reports/reference.py) computed
from the events the database holds: no aggregate update was lost and none was
counted twice. Midway the account's inactivity hours change, so both nodes
rebuild the aggregates while the other clients keep ingesting.

Runs only in the -pg registration. Set AP_TEST_SEED to replay a run."""
import json
import os
import random
import subprocess
import sys
import threading
import unittest

import apserver
from apserver import Server, Workspace

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reports"))
import reference  # noqa: E402
import test_property  # noqa: E402  (its random conversation generator)

ZONE = "Europe/Oslo"
INACTIVITY = 24
INACTIVITY_LATER = 48
CONVERSATIONS = 250
CLIENTS_PER_NODE = 3
HOUR = 3600


def make_stream(rng):
    """Events of random conversations, then the stream as sent: shuffled, with
    exact duplicates (other key order) and conflicting versions."""
    counter, tickets, events = [0], [], []
    base = 1_790_000_000
    for i in range(CONVERSATIONS):
        events += test_property.conversation(rng, "c%d" % i, base, counter, tickets)
    events += test_property.cross_ticket_closes(rng, tickets, counter)
    sent = list(events)
    for e in rng.sample(events, len(events) // 5):
        sent.append(test_property.variant(rng, e))
    for e in rng.sample(events, len(events) // 12):
        bad = dict(e)
        bad["conversation_id"] = e["conversation_id"] + "-x"
        sent.append(bad)
    rng.shuffle(sent)
    return events, sent


def bulk(rng, base):
    """A batch of more conversations than a transaction locks one by one (the
    backend takes the whole account instead): 1,200 short conversations."""
    out = []
    for i in range(1200):
        t = base + rng.randrange(0, 14 * 24 * HOUR)
        out.append({"id": "bulk-s%d" % i, "type": "conversation.started",
                    "at": test_property.stamp(t, rng), "conversation_id": "bulk-%d" % i,
                    "channel": rng.choice(test_property.CHANNELS)})
        if i % 3 == 0:
            out.append({"id": "bulk-r%d" % i, "type": "conversation.resolved",
                        "at": test_property.stamp(t + 60, rng), "conversation_id": "bulk-%d" % i,
                        "by": "agent"})
    return out


def batches(rng, sent, big):
    """The stream cut into batches; each goes to node 0, node 1 or both at once.
    The bulk batch goes to both nodes at once, somewhere in the middle."""
    out, i = [], 0
    while i < len(sent):
        size = rng.choice([1, 1, 2, 5, 10, 30])
        out.append((rng.choice([0, 1, 0, 1, "both"]), sent[i:i + size]))
        i += size
    out.insert(rng.randrange(len(out) // 4, len(out) // 2), ("both", big))
    return out


class Nodes(unittest.TestCase):
    def setUp(self):
        self.seed = int(os.environ.get("AP_TEST_SEED") or random.randrange(1 << 30))
        self.ws = Workspace("ap-nodes-")
        self.ws.create_account("acme", time_zone=ZONE, inactivity_hours=INACTIVITY)
        self.ingest = self.ws.create_token("acme", "ingest")
        self.viewer = self.ws.create_token("acme", "viewer")
        self.nodes = [Server(self.ws.db, "--threads", "4").start(),
                      Server(self.ws.db, "--threads", "4").start()]

    def tearDown(self):
        for node in self.nodes:
            node.stop()
        self.ws.cleanup()

    def post(self, node, events, verdicts, lock):
        r = self.nodes[node].post_events(events, self.ingest, timeout=120)
        self.assertEqual(r.status, 200, "seed %d: %r\n%s" % (self.seed, r, self.nodes[node].log()[-3000:]))
        doc = r.json()
        with lock:
            for key in ("stored", "duplicate", "conflict", "rejected"):
                verdicts[key] += doc[key]

    def client(self, work, verdicts, lock, errors):
        """Posts its share of the batches; a "both" batch goes to the two nodes
        from two threads released together."""
        try:
            for node, events in work:
                if node != "both":
                    self.post(node, events, verdicts, lock)
                    continue
                gate = threading.Barrier(2)

                def send(n):
                    gate.wait()
                    self.post(n, events, verdicts, lock)
                twins = [threading.Thread(target=send, args=(n,)) for n in (0, 1)]
                for t in twins:
                    t.start()
                for t in twins:
                    t.join()
        except BaseException as e:  # reported by the main thread
            errors.append(e)

    def stored_events(self):
        """The events the database holds, as their canonical JSON."""
        out = subprocess.run(["psql", "-X", "-At", "-d", self.ws.db, "-c",
                              "SELECT body FROM events ORDER BY id"],
                             check=True, capture_output=True, text=True, timeout=60).stdout
        return [json.loads(line) for line in out.splitlines() if line]

    def test_two_nodes_one_database(self):
        rng = random.Random(self.seed)
        events, sent = make_stream(rng)
        big = bulk(rng, 1_790_000_000)
        events += big
        work = batches(rng, sent, big)
        clients = 2 * CLIENTS_PER_NODE
        shares = [work[i::clients] for i in range(clients)]
        verdicts = {"stored": 0, "duplicate": 0, "conflict": 0, "rejected": 0}
        lock, errors = threading.Lock(), []
        threads = [threading.Thread(target=self.client, args=(share, verdicts, lock, errors))
                   for share in shares]
        for t in threads:
            t.start()
        # Midway: a setting that changes every figure; the next batch on each
        # node rebuilds the aggregates from the events (SQLite would serialise
        # this; here the rebuild takes the account exclusively).
        while sum(verdicts.values()) < len(sent) // 3 and any(t.is_alive() for t in threads):
            threading.Event().wait(0.01)
        self.ws.cli("accounts", "update", "acme", "--inactivity-hours", str(INACTIVITY_LATER))
        for t in threads:
            t.join(timeout=600)
        if errors:
            raise errors[0]

        # Every id stored exactly once; every post of it is accounted for.
        ids = {e["id"] for e in events}
        posted = sum(len(b) * (2 if node == "both" else 1) for node, b in work)
        stored = self.stored_events()
        self.assertEqual(len(stored), len(ids), "seed %d" % self.seed)
        self.assertEqual({e["id"] for e in stored}, ids, "seed %d" % self.seed)
        self.assertEqual(verdicts["stored"], len(ids), "seed %d: %s" % (self.seed, verdicts))
        self.assertEqual(verdicts["rejected"], 0)
        self.assertEqual(sum(verdicts.values()), posted)

        # Reports from either node (at the server's clock, which the document
        # states) equal the reference over the stored events; so does the CLI
        # at an instant when some conversations are not quiet yet.
        members = reference.member_names(stored)
        for i, node in enumerate(self.nodes):
            r = node.request("GET", "/v1/reports", token=self.viewer)
            self.assertEqual(r.status, 200, r)
            got = r.json()
            want = reference.document("acme", ZONE, INACTIVITY_LATER, [dict(e) for e in stored],
                                      reference.parse_at(got["now"]), members=members)
            self.assertEqual(got, want, "seed %d node %d" % (self.seed, i))
        now_us = (1_790_000_000 + 9 * 24 * HOUR) * 1_000_000
        want = reference.document("acme", ZONE, INACTIVITY_LATER, [dict(e) for e in stored],
                                  now_us, members=members)
        got = json.loads(self.ws.cli("report", "--account", "acme", "--now", want["now"]).stdout)
        self.assertEqual(got, want, "seed %d" % self.seed)

if __name__ == "__main__":
    if apserver.BACKEND != "postgres":
        print("several nodes need the PostgreSQL backend (the -pg run)", file=sys.stderr)
        sys.exit(apserver.EXIT_SKIPPED)
    unittest.main()
