"""The OpenAPI 3.1 document at /v1/openapi.json: valid by a real validator
(swagger-parser, pinned in tests/openapi/package-lock.json), in step with the
route table, and real answers of the server conform to its schemas (checked
with python3-jsonschema, draft 2020-12 as OpenAPI 3.1 uses)."""
import json
import os
import re
import subprocess
import unittest

import jsonschema

from apserver import Server, Workspace, event

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")


def route_table():
    """(method, pattern) of every row of src/http/routes.c."""
    with open(os.path.join(ROOT, "src", "http", "routes.c")) as f:
        text = f.read()
    return set(re.findall(r'\{"(GET|POST|PATCH|PUT|DELETE)",\s*"([^"]+)"', text))


class OpenApi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace("ap-openapi-")
        cls.ws.create_account("acme", conversation_url="https://x.example/{conversation_id}")
        cls.admin = cls.ws.create_token("acme", "admin")
        cls.viewer = cls.ws.create_token("acme", "viewer")
        cls.server = Server(cls.ws.db).start()
        r = cls.server.request("GET", "/v1/openapi.json")
        assert r.status == 200, r
        cls.doc = r.json()
        cls.path = os.path.join(cls.ws.dir, "openapi.json")
        with open(cls.path, "wb") as f:
            f.write(r.body)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.ws.cleanup()

    def test_document_is_valid_openapi_3_1(self):
        validator = os.path.join(HERE, "validate.mjs")
        if not os.path.isdir(os.path.join(HERE, "node_modules")):
            self.fail("tests/openapi/node_modules is missing: `make test` installs it (npm ci)")
        proc = subprocess.run(["node", validator, self.path], capture_output=True, text=True,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr + proc.stdout)
        self.assertEqual(self.doc["openapi"], "3.1.0")

    def test_document_and_route_table_agree(self):
        documented = {(m.upper(), p) for p, ops in self.doc["paths"].items() for m in ops}
        self.assertEqual(documented, route_table())

    def check(self, method, path, token=None, body=None, content_type=None, status=200):
        r = self.server.request(method, path, body, token=token, content_type=content_type)
        self.assertEqual(r.status, status, (path, r))
        template = next(p for p in self.doc["paths"]
                        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", p), path.split("?")[0]))
        op = self.doc["paths"][template][method.lower()]
        resp = op["responses"][str(status)]
        if "$ref" in resp:
            resp = self.doc["components"]["responses"][resp["$ref"].split("/")[-1]]
        media = r.headers["Content-Type"].split(";")[0]
        self.assertIn(media, resp["content"], (path, media))
        if media == "application/json":
            schema = resp["content"][media]["schema"]
            resolver = jsonschema.RefResolver.from_schema(self.doc)
            jsonschema.Draft202012Validator(schema, resolver=resolver).validate(r.json())
        return r

    def test_answers_conform(self):
        evs = [event("s1", "conversation.started", "c1", "2026-11-23T09:00:00Z", channel="chat"),
               event("q1", "question.asked", "c1", "2026-11-23T09:01:00Z",
                     text="How do I reset my password?", answered=False),
               event("q2", "question.asked", "c2", "2026-11-23T09:02:00Z",
                     text="I forgot my password, reset it", answered=False),
               event("h1", "conversation.handed_off", "c1", "2026-11-23T09:03:00Z", ticket_id="T1"),
               event("r1", "human.replied", "c1", "2026-11-23T09:04:00Z", member_id="m1",
                     text="Use the reset link."),
               {"id": "bad", "type": "nope"}]
        body = "\n".join(json.dumps(e) for e in evs) + "\n"
        self.check("POST", "/v1/events", self.admin, body, "application/x-ndjson")
        self.check("POST", "/v1/events", self.admin, json.dumps(evs[0]), "application/json")
        self.check("POST", "/v1/events", self.admin, "{", "application/json", status=400)
        self.check("POST", "/v1/events", self.admin, "x", "text/plain", status=415)
        self.check("GET", "/healthz")
        self.check("GET", "/metrics")
        self.check("GET", "/v1/reports", self.viewer)
        self.check("GET", "/v1/reports?granularity=day&from=2026-11-20&to=2026-11-27&channel=chat",
                   self.viewer)
        self.check("GET", "/v1/reports/team", self.viewer)
        self.check("GET", "/v1/reports/nope", self.viewer, status=404)
        self.check("GET", "/v1/reports", status=401)
        self.check("GET", "/v1/reports?granularity=year", self.viewer, status=400)
        topics = self.check("GET", "/v1/gaps", self.viewer).json()["topics"]
        self.assertTrue(topics)
        tid = topics[0]["id"]
        detail = self.check("GET", "/v1/gaps/%d" % tid, self.viewer).json()
        self.assertTrue(detail["team_replies"])
        self.check("GET", "/v1/gaps/999", self.viewer, status=404)
        self.check("POST", "/v1/gaps/%d/rename" % tid, self.admin, '{"label":"Passwords"}',
                   "application/json")
        self.check("POST", "/v1/gaps/%d/rename" % tid, self.viewer, '{"label":"x"}',
                   "application/json", status=403)
        self.check("POST", "/v1/gaps/%d/dismiss" % tid, self.admin)
        self.check("POST", "/v1/gaps/%d/undismiss" % tid, self.admin)
        qid = detail["questions"][0]["id"]
        self.check("POST", "/v1/gaps/questions/%d/dismiss" % qid, self.admin)
        self.check("POST", "/v1/gaps/questions/%d/undismiss" % qid, self.admin)
        self.check("POST", "/v1/gaps/questions/%d/move" % qid, self.admin,
                   '{"topic": %d}' % tid, "application/json")
        self.check("POST", "/v1/gaps/%d/merge" % tid, self.admin, '{"into": 999}',
                   "application/json", status=404)
        self.assertTrue(self.check("GET", "/v1/gaps", self.viewer).json()["topics"][0]["top_questions"])
        rows = self.check("GET", "/v1/gaps/%d/questions?limit=5" % tid, self.viewer).json()
        self.assertTrue(rows["groups"])
        self.check("GET", "/v1/gaps/%d/questions?offset=x" % tid, self.viewer, status=400)
        conv = rows["groups"][0]["questions"][0]["conversation_id"]
        gone = self.check("POST", "/v1/gaps/%d/dismiss-conversations" % tid, self.admin,
                          json.dumps({"conversations": [conv]}), "application/json").json()
        self.assertTrue(gone["dismissed"])
        self.check("POST", "/v1/gaps/%d/undismiss-questions" % tid, self.admin,
                   json.dumps({"questions": gone["dismissed"]}), "application/json")
        self.check("POST", "/v1/gaps/%d/dismiss-conversations" % tid, self.admin,
                   json.dumps({"conversations": ["x%d" % i for i in range(501)]}),
                   "application/json", status=413)
        self.check("POST", "/v1/gaps/%d/undismiss-questions" % tid, self.admin,
                   '{"questions": [99999]}', "application/json", status=400)


if __name__ == "__main__":
    unittest.main()
