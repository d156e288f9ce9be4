"""Connection handling on PostgreSQL (issue 7): the server starts while its
database cannot be reached and says so on /healthz (503), answers API calls
503, and serves normally once the database is there — no restart. When the
database server ends every session (a restart, a failover, an administrator),
each worker connects again and resends the statement: requests are answered,
never a crash.

"Cannot be reached" here is a database that does not exist yet, so that the
shared test cluster keeps running for the other tests; libpq reports both the
same way (the connection fails)."""
import os
import subprocess
import sys
import time
import unittest

import apserver
from apserver import Server, Workspace, event

TERMINATE = ("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
             "WHERE datname = current_database() AND pid <> pg_backend_pid()")


class Connection(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace("ap-conn-")
        self.name = self.ws.db.rsplit("/", 1)[1]
        apserver.pg_admin('DROP DATABASE "%s"' % self.name)  # "down" until created
        self.server = None

    def tearDown(self):
        if self.server is not None and self.server.running():
            self.assertEqual(self.server.stop(), 0, self.server.log()[-3000:])
        self.ws.cleanup()

    def wait_healthy(self, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = self.server.request("GET", "/healthz")
            if r.status == 200:
                return r
            time.sleep(0.05)
        self.fail("not healthy within %ss: %r" % (timeout, r))

    def test_starts_down_recovers_and_survives_lost_connections(self):
        # The server starts and stays up without its database.
        self.server = Server(self.ws.db, "--threads", "2").start(healthz=503)
        r = self.server.request("GET", "/healthz")
        self.assertEqual(r.status, 503, r)
        self.assertEqual(r.json()["status"], "unavailable")
        self.assertIn(self.name, r.json()["db"])
        self.assertIn("msg=database_unavailable", self.server.log())
        r = self.server.post_events([event("e0")], "ap_not_checked_yet")
        self.assertEqual(r.status, 503, r)
        self.assertEqual(r.json()["error"]["code"], "unavailable")

        # The database appears: the same server serves it.
        apserver.pg_admin('CREATE DATABASE "%s"' % self.name)
        self.ws.create_account("acme")
        token = self.ws.create_token("acme", "ingest")
        self.assertEqual(self.wait_healthy().json(), {"status": "ok", "db": "ok"})
        r = self.server.post_events([event("e1"), event("e2", conversation_id="c2")], token)
        self.assertEqual((r.status, r.json()["stored"]), (200, 2), r)

        # Every session ended by the database server, several times: each
        # request is answered, the connections come back, nothing is lost.
        stored = 2
        for round in range(4):
            apserver.pg_admin(TERMINATE, database=self.name)
            for i in range(4):
                r = self.server.post_events([event("r%d-%d" % (round, i))], token)
                self.assertEqual(r.status, 200, r)  # the dead connection was replaced
                stored += r.json()["stored"]
                self.assertEqual(self.server.request("GET", "/healthz").status, 200)
        self.assertTrue(self.server.running())
        count = subprocess.run(["psql", "-X", "-At", "-d", self.ws.db, "-c",
                                "SELECT count(*) FROM events"],
                               check=True, capture_output=True, text=True).stdout.strip()
        self.assertEqual(int(count), stored)
        self.assertEqual(stored, 2 + 4 * 4)


if __name__ == "__main__":
    if apserver.BACKEND != "postgres":
        print("connection handling is a PostgreSQL test (the -pg run)", file=sys.stderr)
        sys.exit(apserver.EXIT_SKIPPED)
    unittest.main()
