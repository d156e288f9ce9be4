"""The access matrix (issue 8, SPEC §7): every route of the route table ×
every caller (each role, no token, a revoked token, malformed headers) × an
object of the caller's own account, of another account, and one that does not
exist. Only the cells the table allows succeed; the rest answer 401/403/404,
and an object of another account is indistinguishable from a missing one
(same status, same body once the id is taken out).

The routes are read from src/http/routes.c, and the test fails when a row has
no entry in CASES below: a new endpoint cannot go untested."""
import json
import os
import re
import unittest

from apserver import Server, Workspace, event

HERE = os.path.dirname(os.path.abspath(__file__))
ROUTES_C = os.path.join(HERE, "..", "..", "src", "http", "routes.c")
ROLES = ("ingest", "viewer", "admin")
MISSING_ID = 987654321
OWN_ANSWER, DELETED_ANSWER, OTHER_ANSWER = 777000222, 777000333, 777000111


def route_table():
    """[(method, pattern, allowed roles as a set)] parsed from routes.c."""
    with open(ROUTES_C, encoding="utf-8") as f:
        src = f.read()
    macros = {}
    for name, body in re.findall(r"#define\s+(\w+)\s+(.*)", src):
        # A role mask names roles, or other masks defined above it.
        roles = {r.lower() for r in re.findall(r"AP_ROLE_(INGEST|VIEWER|ADMIN)", body)}
        for word in re.findall(r"\b[A-Z_]+\b", body):
            roles |= macros.get(word, set())
        macros[name] = roles
    table = src[src.index("ap_http_routes[]"):]
    rows = []
    for method, pattern, roles in re.findall(
            r'\{\s*"([A-Z]+)",\s*"([^"]+)",\s*\w+,\s*(\w+)\s*,', table):
        allowed = set() if roles == "0" else macros[roles]
        rows.append((method, pattern, allowed))
    return rows


# Topics with unrelated needs, so that each becomes a topic of its own.
NEEDS = [
    "how do I reset my password",
    "where is my parcel delivery tracking number",
    "can I pay my invoice with bitcoin cryptocurrency",
    "what are the opening hours of the oslo store on sundays",
    "is there a student discount on the yearly subscription",
    "my washing machine leaks water from the door seal",
]


# Only the other account has these, so that its ids reach past acme's
# whether ids are global or numbered per account.
OTHER_NEEDS = [
    "how long does a refund take to reach my bank account",
    "can I change the delivery address after ordering",
    "does the warranty cover a cracked phone screen",
]


def questions(prefix, needs=NEEDS):
    out = []
    for i, text in enumerate(needs):
        conv = "%s-c%d" % (prefix, i)
        out.append(event("%s-s%d" % (prefix, i), "conversation.started", conv,
                         "2026-11-23T09:00:00Z", channel="chat"))
        out.append(event("%s-q%d" % (prefix, i), "question.asked", conv,
                         "2026-11-23T09:01:00Z", text=text, answered=False))
    return out


class Fixture:
    """Two accounts with the same kind of objects, and every kind of caller."""

    def __init__(self):
        self.ws = Workspace("ap-access-")
        self.ws.create_account("acme")
        self.ws.create_account("other")
        self.tokens = {r: self.ws.create_token("acme", r, label=r) for r in ROLES}
        self.other_admin = self.ws.create_token("other", "admin")
        self.revoked = self.ws.create_token("acme", "admin", label="gone")
        # A small dashboard of its own, so the public file routes answer 200.
        self.web = os.path.join(self.ws.dir, "web")
        os.makedirs(os.path.join(self.web, "assets"))
        with open(os.path.join(self.web, "index.html"), "w") as f:
            f.write("<!doctype html><title>agentperf</title>")
        with open(os.path.join(self.web, "assets", ASSET), "w") as f:
            f.write("console.log('agentperf');")
        self.server = Server(self.ws.db, "--web-root", self.web).start()
        for token, prefix, needs in ((self.tokens["ingest"], "a", NEEDS),
                                     (self.ws.create_token("other", "ingest"), "o",
                                      NEEDS + OTHER_NEEDS)):
            r = self.server.post_events(questions(prefix, needs), token)
            assert r.status == 200 and r.json()["stored"] == 2 * len(needs), r
        self.own = self.topics(self.tokens["admin"])
        # "Other" objects are the other account's ids that acme does not have.
        self.other = [t for t in self.topics(self.other_admin) if t not in self.own]
        assert len(self.own) >= 4 and len(self.other) >= 2, (self.own, self.other)
        self.own_question = self.question_ids(self.own[0], self.tokens["admin"])[0]
        self.own_topic_questions = self.question_ids(self.own[0], self.tokens["admin"])
        r = self.server.request("GET", "/v1/gaps/%d" % self.own[0], token=self.tokens["admin"])
        self.own_conversation = r.json()["questions"][0]["conversation_id"]
        own_questions = {q for t in self.own for q in self.question_ids(t, self.tokens["admin"])}
        self.other_question = next(
            q for t in self.other for q in self.question_ids(t, self.other_admin)
            if q not in own_questions)
        # Short answers with ids that exist in one account only.
        for tok, aid in ((self.tokens["admin"], OWN_ANSWER), (self.tokens["admin"], DELETED_ANSWER),
                         (self.other_admin, OTHER_ANSWER)):
            r = self.server.request("POST", "/v1/answers", json.dumps(
                {"id": str(aid), "question": "how do I reset my password",
                 "answer": "Use the reset page."}), token=tok, content_type="application/json")
            assert r.status == 201, r
        # The revoked token works until revoked, and not one request after.
        assert self.server.request("GET", "/v1/gaps", token=self.revoked).status == 200
        self.ws.cli("tokens", "revoke", self.ws.token_id("acme", "gone"), "--account", "acme")

    def topics(self, token):
        r = self.server.request("GET", "/v1/gaps?limit=100", token=token)
        assert r.status == 200, r
        return [t["id"] for t in r.json()["topics"]]

    def question_ids(self, topic, token):
        r = self.server.request("GET", "/v1/gaps/%d" % topic, token=token)
        assert r.status == 200, r
        return [q["id"] for q in r.json()["questions"]]


def callers(fx):
    """name → headers. Only the three acme roles are valid credentials."""
    out = {r: {"Authorization": "Bearer " + t} for r, t in fx.tokens.items()}
    out.update({
        "no token": {},
        "revoked": {"Authorization": "Bearer " + fx.revoked},
        "basic auth": {"Authorization": "Basic YWRtaW46YWRtaW4="},
        "empty bearer": {"Authorization": "Bearer "},
        "bearer only": {"Authorization": "Bearer"},
        "unknown token": {"Authorization": "Bearer ap_" + "A" * 40},
        "token in lowercase scheme twice": {"Authorization": "bearer bearer " + fx.tokens["admin"]},
        "oversized token": {"Authorization": "Bearer ap_" + "x" * 5000},
    })
    return out


# For each route: how to build a request for an object of the caller's own
# account ("own"), another account's ("other") and a missing one ("missing").
# A builder returns (path, body or None); "scope" False means the route names
# no account object (own only).
def topic_path(suffix, body=None):
    def build(fx, which):
        tid = {"own": fx.own[0], "other": fx.other[0], "missing": MISSING_ID}[which]
        return "/v1/gaps/%d%s" % (tid, suffix), body
    return build


def merge(fx, which):
    # Merge consumes its source; only admin's call gets past the role check,
    # and every other caller is refused before the topic is looked up.
    if which == "own":
        return "/v1/gaps/%d/merge" % fx.own[3], {"into": fx.own[1]}
    tid = fx.other[0] if which == "other" else MISSING_ID
    return "/v1/gaps/%d/merge" % tid, {"into": fx.own[1]}


def merge_into(fx, which):
    # The source is ours, the target another account's (or missing).
    target = fx.other[0] if which == "other" else MISSING_ID
    return "/v1/gaps/%d/merge" % fx.own[1], {"into": target}


def question_path(suffix, body=None):
    def build(fx, which):
        if which == "own":
            qid = fx.own_question
        elif which == "other":
            qid = fx.other_question
        else:
            qid = MISSING_ID
        b = body(fx) if callable(body) else body
        return "/v1/gaps/questions/%d%s" % (qid, suffix), b
    return build


def topic_batch(suffix, body):
    """A call on topic own[0] (or another account's, or a missing one) whose
    body names acme's objects (body(fx))."""
    def build(fx, which):
        tid = {"own": fx.own[0], "other": fx.other[0], "missing": MISSING_ID}[which]
        return "/v1/gaps/%d%s" % (tid, suffix), body(fx)
    return build


def answer_path(own):
    def build(fx, which):
        aid = {"own": own, "other": OTHER_ANSWER, "missing": MISSING_ID}[which]
        return "/v1/answers/%d" % aid, {"answer": "changed"}
    return build


def answer_get(own):
    build = answer_path(own)
    return lambda fx, which: (build(fx, which)[0], None)


def fixed(path, body=None):
    return lambda fx, which: (path, body)


ASSET = "app-ABCD1234.js"

CASES = {
    ("GET", "/"): {"build": fixed("/"), "scoped": False},
    ("GET", "/assets/{file}"): {"build": fixed("/assets/" + ASSET), "scoped": False},
    ("GET", "/v1/me"): {"build": fixed("/v1/me"), "scoped": False},
    ("GET", "/healthz"): {"build": fixed("/healthz"), "scoped": False},
    ("GET", "/metrics"): {"build": fixed("/metrics"), "scoped": False},
    ("POST", "/v1/events"): {
        "build": lambda fx, which: ("/v1/events", event("acl-%d" % os.getpid(),
                                                        conversation_id="acl")),
        "scoped": False},
    ("GET", "/v1/reports"): {"build": fixed("/v1/reports"), "scoped": False},
    ("GET", "/v1/reports/{name}"): {"build": fixed("/v1/reports/impact"), "scoped": False},
    ("GET", "/v1/conversations"): {"build": fixed("/v1/conversations"), "scoped": False},
    ("GET", "/v1/conversations/{id}"): {
        "build": lambda fx, which: ("/v1/conversations/" + {"own": "a-c0", "other": "o-c0",
                                                             "missing": "m-c0"}[which], None)},
    ("GET", "/v1/gaps"): {"build": fixed("/v1/gaps"), "scoped": False},
    ("GET", "/v1/gaps/{id}"): {"build": topic_path("")},
    ("POST", "/v1/gaps/{id}/rename"): {"build": topic_path("/rename", {"label": "renamed"})},
    ("POST", "/v1/gaps/{id}/merge"): {"build": merge, "also": merge_into},
    ("POST", "/v1/gaps/{id}/dismiss"): {"build": topic_path("/dismiss"),
                                        "undo": topic_path("/undismiss")},
    ("POST", "/v1/gaps/{id}/undismiss"): {"build": topic_path("/undismiss")},
    ("GET", "/v1/gaps/{id}/questions"): {"build": topic_path("/questions")},
    ("POST", "/v1/gaps/{id}/dismiss-conversations"): {
        "build": topic_batch("/dismiss-conversations",
                             lambda fx: {"conversations": [fx.own_conversation]}),
        "undo": topic_batch("/undismiss-questions",
                            lambda fx: {"questions": fx.own_topic_questions})},
    ("POST", "/v1/gaps/{id}/undismiss-questions"): {
        "build": topic_batch("/undismiss-questions",
                             lambda fx: {"questions": fx.own_topic_questions})},
    ("POST", "/v1/gaps/questions/{id}/move"): {
        "build": question_path("/move", lambda fx: {"topic": fx.own[2]})},
    ("POST", "/v1/gaps/questions/{id}/dismiss"): {
        "build": question_path("/dismiss"), "undo": question_path("/undismiss")},
    ("POST", "/v1/gaps/questions/{id}/undismiss"): {"build": question_path("/undismiss")},
    ("GET", "/v1/openapi.json"): {"build": fixed("/v1/openapi.json"), "scoped": False},
    ("POST", "/v1/gaps/{id}/answer/preview"): {
        "build": topic_path("/answer/preview", {"answer": "Try the reset page."})},
    ("POST", "/v1/gaps/{id}/answer"): {
        "build": topic_path("/answer", {"question": "how do I reset my password",
                                        "answer": "Use the reset page."})},
    ("POST", "/v1/answers/match"): {
        "build": fixed("/v1/answers/match", {"question": "how do I reset my password"}),
        "scoped": False},
    ("GET", "/v1/answers"): {"build": fixed("/v1/answers"), "scoped": False},
    ("POST", "/v1/answers"): {
        "build": fixed("/v1/answers", {"question": "where is my parcel", "answer": "Track it."}),
        "scoped": False},
    ("GET", "/v1/answers/{id}"): {"build": answer_get(OWN_ANSWER)},
    ("PATCH", "/v1/answers/{id}"): {"build": answer_path(OWN_ANSWER)},
    ("DELETE", "/v1/answers/{id}"): {"build": answer_get(DELETED_ANSWER)},
}


def normalised(body, *ids):
    text = body.decode("utf-8", "replace")
    for i in ids:
        text = re.sub(r"\b%d\b" % i, "ID", text)
    return text


def ids_in(path, body):
    return [int(x) for x in re.findall(r"\d+", path + json.dumps(body or {}))]


fx = None


def setUpModule():
    global fx
    fx = Fixture()


def tearDownModule():
    if fx is not None:
        try:
            rc = fx.server.stop()
            assert rc == 0, "server exited %s\n%s" % (rc, fx.server.log())
            log = fx.server.log()
            for secret in list(fx.tokens.values()) + [fx.revoked, fx.other_admin]:
                assert secret not in log, "a token is in the server log"
        finally:
            fx.ws.cleanup()


class AccessMatrix(unittest.TestCase):
    def send(self, method, path, body, headers):
        data = None if body is None else json.dumps(body)
        h = dict(headers)
        if data is not None:
            h["Content-Type"] = "application/json"
        return fx.server.request(method, path, data, headers=h)

    def test_every_route_of_the_table_is_in_the_matrix(self):
        rows = route_table()
        self.assertGreaterEqual(len(rows), 10, "routes.c parsed to too few rows")
        keys = {(m, p) for m, p, _ in rows}
        self.assertEqual(keys - set(CASES), set(), "routes without a matrix entry")
        self.assertEqual(set(CASES) - keys, set(), "matrix entries for routes that are gone")

    def test_matrix(self):
        cells = 0
        for method, pattern, allowed in route_table():
            case = CASES[(method, pattern)]
            scoped = case.get("scoped", True)
            for caller, headers in callers(fx).items():
                valid = caller in ROLES
                for which in (("own", "other", "missing") if scoped else ("own",)):
                    builders = [case["build"]] + ([case["also"]] if "also" in case and which != "own" else [])
                    for build in builders:
                        path, body = build(fx, which)
                        what = "%s %s as %s, %s object (%s)" % (method, pattern, caller, which, path)
                        r = self.send(method, path, body, headers)
                        cells += 1
                        if not allowed:
                            self.assertEqual(r.status, 200, what)
                        elif not valid:
                            self.assertEqual(r.status, 401, what + " %r" % r)
                            self.assertEqual(r.json()["error"]["code"], "unauthorized", what)
                        elif caller not in allowed:
                            self.assertEqual(r.status, 403, what + " %r" % r)
                        elif which == "own":
                            self.assertIn(r.status, (200, 201, 204), what + " %r" % r)
                            if "undo" in case:
                                p, b = case["undo"](fx, which)
                                self.assertEqual(self.send("POST", p, b, headers).status, 200, p)
                        else:
                            self.assertEqual(r.status, 404, what + " %r" % r)
                            if which == "other":
                                other_body = normalised(r.body, *ids_in(path, body))
                                mpath, mbody = build(fx, "missing")
                                m = self.send(method, mpath, mbody, headers)
                                self.assertEqual(m.status, 404, mpath)
                                self.assertEqual(normalised(m.body, *ids_in(mpath, mbody)),
                                                 other_body, what + ": existence leaks")
        self.assertGreater(cells, 300)

    def test_other_account_objects_are_unchanged(self):
        # After the whole matrix ran, nothing of the other account moved.
        r = fx.server.request("GET", "/v1/gaps?limit=100", token=fx.other_admin)
        self.assertEqual(r.status, 200)
        topics = r.json()["topics"]
        self.assertEqual(sum(t["questions"] for t in topics), len(NEEDS) + len(OTHER_NEEDS))
        self.assertFalse(any(t.get("label_source") == "manual" for t in topics), topics)
        r = fx.server.request("GET", "/v1/answers/%d" % OTHER_ANSWER, token=fx.other_admin)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["answer"], "Use the reset page.")


if __name__ == "__main__":
    unittest.main()
