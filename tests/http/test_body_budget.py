"""The global budget for buffered request bodies (issue 21, item 3): 60
connections each holding 16 MiB - 10 bytes of body took the server from 31 MB
to 1,045 MB. Now bodies buffered at once, all requests together, stay within
--body-budget: past it a request answers 503 with Retry-After, and the server's
resident memory stays near budget. Scaled down here (4 MiB bodies, a 16 MiB
budget) to stay quick on the sanitizer build; loopback only."""
import json
import socket
import time
import unittest

from apserver import Server, Workspace, event, ndjson

MAX_BODY = 4 << 20
BUDGET = 16 << 20
HOLDERS = 24
NDJSON = "application/x-ndjson"


def rss_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def padded_body(size):
    """One valid event line padded with spaces (skipped as blank space) to size bytes."""
    line = ndjson([event("budget-%d" % size)])
    return line + b" " * (size - len(line))


def read_answer(sock, timeout=20):
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    status = int(head.split(b" ", 2)[1]) if head else 0
    return status, head, rest[:length]


class BodyBudget(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace("ap-budget-")
        cls.ws.create_account("acme")
        cls.token = cls.ws.create_token("acme", "ingest")

    @classmethod
    def tearDownClass(cls):
        cls.ws.cleanup()

    def head(self, length=None, chunked=False):
        h = ("POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: %s\r\n" % (self.token, NDJSON)).encode()
        if chunked:
            return h + b"Transfer-Encoding: chunked\r\n\r\n"
        return h + b"Content-Length: %d\r\n\r\n" % length

    def hold(self, port, body):
        """A connection that sent its head, and then, unless the server
        answered the head at once, all of body but its last 10 bytes.
        Returns (socket, the early answer or None)."""
        sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        sock.sendall(self.head(len(body)))
        sock.settimeout(1.0)  # a refusal comes at once; a second allows for a busy machine
        try:
            if sock.recv(1, socket.MSG_PEEK):
                return sock, read_answer(sock)
        except socket.timeout:
            pass
        sock.settimeout(20)
        try:
            sock.sendall(body[:-10])
        except OSError:  # refused after all, later than the second
            return sock, read_answer(sock)
        return sock, None

    def test_bodies_past_the_budget_wait_their_turn(self):
        body = padded_body(MAX_BODY - 10)
        with Server(self.ws.db, "--max-body", str(MAX_BODY), "--body-budget", str(BUDGET)) as s:
            time.sleep(0.5)
            baseline = rss_bytes(s.proc.pid)
            held, answers = [], []
            for _ in range(HOLDERS):
                sock, answer = self.hold(s.port, body)
                held.append(sock)
                if answer:
                    answers.append(answer)
            time.sleep(1.0)
            grown = rss_bytes(s.proc.pid) - baseline
            # Four bodies fit in the budget; the others were refused at their head.
            self.assertEqual(len(answers), HOLDERS - 4)
            for status, head, doc in answers:
                self.assertEqual(status, 503, head)
                self.assertIn(b"Retry-After: 1", head)
                err = json.loads(doc)["error"]
                self.assertEqual((err["code"], err["field"]), ("unavailable", "body"))
                self.assertIn("body_budget", err["message"])
            # A chunked body that does not fit is dropped and answered 503 too.
            with socket.create_connection(("127.0.0.1", s.port), timeout=20) as sock:
                chunk = b" " * 65536
                sock.sendall(self.head(chunked=True) + b"%x\r\n%s\r\n0\r\n\r\n" % (len(chunk), chunk))
                status, head, _ = read_answer(sock)
                self.assertEqual(status, 503, head)
            for sock in held[:4]:
                sock.sendall(body[-10:])
                status, head, doc = read_answer(sock)
                self.assertEqual(status, 200, head + doc[:300])
            for sock in held:
                sock.close()
            # The budget is given back: the same body is taken again.
            r = s.request("POST", "/v1/events", body, token=self.token, content_type=NDJSON)
            self.assertEqual(r.status, 200, r)
            print("RSS grew by %.1f MiB holding %d bodies of %d MiB (budget %d MiB)"
                  % (grown / 2**20, HOLDERS, MAX_BODY >> 20, BUDGET >> 20))
            # Without the budget the bodies alone would take HOLDERS * 4 MiB = 96 MiB.
            self.assertLess(grown, BUDGET + (16 << 20))

    def test_budget_must_hold_one_body(self):
        p = self.ws.cli("serve", "--max-body", "2000000", "--body-budget", "1000000", check=False)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("--body-budget", p.stderr)


if __name__ == "__main__":
    unittest.main()
