"""The SQLite log (WAL) under a server with several writers: checkpoints run off
the request path, so the log stays bounded while requests keep coming, and a
SIGTERM leaves no log behind."""
import os
import threading
import unittest

from apserver import Server, Workspace, event


def batch(start, n):
    return [event("e%d" % i, "conversation.started", "c%d" % (i % 997),
                  "2026-11-02T10:%02d:%02dZ" % (i // 60 % 60, i % 60), channel="chat")
            for i in range(start, start + n)]


class Wal(unittest.TestCase):
    def test_log_is_checkpointed_and_removed_at_shutdown(self):
        ws = Workspace("ap-wal-")
        try:
            ws.create_account("acme")
            token = ws.create_token("acme", "ingest")
            server = Server(ws.db, "--threads", "4").start()
            errors = []

            def send(k):
                for r in range(10):
                    resp = server.post_events(batch((k * 10 + r) * 500, 500), token)
                    if resp.status != 200 or resp.json()["stored"] != 500:
                        errors.append(resp)

            threads = [threading.Thread(target=send, args=(k,)) for k in range(3)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(errors, [])
            server.stop()
            self.assertEqual(server.proc.returncode, 0)
            wal = ws.db + "-wal"
            left = os.path.getsize(wal) if os.path.exists(wal) else 0
            self.assertEqual(left, 0, "the log was left behind")
            count = ws.cli("report", "--account", "acme", "--format", "json")
            self.assertEqual(count.returncode, 0)
        finally:
            ws.cleanup()


if __name__ == "__main__":
    unittest.main()
