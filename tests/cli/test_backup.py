"""`agentperf backup` while a server keeps writing, and `agentperf restore`:
the copy is consistent (integrity check, whole transactions only), reports
from it work, and neither command overwrites a file by accident."""
import json
import os
import sqlite3
import threading
import time
import unittest

from apserver import Server, Workspace, event


def batch(k, n=200):
    return [event("e%d-%d" % (k, i), "conversation.started", "c%d-%d" % (k, i),
                  "2026-11-02T10:00:00Z", channel="chat") for i in range(n)]


class Backup(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace("ap-backup-")
        self.ws.create_account("acme")
        self.token = self.ws.create_token("acme", "ingest")

    def tearDown(self):
        self.ws.cleanup()

    def test_online_backup_and_restore(self):
        server = Server(self.ws.db).start()
        acked = []
        stop = threading.Event()

        def writer():
            k = 0
            while not stop.is_set() and k < 200:
                r = server.post_events(batch(k), self.token)
                if r.status == 200:
                    acked.append(r.json()["stored"])
                k += 1

        t = threading.Thread(target=writer)
        t.start()
        while len(acked) < 5 and t.is_alive():
            time.sleep(0.01)
        before = sum(acked)
        out = os.path.join(self.ws.dir, "copy.db")
        self.ws.cli("backup", out)
        after = sum(acked)
        stop.set()
        t.join()
        server.stop()

        with sqlite3.connect(out) as db:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            events = db.execute("SELECT count(*) FROM events").fetchone()[0]
            handled = db.execute("SELECT coalesce(sum(handled), 0) FROM report_cells "
                                 "WHERE kind = 0").fetchone()[0]
        self.assertGreaterEqual(events, before)
        self.assertLessEqual(events, after + 200)
        self.assertEqual(events % 200, 0, "a batch is in the copy whole or not at all")

        # The backup never overwrites; restore asks for --force.
        again = self.ws.cli("backup", out, check=False)
        self.assertEqual(again.returncode, 2)
        self.assertIn("exists", again.stderr)
        refused = self.ws.cli("restore", out, check=False)
        self.assertEqual(refused.returncode, 2)
        self.assertIn("--force", refused.stderr)

        restored = os.path.join(self.ws.dir, "restored.db")
        self.ws.cli("restore", out, "--db", restored, db=False)
        report = json.loads(self.ws.cli("report", "--account", "acme", "--db", restored,
                                        "--now", "2026-11-05T00:00:00Z", "--from", "2026-11-02",
                                        "--to", "2026-11-03", "--granularity", "day",
                                        "handled_over_time", db=False).stdout)
        self.assertEqual(report["reports"]["handled_over_time"][0]["count"], events)
        self.assertGreater(handled, 0)
        with sqlite3.connect(restored) as db:
            self.assertEqual(db.execute("SELECT count(*) FROM events").fetchone()[0], events)

    def test_files_are_private(self):
        # Conversation text and token hashes: owner-only whatever the umask,
        # the log files included (issue 21, item 7); a file the owner made
        # keeps its mode.
        fresh = os.path.join(self.ws.dir, "fresh.db")
        copy = os.path.join(self.ws.dir, "copy.db")
        chosen = os.path.join(self.ws.dir, "chosen.db")
        old_umask = os.umask(0o022)
        try:
            self.ws.cli("accounts", "create", "other", db=False, env={"AGENTPERF_DB": fresh})
            self.ws.cli("backup", copy)
            with open(chosen, "wb"):
                pass
            os.chmod(chosen, 0o640)
            self.ws.cli("migrate", db=False, env={"AGENTPERF_DB": chosen})
            with Server(fresh):  # a server leaves its -wal and -shm while it runs
                for path in (fresh, fresh + "-wal", fresh + "-shm", copy):
                    self.assertEqual(oct(os.stat(path).st_mode & 0o777), oct(0o600), path)
        finally:
            os.umask(old_umask)
        self.assertEqual(oct(os.stat(chosen).st_mode & 0o777), oct(0o640))

    def test_missing_backup_is_a_clear_error(self):
        r = self.ws.cli("restore", os.path.join(self.ws.dir, "nope.db"), "--force", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot read", r.stderr)


if __name__ == "__main__":
    unittest.main()
