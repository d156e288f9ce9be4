"""Disk full (issue 8): the database lives on a small tmpfs that the test
fills. Writes then answer 503 with a message that says what is wrong, reads
keep working, nothing of a refused batch is stored, and the same server stores
again by itself once space returns. Needs root (mount); skipped otherwise."""
import errno
import os
import sqlite3
import subprocess
import unittest

from apserver import Server, Workspace, event


def can_mount():
    return os.geteuid() == 0 and os.path.exists("/bin/mount")


def question_batch(prefix, n, size=400):
    return [event("%s-%d" % (prefix, i), "question.asked", "%s-c%d" % (prefix, i // 5),
                  text=("%s question %d " % (prefix, i)) + "x" * size, answered=False)
            for i in range(n)]


def stored_ids(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
    try:
        return {r[0] for r in con.execute("SELECT id FROM events")}
    finally:
        con.close()


@unittest.skipUnless(can_mount(), "needs root to mount a small tmpfs")
class DiskFull(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace("ap-diskfull-")
        self.mnt = os.path.join(self.ws.dir, "mnt")
        os.mkdir(self.mnt)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", self.mnt],
                           capture_output=True, text=True)
        if r.returncode != 0:
            self.ws.cleanup()
            self.skipTest("cannot mount a tmpfs here: " + r.stderr.strip())
        self.ws.db = os.path.join(self.mnt, "agentperf.db")
        self.filler = os.path.join(self.mnt, "filler")

    def tearDown(self):
        subprocess.run(["umount", "-l", self.mnt], capture_output=True)
        self.ws.cleanup()

    def fill_disk(self):
        try:
            with open(self.filler, "wb") as f:
                chunk = b"\0" * 65536
                while True:
                    f.write(chunk)
                    f.flush()
        except OSError as e:
            self.assertEqual(e.errno, errno.ENOSPC)
        self.assertTrue(os.path.exists(self.filler), "the database alone filled the tmpfs")

    def test_full_disk_answers_503_then_recovers(self):
        self.ws.create_account("acme")
        token = self.ws.create_token("acme", "admin")
        with Server(self.ws.db, "--rate-limit", "0",
                    log_path=os.path.join(self.ws.dir, "serve.log")) as s:
            first = question_batch("a", 50)
            r = s.post_events(first, token)
            self.assertEqual((r.status, r.json()["stored"]), (200, 50), r)
            before = stored_ids(self.ws.db)

            self.fill_disk()
            big = question_batch("b", 3000)
            r = s.post_events(big, token)
            self.assertEqual(r.status, 503, r)
            err = r.json()["error"]
            self.assertEqual(err["code"], "unavailable")
            self.assertRegex(err["message"].lower(), r"full|space")
            # Nothing of the refused batch is stored, and what was is intact.
            self.assertEqual(stored_ids(self.ws.db), before)
            # Reads keep working.
            self.assertEqual(s.request("GET", "/healthz").status, 200)
            self.assertEqual(s.request("GET", "/v1/reports", token=token).status, 200)
            # A single event too.
            r = s.request("POST", "/v1/events", '{"id":"one","type":"conversation.closed",'
                          '"at":"2026-11-02T10:00:00Z","conversation_id":"c"}' + "x" * 0,
                          token=token, content_type="application/json")
            self.assertIn(r.status, (200, 503), r)

            os.remove(self.filler)
            # Same process, no restart: space is back, the batch goes in whole.
            r = s.post_events(big, token)
            self.assertEqual(r.status, 200, r)
            doc = r.json()
            self.assertEqual(doc["stored"] + doc["duplicate"], 3000, doc)
            self.assertEqual(doc["rejected"], 0, doc)
            self.assertEqual(stored_ids(self.ws.db) - before,
                             {e["id"] for e in big} | ({"one"} & stored_ids(self.ws.db)))
            self.assertEqual(s.request("GET", "/v1/gaps", token=token).status, 200)
        self.assertEqual(s.proc.returncode, 0, s.log()[-2000:])
        check = subprocess.run(["sqlite3", self.ws.db, "PRAGMA integrity_check"],
                               capture_output=True, text=True)
        if check.returncode == 0:
            self.assertEqual(check.stdout.strip(), "ok")


if __name__ == "__main__":
    unittest.main()
