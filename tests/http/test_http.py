"""POST /v1/events and the HTTP layer against a real server on a free port
(SPEC §2, §7; docs/api.md): authentication and roles, content types, body and
line limits, routing, per-line verdicts of NDJSON batches, idempotent retries,
conflicts, single-object requests, account isolation, security headers, the
request log, and the graceful stop on SIGTERM with a request in flight."""
import collections
import http.client
import json
import random
import re
import signal
import socket
import threading
import time
import unittest

from apserver import Server, Workspace, event, ndjson

JSON = "application/json"
NDJSON = "application/x-ndjson"
ORIGIN = "https://evil.example"

ws = None
server = None
tokens = {}


def setUpModule():
    global ws, server
    ws = Workspace("ap-http-")
    try:
        ws.create_account("acme")
        ws.create_account("other")
        for role in ("ingest", "viewer", "admin"):
            tokens[role] = ws.create_token("acme", role, label=role)
        tokens["other_ingest"] = ws.create_token("other", "ingest")
        server = Server(ws.db).start()
    except BaseException:
        ws.cleanup()  # tearDownModule does not run when this fails
        raise


def tearDownModule():
    try:
        if server is not None:
            rc = server.stop()
            if rc != 0:
                raise AssertionError("server exited %s after SIGTERM\n%s" % (rc, server.log()))
            # The shared server saw every case above, concurrent clients
            # included: its log is still whole lines, and holds no token.
            log = server.log()
            for line in log.splitlines():
                if not re.match(r"^ts=\S+ level=\w+ msg=\w+", line):
                    raise AssertionError("malformed log line: %r" % line)
            if " msg=request " not in log:
                raise AssertionError("no request in the log")
            for secret in tokens.values():
                if secret in log or secret[3:] in log:
                    raise AssertionError("a token is in the server log")
    finally:
        if ws is not None:
            ws.cleanup()


def single(id, **fields):
    return json.dumps(event(id, **fields))


def counts(doc):
    return {k: doc[k] for k in ("stored", "duplicate", "conflict", "rejected")}


def assert_common_headers(test, r, what):
    """Headers every response carries (docs/api.md), whatever its status."""
    test.assertEqual(r.headers.get("X-Content-Type-Options"), "nosniff", what)
    test.assertEqual(r.headers.get("X-Frame-Options"), "DENY", what)
    test.assertEqual(r.headers.get("Cache-Control"), "no-store", what)
    test.assertIsNotNone(r.headers.get("Content-Security-Policy"), what)
    test.assertIsNone(r.headers.get("Access-Control-Allow-Origin"), what)
    test.assertIsNone(r.headers.get("Access-Control-Allow-Credentials"), what)


def assert_error(test, r, status, code, field, what=""):
    test.assertEqual(r.status, status, "%s: %r" % (what, r))
    test.assertTrue(r.headers.get("Content-Type", "").startswith(JSON), what)
    doc = r.json()
    test.assertEqual(set(doc), {"error"}, what)
    test.assertEqual(set(doc["error"]), {"code", "message", "field"}, what)
    test.assertEqual(doc["error"]["code"], code, what)
    test.assertEqual(doc["error"]["field"], field, what)
    test.assertTrue(doc["error"]["message"], what)


# The API as data: (name, request, expected). A request names a token role
# (or gives a raw Authorization header), a content type and a body; "{id}" in a
# body becomes an id unique to the case. Expected is a status plus either an
# error (code, field), the counts of a 200 from /v1/events, or an Allow header.
ONE = single("{id}")
E401 = dict(status=401, error=("unauthorized", "Authorization"))
E403 = dict(status=403, error=("forbidden", "Authorization"))
E404 = dict(status=404, error=("not_found", "path"))
E415 = dict(status=415, error=("unsupported_media_type", "Content-Type"))
STORED = dict(status=200, counts=(1, 0, 0, 0))
CASES = [
    # Authentication (401) and roles (403).
    ("no token", dict(auth=None, ct=JSON, body=ONE), E401),
    ("basic scheme", dict(auth="Basic YWRtaW46YWRtaW4=", ct=JSON, body=ONE), E401),
    ("bearer, no token", dict(auth="Bearer ", ct=JSON, body=ONE), E401),
    ("bearer only", dict(auth="Bearer", ct=JSON, body=ONE), E401),
    ("unknown token", dict(auth="Bearer ap_" + "A" * 43, ct=JSON, body=ONE), E401),
    ("token with a suffix", dict(auth="Bearer {ingest}x", ct=JSON, body=ONE), E401),
    ("token with a space", dict(auth="Bearer  {ingest}", ct=JSON, body=ONE), E401),
    ("overlong token", dict(auth="Bearer " + "x" * 4000, ct=JSON, body=ONE), E401),
    ("viewer may not ingest", dict(token="viewer", ct=JSON, body=ONE), E403),
    ("auth before content type", dict(auth=None, ct="text/plain", body=ONE), E401),
    ("ingest token", dict(token="ingest", ct=JSON, body=ONE), STORED),
    ("admin token", dict(token="admin", ct=JSON, body=ONE), STORED),
    ("scheme is case-insensitive", dict(auth="bearer {ingest}", ct=JSON, body=ONE), STORED),
    # Content types (415) and their parameters.
    ("text/plain", dict(token="ingest", ct="text/plain", body=ONE), E415),
    ("no content type", dict(token="ingest", ct=None, body=ONE), E415),
    ("form", dict(token="ingest", ct="application/x-www-form-urlencoded", body=ONE), E415),
    ("json prefix only", dict(token="ingest", ct="application/jsonl", body=ONE), E415),
    ("json with charset", dict(token="ingest", ct="application/json; charset=utf-8", body=ONE), STORED),
    ("ndjson with charset", dict(token="ingest", ct="application/x-ndjson; charset=utf-8", body=ONE + "\n"), STORED),
    ("media type is case-insensitive", dict(token="ingest", ct="Application/JSON", body=ONE), STORED),
    # Bodies.
    ("empty ndjson body", dict(token="ingest", ct=NDJSON, body=""), dict(status=400, error=("invalid", "body"))),
    ("empty json body", dict(token="ingest", ct=JSON, body=""), dict(status=400, error=("invalid", "body"))),
    ("ndjson of blank lines", dict(token="ingest", ct=NDJSON, body="\n\r\n  \n"), dict(status=200, counts=(0, 0, 0, 0))),
    ("single invalid event", dict(token="ingest", ct=JSON, body=single("{id}", at="soon")), dict(status=400, error=("invalid", "at"))),
    ("single missing type", dict(token="ingest", ct=JSON, body='{"id":"{id}","at":"2026-11-02T10:15:00Z","conversation_id":"c1"}'), dict(status=400, error=("invalid", "type"))),
    ("json array", dict(token="ingest", ct=JSON, body="[" + ONE + "]"), dict(status=400, error=("invalid", None))),
    ("two objects as json", dict(token="ingest", ct=JSON, body=ONE + "\n" + single("{id}-2")), dict(status=400, error=("invalid", None))),
    ("not json", dict(token="ingest", ct=JSON, body="hello"), dict(status=400, error=("invalid", None))),
    # Routing from the table: 404, 405 with Allow.
    ("health", dict(method="GET", path="/healthz"), dict(status=200, body={"status": "ok", "db": "ok"})),
    ("unknown path", dict(method="GET", path="/v1/nothing", token="admin"), E404),
    ("trailing slash", dict(path="/v1/events/", token="ingest", ct=JSON, body=ONE), E404),
    ("root of the API", dict(method="GET", path="/v1"), E404),
    ("GET events", dict(method="GET", path="/v1/events", token="ingest"), dict(status=405, allow="POST", error=("method_not_allowed", "method"))),
    ("PUT events", dict(method="PUT", path="/v1/events", token="ingest", ct=JSON, body=ONE), dict(status=405, allow="POST")),
    ("DELETE events", dict(method="DELETE", path="/v1/events", token="admin"), dict(status=405, allow="POST")),
    ("CORS preflight", dict(method="OPTIONS", path="/v1/events",
                            headers={"Access-Control-Request-Method": "POST"}), dict(status=405, allow="POST")),
    ("POST health", dict(method="POST", path="/healthz", ct=JSON, body="{}"), dict(status=405, allow="GET")),
]


class ApiTable(unittest.TestCase):
    def run_case(self, n, name, req, expect):
        uid = "table-%d" % n
        headers = {"Origin": ORIGIN}
        headers.update(req.get("headers", {}))
        if "auth" in req:
            if req["auth"] is not None:
                headers["Authorization"] = req["auth"].replace("{ingest}", tokens["ingest"])
        elif "token" in req:
            headers["Authorization"] = "Bearer " + tokens[req["token"]]
        body = req.get("body")
        if body is not None:
            body = body.replace("{id}", uid)
        r = server.request(req.get("method", "POST"), req.get("path", "/v1/events"), body,
                           content_type=req.get("ct"), headers=headers)
        what = "%s -> %r" % (name, r)
        self.assertEqual(r.status, expect["status"], what)
        assert_common_headers(self, r, what)
        if "error" in expect:
            assert_error(self, r, expect["status"], *expect["error"], what=what)
        if "counts" in expect:
            doc = r.json()
            self.assertEqual(tuple(counts(doc).values()), expect["counts"], what)
            self.assertEqual(doc["problems"], [], what)
        if "allow" in expect:
            self.assertEqual(r.headers.get("Allow"), expect["allow"], what)
            self.assertEqual(r.json()["error"]["field"], "method", what)
        if "body" in expect:
            self.assertEqual(r.json(), expect["body"], what)

    def test_cases(self):
        for n, (name, req, expect) in enumerate(CASES):
            with self.subTest(name):
                self.run_case(n, name, req, expect)

    def test_answers_arrive_whole_and_as_json(self):
        r = server.request("GET", "/healthz")
        self.assertEqual(r.headers.get("Content-Type"), JSON)
        self.assertEqual(int(r.headers.get("Content-Length")), len(r.body))


class Auth(unittest.TestCase):
    def test_revoked_token_is_refused_at_once(self):
        secret = ws.create_token("acme", "ingest", label="short-lived")
        r = server.request("POST", "/v1/events", single("revoke-1"), token=secret, content_type=JSON)
        self.assertEqual(r.status, 200, r)
        ws.cli("tokens", "revoke", "--account", "acme", ws.token_id("acme", "short-lived"))
        # Same running server, no restart: the very next request is refused.
        r = server.request("POST", "/v1/events", single("revoke-2"), token=secret, content_type=JSON)
        assert_error(self, r, 401, "unauthorized", "Authorization")
        # Other tokens of the account are untouched.
        r = server.request("POST", "/v1/events", single("revoke-2"), token=tokens["ingest"],
                           content_type=JSON)
        self.assertEqual(r.status, 200, r)

    def test_viewer_of_another_account_may_not_ingest(self):
        # Roles hold whatever the account: a viewer token never ingests.
        viewer_other = ws.create_token("other", "viewer")
        r = server.request("POST", "/v1/events", single("x"), token=viewer_other, content_type=JSON)
        assert_error(self, r, 403, "forbidden", "Authorization")


# A batch of good and bad lines. Bad lines carry the field their problem must
# name (None: the line is not a JSON object, or not even JSON).
GOOD, BAD = "good", "bad"
MIXED = [
    (GOOD, event("m-1", type="conversation.started", conversation_id="m1", channel="chat")),
    (BAD, "at", event("m-bad-at", at="yesterday")),
    (GOOD, event("m-2", type="question.asked", conversation_id="m1", text="Where is my parcel?", answered=False)),
    (BAD, "id", {"type": "conversation.closed", "at": "2026-11-02T10:15:00Z", "conversation_id": "m1"}),
    (BAD, "type", event("m-bad-type", type="conversation.exploded")),
    (BAD, None, "{not json"),
    (GOOD, ""),  # blank lines are skipped but still counted
    (BAD, "channel", event("m-bad-channel", type="conversation.started", conversation_id="m2")),
    (BAD, "answered", event("m-bad-answered", type="question.asked", text="hi", answered="yes")),
    (GOOD, event("m-3", type="conversation.handed_off", conversation_id="m1", reason="missing_knowledge", ticket_id="T1")),
    (BAD, "text", event("m-bad-text", type="question.asked", text="x" * 4097, answered=True)),
    (BAD, "rating", event("m-bad-rating", type="feedback.submitted", rating="meh")),
    (BAD, "member_id", event("m-bad-member", type="conversation.resolved", by="human")),
    (BAD, "conversation_id", {"id": "m-bad-conv", "type": "conversation.closed", "at": "2026-11-02T10:15:00Z"}),
    (BAD, "id", event("x" * 129)),
    (BAD, None, b'{"id":"m-bad-utf8","type":"question.asked","at":"2026-11-02T10:15:00Z",'
                b'"conversation_id":"m1","text":"caf\xe9","answered":true}'),
    (BAD, None, "[1, 2, 3]"),
    (GOOD, event("m-4", type="feedback.submitted", conversation_id="m1", rating="helpful", comment="ok", unknown_field=1)),
    (GOOD, event("m-5", at="2026-11-02T10:15:00.250+01:00", conversation_id="m1")),
]


def mixed_lines():
    return [row[-1] for row in MIXED]


def good_lines():
    return [row[-1] for row in MIXED if row[0] == GOOD and row[-1] != ""]


def bad_rows():
    """(line number, field, id or None) of each bad line."""
    out = []
    for n, row in enumerate(MIXED, 1):
        if row[0] == BAD:
            line = row[2]
            out.append((n, row[1], line.get("id") if isinstance(line, dict) else None))
    return out


class Batches(unittest.TestCase):
    def post(self, events, role="ingest"):
        return server.post_events(events, tokens[role])

    def test_mixed_batch_then_retry(self):
        r = self.post(mixed_lines())
        self.assertEqual(r.status, 200, r)
        doc = r.json()
        n_good, bad = len(good_lines()), bad_rows()
        self.assertEqual(counts(doc), {"stored": n_good, "duplicate": 0, "conflict": 0,
                                       "rejected": len(bad)})
        # Every bad line is named, in line order, with its field and id.
        self.assertEqual([(p["line"], p["field"], p["id"]) for p in doc["problems"]], bad)
        for p in doc["problems"]:
            self.assertEqual(p["status"], "rejected")
            self.assertTrue(p["message"])
            if p["field"]:
                self.assertIn('"%s"' % p["field"], p["message"])
        # The good lines are all stored: the CLI sees them as duplicates ...
        cli = ws.cli("ingest", "--account", "acme", input=ndjson(good_lines()).decode())
        self.assertEqual(cli.stdout.strip(), "stored 0, duplicate %d, conflict 0, rejected 0" % n_good)
        # ... and a client's retry of the whole batch stores nothing twice.
        r = self.post(mixed_lines())
        self.assertEqual(counts(r.json()), {"stored": 0, "duplicate": n_good, "conflict": 0,
                                            "rejected": len(bad)})
        self.assertEqual([(p["line"], p["field"], p["id"]) for p in r.json()["problems"]], bad)

    def test_conflict_is_reported_and_the_stored_event_kept(self):
        original = event("cf-1", conversation_id="cf")
        self.assertEqual(counts(self.post([original]).json())["stored"], 1)
        changed = event("cf-1", conversation_id="cf", at="2026-11-02T11:00:00Z")
        r = self.post([event("cf-2", conversation_id="cf"), changed, event("cf-3", conversation_id="cf")])
        doc = r.json()
        self.assertEqual(counts(doc), {"stored": 2, "duplicate": 0, "conflict": 1, "rejected": 0})
        self.assertEqual(doc["problems"], [{
            "line": 2, "id": "cf-1", "status": "conflict", "field": "id",
            "message": doc["problems"][0]["message"]}])
        # The first version is the one kept: re-sending it is a duplicate.
        self.assertEqual(counts(self.post([original]).json())["duplicate"], 1)
        self.assertEqual(counts(self.post([changed]).json())["conflict"], 1)

    def test_same_content_in_another_notation_is_a_duplicate(self):
        a = {"id": "eq-1", "type": "question.asked", "at": "2026-11-02T10:15:00Z",
             "conversation_id": "eq", "text": "Opening hours?", "answered": True}
        self.assertEqual(counts(self.post([a]).json())["stored"], 1)
        b = ('{ "answered" : true, "text": "Opening hours?", "conversation_id":"eq",'
             ' "at": "2026-11-02T11:15:00+01:00", "type": "question.asked", "id": "eq-1",'
             ' "new_field_from_the_future": [1, 2]}')
        self.assertEqual(counts(self.post([b]).json()),
                         {"stored": 0, "duplicate": 1, "conflict": 0, "rejected": 0})

    def test_repeated_id_inside_one_batch(self):
        e = event("rep-1", conversation_id="rep")
        r = self.post([e, e, event("rep-1", conversation_id="rep", at="2026-11-03T00:00:00Z")])
        doc = r.json()
        self.assertEqual(counts(doc), {"stored": 1, "duplicate": 1, "conflict": 1, "rejected": 0})
        self.assertEqual([(p["line"], p["status"]) for p in doc["problems"]], [(3, "conflict")])

    def test_crlf_lines_and_no_final_newline(self):
        body = (json.dumps(event("crlf-1")) + "\r\n" + json.dumps(event("crlf-2"))).encode()
        r = server.request("POST", "/v1/events", body, token=tokens["ingest"], content_type=NDJSON)
        self.assertEqual(counts(r.json()), {"stored": 2, "duplicate": 0, "conflict": 0, "rejected": 0})

    def test_concurrent_clients_sending_the_same_events(self):
        # Eight clients send the same six batches, each in its own order: every
        # event is stored by exactly one of them, the others see duplicates.
        batches = [[event("cc-%d-%d" % (b, i), type="question.asked", conversation_id="cc-%d" % i,
                          text="q %d" % b, answered=bool(i % 2)) for i in range(40)] for b in range(6)]
        results, errors = [], []

        def client(seed):
            order = list(range(len(batches)))
            random.Random(seed).shuffle(order)
            try:
                for b in order:
                    r = server.post_events(batches[b], tokens["ingest"])
                    results.append((r.status, counts(r.json()) if r.status == 200 else r.body))
            except Exception as e:  # reported below, with the thread's context
                errors.append(repr(e))

        threads = [threading.Thread(target=client, args=(seed,)) for seed in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        self.assertFalse(any(t.is_alive() for t in threads), "clients hung")
        self.assertEqual(errors, [])
        self.assertEqual([s for s, _ in results], [200] * 48, results)
        total = collections.Counter()
        for _, c in results:
            total.update(c)
        self.assertEqual(dict(total), {"stored": 240, "duplicate": 7 * 240, "conflict": 0, "rejected": 0})

    def test_keep_alive_connection_serves_several_requests(self):
        conn = server.connection()
        try:
            for i in range(3):
                conn.request("POST", "/v1/events", body=ndjson([event("ka-%d" % i)]),
                             headers={"Authorization": "Bearer " + tokens["ingest"],
                                      "Content-Type": NDJSON})
                r = conn.getresponse()
                self.assertEqual((r.status, counts(json.loads(r.read()))["stored"]), (200, 1))
        finally:
            conn.close()

    def test_batch_larger_than_one_transaction(self):
        # 5,000 events a transaction: 12,000 lines span three, and a bad line
        # near the end is still reported with its own number.
        events = [event("big-%d" % i, conversation_id="big-%d" % (i % 50)) for i in range(12000)]
        events[11000] = event("big-bad", at="never")
        r = self.post(events)
        doc = r.json()
        self.assertEqual(counts(doc), {"stored": 11999, "duplicate": 0, "conflict": 0, "rejected": 1})
        self.assertEqual([(p["line"], p["id"]) for p in doc["problems"]], [(11001, "big-bad")])
        self.assertEqual(counts(self.post(events).json())["duplicate"], 11999)


class SingleObject(unittest.TestCase):
    def send(self, body, token="ingest"):
        return server.request("POST", "/v1/events", body, token=tokens[token], content_type=JSON)

    def test_stored_duplicate_conflict_invalid(self):
        e = event("one-1", type="conversation.started", conversation_id="one", channel="email")
        r = self.send(json.dumps(e))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"stored": 1, "duplicate": 0, "conflict": 0, "rejected": 0, "problems": []})
        r = self.send(json.dumps(e))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(counts(r.json()), {"stored": 0, "duplicate": 1, "conflict": 0, "rejected": 0})
        r = self.send(json.dumps(dict(e, channel="chat")))
        assert_error(self, r, 409, "conflict", "id")
        r = self.send(json.dumps(dict(e, id="one-2", channel="Not A Channel")))
        assert_error(self, r, 400, "invalid", "channel")
        # Nothing of the invalid one was stored: fixed, it is new.
        r = self.send(json.dumps(dict(e, id="one-2")))
        self.assertEqual(counts(r.json())["stored"], 1, r)


class Accounts(unittest.TestCase):
    def test_same_event_id_in_two_accounts_is_independent(self):
        a = event("shared-1", conversation_id="acme-conv")
        b = event("shared-1", conversation_id="other-conv", at="2026-11-05T00:00:00Z")
        self.assertEqual(counts(server.post_events([a], tokens["ingest"]).json())["stored"], 1)
        self.assertEqual(counts(server.post_events([b], tokens["other_ingest"]).json())["stored"], 1)
        # Each account kept its own version.
        self.assertEqual(counts(server.post_events([a], tokens["ingest"]).json())["duplicate"], 1)
        self.assertEqual(counts(server.post_events([b], tokens["other_ingest"]).json())["duplicate"], 1)
        self.assertEqual(counts(server.post_events([b], tokens["ingest"]).json())["conflict"], 1)
        self.assertEqual(counts(server.post_events([a], tokens["other_ingest"]).json())["conflict"], 1)
        other = ws.cli("ingest", "--account", "other", input=ndjson([b]).decode())
        self.assertEqual(other.stdout.strip(), "stored 0, duplicate 1, conflict 0, rejected 0")


class Limits(unittest.TestCase):
    """A server of its own with small limits."""
    MAX_BODY, MAX_LINE = 4096, 300

    @classmethod
    def setUpClass(cls):
        cls.server = Server(ws.db, "--max-body", str(cls.MAX_BODY), "--max-line", str(cls.MAX_LINE)).start()

    @classmethod
    def tearDownClass(cls):
        assert cls.server.stop() == 0, cls.server.log()

    def post(self, body, ct=NDJSON, headers=None):
        return self.server.request("POST", "/v1/events", body, token=tokens["ingest"],
                                   content_type=ct, headers=headers)

    @staticmethod
    def padded(id, size):
        """An event line of exactly `size` bytes."""
        base = json.dumps(event(id, pad=""))
        line = json.dumps(event(id, pad="p" * (size - len(base))))
        assert len(line) == size
        return line

    def test_body_over_the_limit_is_413(self):
        body = ndjson([self.padded("lim-big-%d" % i, 250) for i in range(20)])
        self.assertGreater(len(body), self.MAX_BODY)
        assert_error(self, self.post(body), 413, "too_large", "body")
        # Nothing of it was stored.
        r = self.post(ndjson([self.padded("lim-big-0", 250)]))
        self.assertEqual(counts(r.json())["stored"], 1, r)

    def test_declared_length_over_the_limit_is_refused_before_the_body(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=10) as s:
            s.sendall(("POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                       "Content-Type: %s\r\nContent-Length: 1000000000\r\n\r\n"
                       % (tokens["ingest"], NDJSON)).encode())
            r = http.client.HTTPResponse(s)
            r.begin()
            self.assertEqual(r.status, 413)
            self.assertEqual(json.loads(r.read())["error"]["code"], "too_large")

    def test_chunked_body_over_the_limit_is_413(self):
        chunks = [ndjson([self.padded("lim-ch-%d" % i, 250)]) for i in range(20)]
        conn = self.server.connection()
        try:
            conn.request("POST", "/v1/events", body=iter(chunks), encode_chunked=True,
                         headers={"Authorization": "Bearer " + tokens["ingest"],
                                  "Content-Type": NDJSON, "Transfer-Encoding": "chunked"})
            r = conn.getresponse()
            self.assertEqual(r.status, 413)
            self.assertEqual(json.loads(r.read())["error"]["code"], "too_large")
        finally:
            conn.close()

    def test_body_of_exactly_the_limit_is_accepted(self):
        lines = [self.padded("lim-exact-%d" % i, 255) for i in range(16)]  # 16 * 256 = 4096
        body = ndjson(lines)
        self.assertEqual(len(body), self.MAX_BODY)
        r = self.post(body)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(counts(r.json())["stored"], 16)

    def test_long_line_is_rejected_with_its_number_and_the_rest_stored(self):
        lines = [self.padded("lim-l1", 200), self.padded("lim-l2", self.MAX_LINE),
                 self.padded("lim-l3", self.MAX_LINE + 1), self.padded("lim-l4", 150),
                 "x" * 2000, self.padded("lim-l6", 120)]
        r = self.post(ndjson(lines))
        self.assertEqual(r.status, 200, r)
        doc = r.json()
        self.assertEqual(counts(doc), {"stored": 4, "duplicate": 0, "conflict": 0, "rejected": 2})
        self.assertEqual([(p["line"], p["status"]) for p in doc["problems"]],
                         [(3, "rejected"), (5, "rejected")])
        self.assertIn(str(self.MAX_LINE), doc["problems"][0]["message"])
        kept = [lines[i] for i in (0, 1, 3, 5)]
        self.assertEqual(counts(self.post(ndjson(kept)).json())["duplicate"], 4)


REQUEST_LINE = re.compile(r'^ts=\S+ level=info msg=request method=(?P<method>[A-Z]+) '
                          r'path="(?P<path>[^"]*)" status=(?P<status>\d{3}) '
                          r'duration_ms=(?P<ms>\d+(\.\d+)?)( account=\S+)?( aborted=1)?$')


class RequestLog(unittest.TestCase):
    def test_one_line_per_request_without_tokens(self):
        s = Server(ws.db).start()
        try:
            bogus = "ap_" + "Z" * 43
            revoked = ws.create_token("acme", "ingest", label="log-revoked")
            ws.cli("tokens", "revoke", "--account", "acme", ws.token_id("acme", "log-revoked"))
            sent = [
                ("GET", "/healthz", None, None, 200),
                ("POST", "/v1/events", tokens["ingest"], single("log-1"), 200),
                ("POST", "/v1/events", tokens["admin"], single("log-1"), 200),
                ("POST", "/v1/events", tokens["viewer"], single("log-2"), 403),
                ("POST", "/v1/events", None, single("log-2"), 401),
                ("POST", "/v1/events", bogus, single("log-2"), 401),
                ("POST", "/v1/events", revoked, single("log-2"), 401),
                ("POST", "/v1/events?access_token=" + tokens["admin"], tokens["admin"], single("log-3"), 200),
                ("GET", "/v1/missing", tokens["ingest"], None, 404),
                ("GET", "/v1/events", tokens["ingest"], None, 405),
            ]
            for method, path, token, body, status in sent:
                r = s.request(method, path, body, token=token, content_type=JSON if body else None)
                self.assertEqual(r.status, status, (method, path, r))
        finally:
            self.assertEqual(s.stop(), 0)
        log = s.log()
        for secret in [bogus, revoked, *tokens.values()]:
            self.assertNotIn(secret, log)
            self.assertNotIn(secret[3:20], log)
        lines = log.splitlines()
        for line in lines:
            self.assertRegex(line, r"^ts=\d{4}-\d\d-\d\dT\S+Z level=(debug|info|warn|error) msg=")
        got = collections.Counter()
        for line in lines:
            if " msg=request " in line:
                m = REQUEST_LINE.match(line)
                self.assertIsNotNone(m, line)
                got[(m["method"], m["path"], int(m["status"]))] += 1
        want = collections.Counter((m, p.split("?")[0], st) for m, p, _, _, st in sent)
        # start() polled /healthz at least once before our requests.
        self.assertGreaterEqual(got.pop(("GET", "/healthz", 200), 0), want.pop(("GET", "/healthz", 200)) + 1)
        self.assertEqual(got, want)

    def test_path_cannot_break_or_forge_log_lines(self):
        s = Server(ws.db).start()
        try:
            forged = "/x%0Ats=2026-01-01T00:00:00Z%20level=info%20msg=request%20method=GET%20status=200%22"
            self.assertEqual(s.request("GET", forged).status, 404)
        finally:
            self.assertEqual(s.stop(), 0)
        lines = s.log().splitlines()
        for line in lines:
            self.assertRegex(line, r"^ts=\S+ level=\w+ msg=\w+")
        request_lines = [l for l in lines if " msg=request " in l]
        self.assertEqual(sum(1 for l in request_lines if "status=404" in l), 1)
        self.assertFalse(any(l.startswith("ts=2026-01-01") for l in lines))


class GracefulStop(unittest.TestCase):
    def test_sigterm_lets_a_slow_large_request_finish(self):
        s = Server(ws.db).start()
        try:
            events = [event("slow-%d" % i, type="question.asked", conversation_id="slow-%d" % (i % 100),
                            text="question number %d" % i, answered=i % 3 == 0) for i in range(12000)]
            body = ndjson(events)
            head = ("POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                    "Content-Type: %s\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n"
                    % (tokens["ingest"], NDJSON, len(body))).encode()
            with socket.create_connection(("127.0.0.1", s.port), timeout=30) as sock:
                # "100 Continue" means the server has taken the request on.
                sock.sendall(head)
                interim = b""
                while not interim.endswith(b"\r\n\r\n"):
                    chunk = sock.recv(1)
                    self.assertTrue(chunk, "connection closed before 100 Continue")
                    interim += chunk
                self.assertTrue(interim.startswith(b"HTTP/1.1 100"), interim)
                sock.sendall(body[:len(body) // 3])
                time.sleep(0.2)
                s.proc.send_signal(signal.SIGTERM)
                time.sleep(0.3)
                self.assertIsNone(s.proc.poll(), "the server quit with a request in flight")
                # New connections are no longer accepted while it drains.
                with self.assertRaises(OSError):
                    socket.create_connection(("127.0.0.1", s.port), timeout=2).close()
                rest = body[len(body) // 3:]
                step = len(rest) // 8 + 1
                for i in range(0, len(rest), step):
                    sock.sendall(rest[i:i + step])
                    time.sleep(0.05)
                r = http.client.HTTPResponse(sock)
                r.begin()
                self.assertEqual(r.status, 200)
                doc = json.loads(r.read())
            self.assertEqual(counts(doc), {"stored": 12000, "duplicate": 0, "conflict": 0, "rejected": 0})
            self.assertEqual(s.proc.wait(timeout=40), 0, s.log())
        finally:
            if s.running():
                s.kill()
        self.assertIn("msg=stopped", s.log())
        cli = ws.cli("ingest", "--account", "acme", input=body.decode())
        self.assertEqual(cli.stdout.strip(), "stored 0, duplicate 12000, conflict 0, rejected 0")

    def test_sigint_stops_an_idle_server(self):
        s = Server(ws.db).start()
        s.proc.send_signal(signal.SIGINT)
        try:
            self.assertEqual(s.proc.wait(timeout=10), 0)
        finally:
            if s.running():
                s.kill()


if __name__ == "__main__":
    unittest.main()
