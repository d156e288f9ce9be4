"""Request framing and the head (issue 21, items 6 and 7): heads whose body
boundary two parsers could read differently are refused with the API's 400
before routing and the connection is closed, so nothing smuggled after them
runs; a long URL or a big head gets the API's JSON 414/431, not the library's
HTML; a 404/405 with a body is answered and the server lives on. Raw sockets on
loopback, every read bounded by a timeout."""
import json
import socket
import time
import unittest

from apserver import Server, Workspace

TIMEOUT = 10


def exchange(port, raw, settle=0.3):
    """Sends raw bytes and reads until the server closes or TIMEOUT; returns
    (everything read, whether the server closed the connection)."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(raw)
        deadline = time.monotonic() + TIMEOUT
        data = b""
        while time.monotonic() < deadline:
            sock.settimeout(settle if data else TIMEOUT)
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                return data, False
            if not chunk:
                return data, True
            data += chunk
        return data, False


def responses(data):
    """The (status, headers, body) of each response in data (Content-Length framed)."""
    out = []
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(b":")
            headers[k.strip().lower().decode()] = v.strip().decode()
        n = int(headers.get("content-length", "0"))
        out.append((status, headers, rest[:n]))
        data = rest[n:]
    return out


class Framing(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace("ap-framing-")
        cls.ws.create_account("acme")
        cls.token = cls.ws.create_token("acme", "ingest")
        cls.server = Server(cls.ws.db).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.ws.cleanup()

    def post(self, headers, body):
        head = ("POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                "Content-Type: application/x-ndjson\r\n" % self.token).encode()
        return head + headers + b"\r\n" + body

    def assert_refused(self, raw, what):
        # Waits up to 5 s after the answer for the close, however busy the machine.
        data, closed = exchange(self.server.port, raw, settle=5)
        got = responses(data)
        self.assertEqual(len(got), 1, (what, data[:600]))
        status, headers, body = got[0]
        self.assertEqual(status, 400, (what, data[:600]))
        self.assertEqual(headers.get("content-type"), "application/json", what)
        err = json.loads(body)["error"]
        self.assertEqual((err["code"], err["field"]), ("invalid", "framing"), (what, err))
        self.assertTrue(closed, "%s: the connection stayed open" % what)

    def test_ambiguous_framing_is_refused_and_closed(self):
        smuggled = b"GET /v1/me HTTP/1.1\r\nHost: x\r\n\r\n"
        cases = {
            "length and chunked": self.post(
                b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n", b"0\r\n\r\n" + smuggled),
            "two different lengths": self.post(
                b"Content-Length: 2\r\nContent-Length: 40\r\n", b"{}" + smuggled),
            "gzip, chunked": self.post(b"Transfer-Encoding: gzip, chunked\r\n",
                                       b"0\r\n\r\n" + smuggled),
            "identity coding": self.post(b"Transfer-Encoding: identity\r\n", b""),
        }
        for what, raw in cases.items():
            with self.subTest(what):
                self.assert_refused(raw, what)
        self.assertEqual(self.server.request("GET", "/healthz").status, 200)

    def test_what_the_library_decides_itself(self):
        # libmicrohttpd 0.9.75 refuses a Content-Length that is not a number
        # before calling us: its own HTML 400 (sent with its head twice), and
        # the connection closes. docs/security.md lists it.
        for value in (b"2, 2", b"+2", b"-1"):
            data, closed = exchange(self.server.port,
                                    self.post(b"Content-Length: " + value + b"\r\n", b"{}"),
                                    settle=5)
            self.assertTrue(data.startswith(b"HTTP/1.1 400 "), data[:200])
            self.assertTrue(closed, value)
        # It ends a header value at a NUL byte and hands us only what came
        # before, so the bytes after a NUL can change nothing: here the
        # length is read as 2, the "{}" is the whole body, and the request
        # after it on the connection is answered as a request of its own.
        data, _ = exchange(self.server.port,
                           self.post(b"Content-Length: 2\x00999\r\n", b"{}") +
                           b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        got = responses(data)
        self.assertEqual([g[0] for g in got], [200, 200], data[:600])
        self.assertEqual(json.loads(got[0][2])["rejected"], 1)

    def test_sound_chunked_body_is_accepted(self):
        line = b'{"id":"ch1","type":"conversation.closed","at":"2026-11-02T10:00:00Z",' \
               b'"conversation_id":"c"}\n'
        body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(line), line)
        data, _ = exchange(self.server.port, self.post(b"Transfer-Encoding: chunked\r\n", body))
        status, _, doc = responses(data)[0]
        self.assertEqual((status, json.loads(doc)["stored"]), (200, 1), data[:400])

    def test_library_limits_answer_json(self):
        cases = [
            (b"GET /v1/reports?q=" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
            (b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Pad: " + b"b" * 24000 +
             b"\r\n\r\n", 431),
        ]
        for raw, expected in cases:
            with self.subTest(expected):
                data, _ = exchange(self.server.port, raw)
                status, headers, body = responses(data)[0]
                self.assertEqual(status, expected, data[:300])
                self.assertEqual(headers.get("content-type"), "application/json", data[:300])
                self.assertEqual(json.loads(body)["error"]["code"], "too_large")

    def test_not_found_and_not_allowed_with_a_body(self):
        for raw in (b"POST /v1/nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
                    b"PUT /v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    b"5\r\nhello\r\n0\r\n\r\n",
                    b"POST /v1/nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                    b"Expect: 100-continue\r\n\r\n"):
            data, _ = exchange(self.server.port, raw)
            got = responses(data.replace(b"HTTP/1.1 100 Continue\r\n\r\n", b""))
            self.assertIn(got[0][0], (404, 405), data[:300])
        self.assertEqual(self.server.request("GET", "/healthz").status, 200)


if __name__ == "__main__":
    unittest.main()
