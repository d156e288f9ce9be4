"""The administration and ingestion CLI against the real binary (SPEC §1, §2,
§7): accounts create/list/update and their validation, tokens create/list/revoke
(secrets shown once, never stored in clear), `ingest` from a file and standard
input with its counts, problem lines and exit codes, usage errors (exit 2 with
the usage text) and `--help` on every command."""
import json
import os
import re
import sqlite3
import unittest

from apserver import BIN, Workspace, event, ndjson

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
TOKEN = re.compile(r"^ap_[A-Za-z0-9_-]{43}$")


class CliTest(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace("ap-cli-")
        self.addCleanup(self.ws.cleanup)
        self.cli("migrate", check=True)  # an empty database, as after installing

    def cli(self, *args, **kw):
        kw.setdefault("check", False)
        return self.ws.cli(*args, **kw)

    def accounts(self):
        """`accounts list` as {name: {setting: value}}."""
        out = {}
        for line in self.cli("accounts", "list", check=True).stdout.splitlines():
            name, *settings = line.split("\t")
            out[name] = dict(s.split("=", 1) for s in settings)
        return out

    def tokens(self, account):
        """`tokens list` as {id: {"role": …, "created": …, "revoked": …, "label": …}}."""
        out = {}
        for line in self.cli("tokens", "list", "--account", account, check=True).stdout.splitlines():
            id, role, *rest = line.split("\t")
            out[id] = dict(role=role, **dict(s.split("=", 1) for s in rest))
        return out

    def assertFails(self, proc, *needles, code=None):
        """A failed command: non-zero exit (or exactly `code`), nothing on
        stdout, and each needle in its message on stderr."""
        if code is None:
            self.assertNotEqual(proc.returncode, 0, proc)
        else:
            self.assertEqual(proc.returncode, code, proc)
        for needle in needles:
            self.assertIn(needle, proc.stderr)


DEFAULTS = {"time_zone": "UTC", "inactivity_hours": "72", "conversation_url": "", "ticket_url": "",
            "default_language": "en", "embeddings": "on"}


class Accounts(CliTest):
    def test_create_and_list(self):
        p = self.cli("accounts", "create", "acme", "--time-zone", "Europe/Oslo",
                     "--inactivity-hours", "48",
                     "--conversation-url", "https://help.example.com/inbox/{conversation_id}",
                     "--ticket-url", "https://help.example.com/tickets/{ticket_id}?x=1",
                     "--default-language", "nb", "--embeddings", "off")
        self.assertEqual(p.returncode, 0, p)
        self.assertTrue(p.stdout.startswith("created account acme\t"), p.stdout)
        self.cli("accounts", "create", "b-2.x_y", check=True)
        self.assertEqual(self.accounts(), {
            "acme": {"time_zone": "Europe/Oslo", "inactivity_hours": "48",
                     "conversation_url": "https://help.example.com/inbox/{conversation_id}",
                     "ticket_url": "https://help.example.com/tickets/{ticket_id}?x=1",
                     "default_language": "nb", "embeddings": "off"},
            "b-2.x_y": DEFAULTS})

    def test_list_of_a_new_database_is_empty(self):
        p = self.cli("accounts", "list")
        self.assertEqual((p.returncode, p.stdout), (0, ""))

    def test_a_mistyped_db_path_is_an_error_not_a_new_database(self):
        missing = os.path.join(self.ws.dir, "agentperf-typo.db")
        for args in (["accounts", "list"], ["report", "--account", "demo"], ["gaps", "list", "--account", "demo"],
                     ["tokens", "list", "--account", "demo"]):
            p = self.cli(*args, "--db", missing, db=False)
            self.assertEqual(p.returncode, 1, args)
            self.assertIn('"db": no database at ' + missing, p.stderr, args)
            self.assertFalse(os.path.exists(missing), args)
        # the commands that start a database still do
        self.assertEqual(self.cli("accounts", "create", "demo", "--db", missing, db=False).returncode, 0)
        self.assertEqual(self.cli("report", "--account", "demo", "--db", missing, db=False).returncode, 0)

    # (flags, field the message must name): each is refused and creates nothing.
    INVALID = [
        (["--time-zone", "Mars/Base"], "time_zone"),
        (["--time-zone", ""], "time_zone"),
        (["--time-zone", "europe/oslo"], "time_zone"),
        (["--time-zone", "../../etc/passwd"], "time_zone"),
        (["--inactivity-hours", "0"], "inactivity_hours"),
        (["--inactivity-hours", "-5"], "inactivity_hours"),
        (["--inactivity-hours", "abc"], "inactivity_hours"),
        (["--inactivity-hours", "1.5"], "inactivity_hours"),
        (["--inactivity-hours", "12h"], "inactivity_hours"),
        (["--inactivity-hours", "8761"], "inactivity_hours"),
        (["--inactivity-hours", ""], "inactivity_hours"),
        (["--conversation-url", "https://help.example.com/inbox/"], "conversation_url"),
        (["--conversation-url", "https://help.example.com/{ticket_id}"], "conversation_url"),
        (["--conversation-url", "javascript:alert(1)//{conversation_id}"], "conversation_url"),
        (["--conversation-url", "https://x.example/a b/{conversation_id}"], "conversation_url"),
        (["--ticket-url", "https://help.example.com/tickets"], "ticket_url"),
        (["--ticket-url", "ftp://help.example.com/{ticket_id}"], "ticket_url"),
        (["--default-language", "tlh"], "default_language"),      # no stemmer for it
        (["--default-language", ""], "default_language"),
        (["--default-language", "en gb"], "default_language"),
        (["--default-language", "nb-" + "x" * 40], "default_language"),
    ]

    def test_invalid_settings_are_refused_naming_the_field(self):
        for flags, field in self.INVALID:
            with self.subTest(flags=flags):
                p = self.cli("accounts", "create", "acme", *flags)
                self.assertFails(p, field)
                self.assertEqual(p.stdout, "")
                self.assertNotIn("acme", self.accounts())

    def test_invalid_names(self):
        for name in ["Acme", "_acme", ".acme", "ac me", "acme/x", "a" * 65, "æøå", ""]:
            with self.subTest(name=name):
                self.assertFails(self.cli("accounts", "create", name), "name")
        self.assertEqual(self.accounts(), {})
        self.cli("accounts", "create", "a" * 64, check=True)

    def test_duplicate_name(self):
        self.cli("accounts", "create", "acme", "--time-zone", "Europe/Oslo", check=True)
        p = self.cli("accounts", "create", "acme", "--time-zone", "Asia/Tokyo")
        self.assertFails(p, "acme", "already exists")
        self.assertEqual(self.accounts(), {"acme": dict(DEFAULTS, time_zone="Europe/Oslo")})

    def test_update(self):
        self.cli("accounts", "create", "acme", "--conversation-url", "https://h.example/{conversation_id}",
                 check=True)
        self.cli("accounts", "create", "other", check=True)
        p = self.cli("accounts", "update", "acme", "--time-zone", "America/New_York",
                     "--inactivity-hours", "24")
        self.assertEqual(p.returncode, 0, p)
        self.assertTrue(p.stdout.startswith("updated account acme\t"), p.stdout)
        want = dict(DEFAULTS, time_zone="America/New_York", inactivity_hours="24",
                    conversation_url="https://h.example/{conversation_id}")
        self.assertEqual(self.accounts(), {"acme": want, "other": DEFAULTS})
        # An empty template unsets it.
        self.cli("accounts", "update", "acme", "--conversation-url", "", check=True)
        want["conversation_url"] = ""
        self.assertEqual(self.accounts()["acme"], want)
        # One bad setting and nothing of the update is applied.
        p = self.cli("accounts", "update", "acme", "--time-zone", "Europe/Oslo",
                     "--inactivity-hours", "0")
        self.assertFails(p, "inactivity_hours")
        p = self.cli("accounts", "update", "acme", "--time-zone", "Mars/Base", "--inactivity-hours", "12")
        self.assertFails(p, "time_zone")
        self.assertEqual(self.accounts(), {"acme": want, "other": DEFAULTS})
        self.cli("accounts", "update", "acme", "--default-language", "de", check=True)
        want["default_language"] = "de"
        self.assertEqual(self.accounts(), {"acme": want, "other": DEFAULTS})
        self.cli("accounts", "update", "acme", "--embeddings", "off", check=True)
        want["embeddings"] = "off"
        self.assertEqual(self.accounts(), {"acme": want, "other": DEFAULTS})
        self.assertFails(self.cli("accounts", "update", "acme", "--embeddings", "maybe"),
                         "embeddings")
        p = self.cli("accounts", "update", "acme", "--default-language", "tlh")
        self.assertFails(p, "default_language", "stemmer")
        self.assertEqual(self.accounts()["acme"], want)

    def test_unknown_account(self):
        self.cli("accounts", "create", "acme", check=True)
        cases = [
            ("accounts", "update", "nope", "--time-zone", "UTC"),
            ("tokens", "create", "--account", "nope", "--role", "admin"),
            ("tokens", "list", "--account", "nope"),
            ("tokens", "revoke", "--account", "nope", "1"),
            ("ingest", "--account", "nope", "-"),
        ]
        for args in cases:
            with self.subTest(args=args):
                p = self.cli(*args, input=ndjson([event("e1")]).decode())
                self.assertFails(p, '"nope"', code=EXIT_FAILED)
        self.assertEqual(list(self.accounts()), ["acme"])
        p = self.cli("ingest", "--account", "acme", input=ndjson([event("e1")]).decode())
        self.assertEqual(p.stdout.strip(), "stored 1, duplicate 0, conflict 0, rejected 0")


class Tokens(CliTest):
    def setUp(self):
        super().setUp()
        self.cli("accounts", "create", "acme", check=True)
        self.cli("accounts", "create", "other", check=True)

    def create(self, account="acme", role="ingest", label=None):
        args = ["tokens", "create", "--account", account, "--role", role]
        if label is not None:
            args += ["--label", label]
        p = self.cli(*args)
        self.assertEqual(p.returncode, 0, p)
        return p

    def test_create_prints_the_secret_once_on_stdout(self):
        p = self.create(role="admin", label="ci pipeline")
        secret = p.stdout.strip()
        self.assertRegex(secret, TOKEN)
        self.assertEqual(p.stdout, secret + "\n")
        self.assertNotIn(secret, p.stderr)
        self.assertIn("admin", p.stderr)
        secrets = {secret} | {self.create(role=r).stdout.strip() for r in ("ingest", "viewer", "ingest")}
        self.assertEqual(len(secrets), 4, "every token is new")

    def test_list_shows_everything_but_the_secret(self):
        secrets = [self.create(role=r, label="label-" + r).stdout.strip()
                   for r in ("ingest", "viewer", "admin")]
        other = self.create(account="other", role="admin", label="other-label").stdout.strip()
        p = self.cli("tokens", "list", "--account", "acme")
        self.assertEqual(p.returncode, 0, p)
        for s in secrets + [other]:
            self.assertNotIn(s, p.stdout + p.stderr)
            self.assertNotIn(s[3:], p.stdout + p.stderr)
        listed = self.tokens("acme")
        self.assertEqual(sorted((t["role"], t["label"], t["revoked"]) for t in listed.values()),
                         [("admin", "label-admin", "-"), ("ingest", "label-ingest", "-"),
                          ("viewer", "label-viewer", "-")])
        for t in listed.values():
            self.assertRegex(t["created"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
        self.assertEqual([t["label"] for t in self.tokens("other").values()], ["other-label"])

    def test_secret_is_not_stored_in_clear(self):
        secrets = [self.create(role=r).stdout.strip() for r in ("ingest", "viewer", "admin")]
        # Every file of the database (main file, WAL, shared memory), as bytes.
        blobs = b""
        for name in os.listdir(self.ws.dir):
            with open(os.path.join(self.ws.dir, name), "rb") as f:
                blobs += f.read()
        self.assertIn(b"acme", blobs, "the database files were read")
        for s in secrets:
            for form in (s, s[3:], s[3:30]):
                self.assertNotIn(form.encode(), blobs)
        with sqlite3.connect(self.ws.db) as db:
            rows = db.execute("SELECT * FROM tokens").fetchall()
        self.assertEqual(len(rows), 3)
        for row in rows:
            for value in row:
                for s in secrets:
                    self.assertNotIn(s[3:], str(value))

    def test_revoke(self):
        self.create(label="keep")
        self.create(label="drop")
        self.create(account="other", label="other")
        drop = next(id for id, t in self.tokens("acme").items() if t["label"] == "drop")
        p = self.cli("tokens", "revoke", "--account", "acme", drop)
        self.assertEqual(p.returncode, 0, p)
        listed = {t["label"]: t["revoked"] for t in self.tokens("acme").values()}
        self.assertEqual(listed["keep"], "-")
        self.assertRegex(listed["drop"], r"^\d{4}-\d\d-\d\dT")
        # Revoking again changes nothing, not even the time of revocation.
        p = self.cli("tokens", "revoke", "--account", "acme", drop)
        self.assertEqual(p.returncode, 0, p)
        self.assertEqual({t["label"]: t["revoked"] for t in self.tokens("acme").values()}, listed)
        self.assertEqual([t["revoked"] for t in self.tokens("other").values()], ["-"])

    def test_revoke_is_scoped_to_the_account(self):
        self.create(account="acme", label="acme-token")
        [id] = self.tokens("acme")
        self.assertEqual(self.tokens("other"), {})
        p = self.cli("tokens", "revoke", "--account", "other", id)
        self.assertFails(p, code=EXIT_FAILED)
        self.assertEqual([t["revoked"] for t in self.tokens("acme").values()], ["-"])

    def test_revoke_errors(self):
        self.create()
        self.assertFails(self.cli("tokens", "revoke", "--account", "acme", "999"), "999", code=EXIT_FAILED)
        for bad in ["abc", "0", "-1", "1x", ""]:
            with self.subTest(id=bad):
                p = self.cli("tokens", "revoke", "--account", "acme", "--", bad)
                self.assertFails(p, "usage: agentperf tokens revoke", code=EXIT_USAGE)
        self.assertEqual([t["revoked"] for t in self.tokens("acme").values()], ["-"])

    def test_create_errors(self):
        cases = [
            (["--account", "acme"], "--role"),
            (["--account", "acme", "--role", "root"], "root"),
            (["--account", "acme", "--role", "Admin"], "Admin"),
            (["--account", "acme", "--role", "ingest", "--label", "x" * 129], "--label"),
            (["--account", "acme", "--role", "ingest", "--label", "tab\there"], "--label"),
        ]
        for args, needle in cases:
            with self.subTest(args=args):
                p = self.cli("tokens", "create", *args)
                self.assertFails(p, needle, "usage: agentperf tokens create", code=EXIT_USAGE)
                self.assertEqual(p.stdout, "")
        self.assertEqual(self.tokens("acme"), {})

    def test_missing_account_is_a_usage_error(self):
        cases = [(("tokens", "create", "--role", "admin"), "usage: agentperf tokens create"),
                 (("tokens", "list"), "usage: agentperf tokens list"),
                 (("tokens", "revoke", "1"), "usage: agentperf tokens revoke"),
                 (("ingest", "-"), "usage: agentperf ingest")]
        for args, usage in cases:
            with self.subTest(args=args):
                p = self.cli(*args, input="")
                self.assertFails(p, "--account", usage, code=EXIT_USAGE)


GOOD_EVENTS = [
    event("e1", type="conversation.started", conversation_id="c1", channel="chat"),
    event("e2", type="question.asked", conversation_id="c1", text="Where is my parcel?", answered=True,
          language="en"),
    event("e3", type="conversation.resolved", conversation_id="c1", by="agent"),
    event("e4", type="feedback.submitted", conversation_id="c1", rating="helpful"),
]
# (line, expected problem line on stderr or None for a good line)
MIXED = [
    (json.dumps(GOOD_EVENTS[0]), None),
    (json.dumps(event("b1", at="yesterday")), 'line 2: rejected (id b1): "at": '),
    ("", None),
    ("not json", "line 4: rejected: invalid JSON"),
    (json.dumps(GOOD_EVENTS[1]), None),
    (json.dumps(event("b2", type="bogus")), 'line 6: rejected (id b2): "type": '),
    (json.dumps(event("b3", type="conversation.started")), 'line 7: rejected (id b3): "channel": '),
    (json.dumps(GOOD_EVENTS[2]) + "\r", None),
    (json.dumps(event("b4", type="feedback.submitted", rating="meh")), 'line 9: rejected (id b4): "rating": '),
    (json.dumps(GOOD_EVENTS[3]), None),
]
MIXED_TEXT = "".join(line + "\n" for line, _ in MIXED)


class Ingest(CliTest):
    def setUp(self):
        super().setUp()
        self.cli("accounts", "create", "acme", check=True)
        self.cli("accounts", "create", "other", check=True)

    def ingest(self, *args, input=None, account="acme"):
        return self.cli("ingest", "--account", account, *args, input=input)

    def write(self, name, text):
        path = os.path.join(self.ws.dir, name)
        with open(path, "w" if isinstance(text, str) else "wb") as f:
            f.write(text)
        return path

    def assertCounts(self, p, stored, duplicate, conflict, rejected, code):
        self.assertEqual(p.stdout, "stored %d, duplicate %d, conflict %d, rejected %d\n"
                         % (stored, duplicate, conflict, rejected), p)
        self.assertEqual(p.returncode, code, p)

    def test_file_with_good_and_bad_lines(self):
        path = self.write("mixed.ndjson", MIXED_TEXT)
        p = self.ingest(path)
        self.assertCounts(p, 4, 0, 0, 5, EXIT_FAILED)
        want = [msg for _, msg in MIXED if msg]
        got = p.stderr.splitlines()
        self.assertEqual(len(got), len(want), p.stderr)
        for line, prefix in zip(got, want):
            self.assertTrue(line.startswith(prefix), (line, prefix))
        # The good lines are stored: ingesting them again only finds duplicates.
        p = self.ingest(input=ndjson(GOOD_EVENTS).decode())
        self.assertCounts(p, 0, 4, 0, 0, EXIT_OK)
        self.assertEqual(p.stderr, "")

    def test_stdin_without_argument_and_with_dash(self):
        text = ndjson(GOOD_EVENTS).decode()
        self.assertCounts(self.ingest(input=text), 4, 0, 0, 0, EXIT_OK)
        self.assertCounts(self.ingest("-", input=text), 0, 4, 0, 0, EXIT_OK)
        path = self.write("good.ndjson", text)
        self.assertCounts(self.ingest(path), 0, 4, 0, 0, EXIT_OK)

    def test_same_ids_in_another_account_are_new(self):
        text = ndjson(GOOD_EVENTS).decode()
        self.assertCounts(self.ingest(input=text), 4, 0, 0, 0, EXIT_OK)
        changed = ndjson([dict(e, conversation_id="x") for e in GOOD_EVENTS]).decode()
        self.assertCounts(self.ingest(input=changed, account="other"), 4, 0, 0, 0, EXIT_OK)

    def test_conflict(self):
        self.ingest(input=ndjson(GOOD_EVENTS).decode())
        changed = dict(GOOD_EVENTS[1], text="Something else")
        p = self.ingest(input=ndjson([GOOD_EVENTS[0], changed]).decode())
        self.assertCounts(p, 0, 1, 1, 0, EXIT_FAILED)
        self.assertEqual(p.stderr.splitlines(), [
            'line 2: conflict (id e2): "id": already stored with different content; '
            'the stored event is kept'])
        # The first version is kept.
        self.assertCounts(self.ingest(input=ndjson([GOOD_EVENTS[1]]).decode()), 0, 1, 0, 0, EXIT_OK)

    def test_quiet(self):
        p = self.ingest("--quiet", input=MIXED_TEXT)
        self.assertCounts(p, 4, 0, 0, 5, EXIT_FAILED)
        self.assertEqual(p.stderr, "")

    def test_empty_input(self):
        self.assertCounts(self.ingest(input=""), 0, 0, 0, 0, EXIT_OK)
        self.assertCounts(self.ingest(input="\n\n  \r\n"), 0, 0, 0, 0, EXIT_OK)

    def test_small_batches(self):
        events = [event("sb-%d" % i, conversation_id="c%d" % (i % 3)) for i in range(7)]
        events.insert(3, event("sb-bad", at="nope"))
        p = self.ingest("--batch", "2", input=ndjson(events).decode())
        self.assertCounts(p, 7, 0, 0, 1, EXIT_FAILED)
        self.assertTrue(p.stderr.startswith("line 4: rejected (id sb-bad)"), p.stderr)
        self.assertCounts(self.ingest("--batch", "1000", input=ndjson(events).decode()), 0, 7, 0, 1,
                          EXIT_FAILED)

    def test_long_lines_are_rejected_by_number(self):
        def line(id, size):
            base = json.dumps(event(id, pad=""))
            return json.dumps(event(id, pad="p" * (size - len(base))))
        lines = [line("ll-1", 1000), "x" * (3 << 20), line("ll-3", 65536), line("ll-4", 65537),
                 line("ll-5", 500)]
        text = "\n".join(lines)  # and the last line has no newline
        p = self.ingest("--max-line", "65536", input=text)
        self.assertCounts(p, 3, 0, 0, 2, EXIT_FAILED)
        self.assertEqual([l.split(":")[0] for l in p.stderr.splitlines()], ["line 2", "line 4"])
        self.assertIn("65536", p.stderr)

    def test_file_errors(self):
        missing = os.path.join(self.ws.dir, "missing.ndjson")
        p = self.ingest(missing)
        self.assertFails(p, "missing.ndjson", code=EXIT_FAILED)
        p = self.ingest(self.ws.dir)  # a directory is not a readable file
        self.assertNotEqual(p.returncode, 0, p)

    def test_database_from_the_environment(self):
        p = self.ws.cli("ingest", "--account", "acme", input=ndjson(GOOD_EVENTS).decode(), db=False,
                        env={"AGENTPERF_DB": self.ws.db}, cwd=self.ws.dir + "/..", check=False)
        self.assertCounts(p, 4, 0, 0, 0, EXIT_OK)
        self.assertCounts(self.ingest(input=ndjson(GOOD_EVENTS).decode()), 0, 4, 0, 0, EXIT_OK)


class Usage(CliTest):
    # (argv, what stderr must say): each exits 2 with the usage text.
    ERRORS = [
        (["accounts", "create", "acme", "--bogus"], ['unknown option "--bogus"', "usage: agentperf accounts create NAME"]),
        (["accounts", "create", "acme", "-x"], ['unknown option "-x"', "usage: agentperf accounts create"]),
        (["accounts", "create", "acme", "--bogus=1"], ['unknown option "--bogus"']),
        (["accounts", "create"], ["missing argument", "usage: agentperf accounts create NAME"]),
        (["accounts", "create", "a", "b"], ['unexpected argument "b"']),
        (["accounts", "create", "a", "--time-zone"], ["--time-zone needs a value", "usage: agentperf accounts create"]),
        (["accounts", "update"], ["missing argument", "usage: agentperf accounts update"]),
        (["accounts", "list", "extra"], ['unexpected argument "extra"', "usage: agentperf accounts list"]),
        (["accounts", "list", "--quiet"], ['unknown option "--quiet"']),
        (["tokens", "revoke", "--account", "acme"], ["missing argument", "usage: agentperf tokens revoke ID"]),
        (["tokens", "create", "--account"], ["--account needs a value"]),
        (["ingest", "a.ndjson", "b.ndjson"], ['unexpected argument "b.ndjson"', "usage: agentperf ingest"]),
        (["ingest", "--account", "acme", "--batch", "0"], ["--batch", "usage: agentperf ingest"]),
        (["ingest", "--account", "acme", "--batch", "ten"], ["--batch"]),
        (["ingest", "--account", "acme", "--quiet=yes"], ["--quiet takes no value"]),
        (["serve", "--threads", "0"], ["--threads", "usage: agentperf serve"]),
        (["serve", "--max-body", "-1"], ["--max-body", "usage: agentperf serve"]),
        (["serve", "extra"], ['unexpected argument "extra"']),
        (["migrate", "--bogus"], ['unknown option "--bogus"', "usage: agentperf migrate"]),
        (["frob"], ['unknown command "frob"', "usage: agentperf COMMAND"]),
        (["accounts"], ["accounts needs a subcommand", "usage: agentperf COMMAND"]),
        (["accounts", "frob"], ["needs a subcommand", "usage: agentperf COMMAND"]),
        ([], ["usage: agentperf COMMAND"]),
    ]

    def test_usage_errors_exit_2_with_the_usage(self):
        self.cli("accounts", "create", "acme", check=True)
        for argv, needles in self.ERRORS:
            with self.subTest(argv=argv):
                p = self.ws.cli(*argv, db=False, env={"AGENTPERF_DB": self.ws.db}, check=False, input="")
                self.assertFails(p, *needles, code=EXIT_USAGE)
                self.assertEqual(p.stdout, "")
        self.assertEqual(list(self.accounts()), ["acme"], "no usage error changed anything")

    def commands(self):
        p = self.ws.cli("--help", db=False, check=False)
        self.assertEqual(p.returncode, 0, p)
        self.assertTrue(p.stdout.startswith("usage: agentperf COMMAND"), p.stdout)
        section = p.stdout.split("commands:\n", 1)[1].split("\n\n", 1)[0]
        names = [re.split(r"\s{2,}", line.strip())[0] for line in section.splitlines()]
        return names

    def test_help_on_every_command(self):
        names = self.commands()
        for required in ["serve", "ingest", "migrate", "accounts create", "accounts list",
                         "accounts update", "tokens create", "tokens list", "tokens revoke"]:
            self.assertIn(required, names)
        empty = os.path.join(self.ws.dir, "empty")
        os.mkdir(empty)
        for name in names:
            for flag in ("--help", "-h"):
                with self.subTest(command=name, flag=flag):
                    # Run where no database exists: help must not create one.
                    p = self.ws.cli(*name.split(), flag, db=False, cwd=empty, check=False, timeout=10)
                    self.assertEqual(p.returncode, 0, p)
                    self.assertTrue(p.stdout.startswith("usage: agentperf " + name), p.stdout)
                    self.assertIn("--help", p.stdout)
                    self.assertEqual(p.stderr, "")
        # Help wins over anything else on the line, even missing arguments.
        p = self.ws.cli("accounts", "create", "--help", db=False, cwd=empty, check=False)
        self.assertEqual(p.returncode, 0, p)
        self.assertEqual(os.listdir(empty), [], "--help touched no database")

    def test_top_level_help_and_version(self):
        for argv in (["--help"], ["-h"], ["help"]):
            p = self.ws.cli(*argv, db=False, check=False)
            self.assertEqual(p.returncode, 0, p)
            self.assertIn("tokens revoke", p.stdout)
        p = self.ws.cli("--version", db=False, check=False)
        self.assertEqual(p.returncode, 0, p)
        self.assertRegex(p.stdout, r"^agentperf \d+\.\d+\.\d+\n$")

    def test_migrate(self):
        p = self.cli("migrate")
        self.assertEqual(p.returncode, 0, p)
        self.assertRegex(p.stdout, r"^schema version [1-9]\d*\n$")
        self.assertEqual(self.cli("migrate").stdout, p.stdout, "migrate is idempotent")


# Bytes a terminal obeys: C0 (ESC, BEL, CR, BS), DEL and C1 (U+009B is CSI).
TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e]")


class TerminalEscapes(unittest.TestCase):
    """Question text, labels, ids and messages from input never reach the
    terminal as control characters (issue 21, item 5)."""

    HOSTILE = "\x1b]0;owned\x07reset my password\x1b[2J\rFAKE \u009b31m\u202e"

    def setUp(self):
        self.ws = Workspace("ap-cli-esc-")
        self.addCleanup(self.ws.cleanup)
        self.ws.create_account("acme")

    def assert_clean(self, text, what):
        self.assertIsNone(TERMINAL_CONTROLS.search(text), "%s: %r" % (what, text[:400]))

    def test_gaps_and_problem_lines_are_escaped(self):
        lines = ndjson([
            event("q1", "question.asked", "c1", text=self.HOSTILE, answered=False),
            event("q2", "question.asked", "c2", text=self.HOSTILE + " again", answered=False),
            event("e3", "\x1b]0;type\x07"),
        ])
        p = self.ws.cli("ingest", "--account", "acme", input=lines.decode(), check=False)
        self.assertIn("stored 2", p.stdout)
        self.assert_clean(p.stderr, "ingest problems")
        self.assertIn("\\u001b]0;type\\u0007", p.stderr)
        listed = self.ws.cli("gaps", "list", "--account", "acme").stdout
        self.assert_clean(listed, "gaps list")
        self.assertIn("\\u001b]0;owned\\u0007reset my password", listed)
        topic = re.search(r"^\s+(\d+)\s", listed.splitlines()[1]).group(1)
        for fmt in ("table", "json"):
            shown = self.ws.cli("gaps", "show", topic, "--account", "acme", "--format", fmt).stdout
            self.assert_clean(shown, "gaps show --format " + fmt)
            self.assertIn("\\u001b[2J", shown)
        self.assertEqual(json.loads(self.ws.cli("gaps", "show", topic, "--account", "acme",
                                                "--format", "json").stdout)["topic"]["id"],
                         int(topic))

    def test_labels_refuse_control_characters(self):
        self.ws.cli("ingest", "--account", "acme", input=ndjson([
            event("q1", "question.asked", "c1", text="reset my password", answered=False)
        ]).decode())
        listed = self.ws.cli("gaps", "list", "--account", "acme").stdout
        topic = re.search(r"^\s+(\d+)\s", listed.splitlines()[1]).group(1)
        p = self.ws.cli("gaps", "rename", topic, "evil\x1b[2J", "--account", "acme", check=False)
        self.assertEqual(p.returncode, EXIT_FAILED, p.stderr)
        self.assertIn("control characters", p.stderr)
        self.assert_clean(p.stderr, "rename error")

    def test_usage_errors_are_escaped(self):
        p = self.ws.cli("tokens", "create", "--account", "acme", "--role", "\x1b]0;x\x07",
                        check=False)
        self.assertEqual(p.returncode, EXIT_USAGE)
        self.assert_clean(p.stderr, "usage error")
        p = self.ws.cli("report", "--account", "acme", "--format", "\x1b[2J", check=False)
        self.assertEqual(p.returncode, EXIT_USAGE)
        self.assert_clean(p.stderr, "usage error")


if __name__ == "__main__":
    unittest.main()
