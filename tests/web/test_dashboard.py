"""The dashboard in a real browser: Debian's chromium driven by playwright-core
(tests/web/dashboard.mjs, one scenario a test) against `agentperf serve` on a
temp database filled by `agentperf simulate`; and the static file serving
(types, traversal, ETags, headers) over plain HTTP.

The scenarios for the short-answer endpoints skip (not fail) while the server
has no such endpoint (404)."""
import os
import shutil
import subprocess
import time
import unittest

from apserver import Server, Workspace

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
WEB_DIST = os.path.join(ROOT, "web", "dist")
CHROMIUM = os.environ.get("AP_CHROMIUM", "/usr/bin/chromium")
NODE = shutil.which("node")
SCENARIO_TIMEOUT = 90
SKIPPED = 77


def missing_tools():
    if NODE is None:
        return "node is not installed (scripts/install-deps.sh)"
    if not os.path.exists(CHROMIUM):
        return "chromium is not installed (scripts/install-deps.sh)"
    if not os.path.isdir(os.path.join(ROOT, "web", "node_modules", "playwright-core")):
        return "web/node_modules is missing (make web)"
    if not os.path.exists(os.path.join(WEB_DIST, "index.html")):
        return "web/dist is not built (make web)"
    return None


class Dashboard(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace("ap-web-")
        cls.ws.create_account("shop", time_zone="Europe/Oslo",
                              conversation_url="https://help.example.com/inbox/{conversation_id}",
                              ticket_url="https://help.example.com/tickets/{ticket_id}")
        cls.admin = cls.ws.create_token("shop", "admin")
        cls.viewer = cls.ws.create_token("shop", "viewer")
        cls.ingest = cls.ws.create_token("shop", "ingest")
        # An account of its own for the topic page's scenario, whose topic it builds.
        cls.ws.create_account("lab", conversation_url="https://help.example.com/c/{conversation_id}")
        cls.lab_admin = cls.ws.create_token("lab", "admin")
        cls.lab_ingest = cls.ws.create_token("lab", "ingest")
        cls.now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        cls.ws.cli("simulate", "--account", "shop", "--weeks", "4",
                   "--conversations-per-day", "60", "--now", cls.now, timeout=120)
        cls.server = Server(cls.ws.db, "--web-root", WEB_DIST).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.ws.cleanup()

    def scenario(self, name, language="en"):
        reason = missing_tools()
        if reason:
            self.skipTest(reason)
        env = dict(os.environ, AP_BASE=self.server.url(""), AP_ADMIN=self.admin,
                   AP_VIEWER=self.viewer, AP_INGEST=self.ingest, AP_NOW=self.now,
                   AP_CHROMIUM=CHROMIUM, AP_LAB_ADMIN=self.lab_admin, AP_LAB_INGEST=self.lab_ingest)
        proc = subprocess.run([NODE, os.path.join(HERE, "dashboard.mjs"), name, language], env=env,
                              capture_output=True, text=True, timeout=SCENARIO_TIMEOUT)
        out = (proc.stdout + proc.stderr).strip()
        print(out)
        if proc.returncode == SKIPPED:
            self.skipTest(out)
        self.assertEqual(proc.returncode, 0, out + "\n--- server log ---\n" + self.server.log()[-3000:])

    def test_reports_equal_the_api(self):
        self.scenario("reports")

    # In Norwegian: figures as Norwegian writes them, no English left on the
    # pages, every message in both languages, the switch back to English.
    def test_reports_equal_the_api_in_norwegian(self):
        self.scenario("reports", "nb")

    def test_figure_opens_its_conversations(self):
        self.scenario("drilldown")

    def test_controls_change_every_report(self):
        self.scenario("controls")

    def test_follows_new_events(self):
        self.scenario("live")

    def test_sign_in(self):
        self.scenario("signin")

    def test_viewer_cannot_edit(self):
        self.scenario("viewer")

    def test_gap_curation(self):
        self.scenario("gap_curation")

    def test_topic_questions_paged_grouped_dismissed_by_conversation(self):
        self.scenario("gap_questions")

    def test_gap_to_short_answer(self):
        self.scenario("gap_answer")

    def test_short_answers(self):
        self.scenario("answers")

    def test_accessibility(self):
        self.scenario("a11y")

    def test_accessibility_in_norwegian(self):
        self.scenario("a11y", "nb")

    def test_firefox(self):
        self.scenario("firefox")

    def test_firefox_in_norwegian(self):
        self.scenario("firefox", "nb")

    def test_keyboard(self):
        self.scenario("keyboard")

    def test_phone_width(self):
        self.scenario("phone")

    # --- static files, over plain HTTP -------------------------------------

    def test_index_and_assets(self):
        if not os.path.exists(os.path.join(WEB_DIST, "index.html")):
            self.skipTest("web/dist is not built (make web)")
        r = self.server.request("GET", "/")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers.get("Content-Type"), "text/html; charset=utf-8")
        self.assertEqual(r.headers.get("Cache-Control"), "no-cache")
        csp = r.headers.get("Content-Security-Policy")
        for directive in ("default-src 'none'", "script-src 'self'", "connect-src 'self'",
                          "frame-ancestors 'none'"):
            self.assertIn(directive, csp)
        self.assertNotIn("unsafe", csp)
        self.assertIsNone(r.headers.get("Access-Control-Allow-Origin"))
        self.assertEqual(r.headers.get("X-Content-Type-Options"), "nosniff")
        assets = os.listdir(os.path.join(WEB_DIST, "assets"))
        js = next(a for a in assets if a.endswith(".js"))
        css = next(a for a in assets if a.endswith(".css"))
        self.assertIn(js, r.body.decode())
        r = self.server.request("GET", "/assets/" + js)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers.get("Content-Type"), "text/javascript; charset=utf-8")
        self.assertEqual(r.headers.get("Cache-Control"), "public, max-age=31536000, immutable")
        with open(os.path.join(WEB_DIST, "assets", js), "rb") as f:
            self.assertEqual(r.body, f.read())
        r = self.server.request("GET", "/assets/" + css)
        self.assertEqual(r.headers.get("Content-Type"), "text/css; charset=utf-8")
        r = self.server.request("GET", "/assets/favicon.svg")
        self.assertEqual((r.status, r.headers.get("Content-Type")), (200, "image/svg+xml"))
        # An unfingerprinted name is revalidated each time.
        self.assertEqual(r.headers.get("Cache-Control"), "no-cache")

    def test_etag_and_304(self):
        if not os.path.exists(os.path.join(WEB_DIST, "index.html")):
            self.skipTest("web/dist is not built (make web)")
        r = self.server.request("GET", "/")
        etag = r.headers.get("ETag")
        self.assertRegex(etag, r'^"[0-9a-f]{32}"$')
        r = self.server.request("GET", "/", headers={"If-None-Match": etag})
        self.assertEqual((r.status, r.body), (304, b""))
        self.assertEqual(r.headers.get("ETag"), etag)
        r = self.server.request("GET", "/", headers={"If-None-Match": 'W/"x", ' + etag})
        self.assertEqual(r.status, 304)
        r = self.server.request("GET", "/", headers={"If-None-Match": '"other"'})
        self.assertEqual(r.status, 200)

    def test_reports_etag(self):
        path = "/v1/reports?now=" + self.now
        r = self.server.request("GET", path, token=self.viewer)
        self.assertEqual(r.status, 200)
        etag = r.headers.get("ETag")
        self.assertTrue(etag)
        r2 = self.server.request("GET", path, token=self.viewer, headers={"If-None-Match": etag})
        self.assertEqual((r2.status, r2.body), (304, b""))
        # Another document (another channel) has another tag.
        r3 = self.server.request("GET", path + "&channel=chat", token=self.viewer,
                                 headers={"If-None-Match": etag})
        self.assertEqual(r3.status, 200)
        self.assertNotEqual(r3.headers.get("ETag"), etag)
        # The tag never lets an unauthenticated caller learn anything.
        r4 = self.server.request("GET", path, headers={"If-None-Match": etag})
        self.assertEqual(r4.status, 401)
        # The report's now parameter fixes the figures' instant.
        self.assertEqual(r.json()["now"], self.now)

    def test_reports_etag_without_now(self):
        # The document's now is the clock, new on every call; the tag is over
        # the figures (a weak tag), so polling gets 304 until a figure changes.
        r = self.server.request("GET", "/v1/reports", token=self.viewer)
        etag = r.headers.get("ETag")
        self.assertRegex(etag, r'^W/"[0-9a-f]{32}"$')
        time.sleep(0.01)
        r2 = self.server.request("GET", "/v1/reports", token=self.viewer,
                                 headers={"If-None-Match": etag})
        self.assertEqual(r2.status, 304)
        started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 30))
        self.assertEqual(self.server.post_events([{
            "id": "etag-1", "type": "conversation.started", "at": started,
            "conversation_id": "etag-c1", "channel": "chat"}], self.ingest).status, 200)
        r3 = self.server.request("GET", "/v1/reports", token=self.viewer,
                                 headers={"If-None-Match": etag})
        self.assertEqual(r3.status, 200)
        self.assertNotEqual(r3.headers.get("ETag"), etag)
        # CSV has no clock in it: a strong tag.
        r4 = self.server.request("GET", "/v1/reports/team?format=csv", token=self.viewer)
        self.assertRegex(r4.headers.get("ETag"), r'^"[0-9a-f]{32}"$')

    def test_no_traversal(self):
        secret = os.path.join(self.ws.dir, "secret.txt")
        with open(secret, "w") as f:
            f.write("not for the web")
        for path in ("/assets/../index.html", "/assets/..%2Findex.html", "/assets/%2e%2e",
                     "/assets/.hidden.js", "/assets/a/b.js", "/../../etc/passwd",
                     "/assets/..%2F..%2F" + "secret.txt", "/assets/nothing.js",
                     "/assets/main.exe", "/index.html", "/web/dist/index.html",
                     "/assets/%00.js", "/assets/x%2Fy.js"):
            r = self.server.request("GET", path)
            self.assertEqual(r.status, 404, path)
            self.assertNotIn(b"not for the web", r.body)
            self.assertEqual(r.headers.get("Content-Type"), "application/json", path)

    def test_symlink_not_followed(self):
        root = os.path.join(self.ws.dir, "webroot")
        os.makedirs(os.path.join(root, "assets"), exist_ok=True)
        with open(os.path.join(root, "index.html"), "w") as f:
            f.write("<!doctype html><title>x</title>")
        outside = os.path.join(self.ws.dir, "outside.js")
        with open(outside, "w") as f:
            f.write("secret()")
        os.symlink(outside, os.path.join(root, "assets", "link.js"))
        os.mkdir(os.path.join(root, "assets", "dir.js"))
        with Server(self.ws.db, "--web-root", root) as s:
            self.assertEqual(s.request("GET", "/").status, 200)
            self.assertEqual(s.request("GET", "/assets/link.js").status, 404)
            self.assertEqual(s.request("GET", "/assets/dir.js").status, 404)
        with Server(self.ws.db, "--web-root", os.path.join(self.ws.dir, "none")) as s:
            r = s.request("GET", "/")
            self.assertEqual(r.status, 404)
            self.assertIn(b"not built", r.body)

    def test_me(self):
        for token, role in ((self.admin, "admin"), (self.viewer, "viewer"), (self.ingest, "ingest")):
            r = self.server.request("GET", "/v1/me", token=token)
            self.assertEqual(r.status, 200)
            self.assertEqual(r.json(), {"account": "shop", "role": role, "time_zone": "Europe/Oslo",
                                        "default_language": "en"})
        self.assertEqual(self.server.request("GET", "/v1/me").status, 401)


if __name__ == "__main__":
    unittest.main(verbosity=2)
