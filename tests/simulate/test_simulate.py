"""`agentperf simulate` against the real binary: the events it stores are all
valid and feed every report (handled, channels, handoffs, team names, feedback,
unanswered questions), questions come in English and Norwegian, a seed gives
the same events every time (a re-run stores nothing), another seed gives other
ids, bad flags are usage errors naming the option, and --live keeps adding
events until SIGTERM, then exits 0."""
import datetime
import json
import os
import re
import select
import signal
import sqlite3
import subprocess
import time
import unittest

from apserver import BIN, Workspace

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
COUNTS = re.compile(r"stored (\d+), duplicate (\d+), conflict (\d+), rejected (\d+)")
SMALL = ["--weeks", "2", "--conversations-per-day", "40"]


def utc_now_minute():
    """The current time to the minute, so every command of a test agrees on `now`."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)
    return now.strftime("%Y-%m-%dT%H:%M:%SZ")


def counts(stdout):
    """The counts line, as `agentperf ingest` prints it."""
    m = COUNTS.search(stdout)
    if not m:
        raise AssertionError("no counts in %r" % stdout)
    return dict(zip(("stored", "duplicate", "conflict", "rejected"), map(int, m.groups())))


def wait_for_line(stream, needle, timeout):
    """Reads lines from a pipe until one contains needle; False on timeout or EOF."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([stream], [], [], left)[0]:
            return False
        line = stream.readline()
        if not line:
            return False
        if needle in line:
            return True


class Simulate(unittest.TestCase):
    """One small simulation shared by the read-only checks (it takes a second)."""

    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace("ap-sim-")
        cls.now = utc_now_minute()
        cls.ws.create_account("shop", time_zone="Europe/Oslo")
        cls.first = cls.ws.cli("simulate", "--account", "shop", *SMALL, "--now", cls.now)
        report = cls.ws.cli("report", "--account", "shop", "--format", "json", "--now", cls.now)
        cls.report = json.loads(report.stdout)["reports"]
        with sqlite3.connect(cls.ws.db) as db:
            cls.events = [json.loads(body) for (body,) in db.execute("SELECT body FROM events")]

    @classmethod
    def tearDownClass(cls):
        cls.ws.cleanup()

    def of_type(self, type):
        return [e for e in self.events if e["type"] == type]

    def test_everything_stored_nothing_rejected(self):
        c = counts(self.first.stdout)
        self.assertEqual(c["rejected"], 0, self.first.stderr)
        self.assertEqual(c["conflict"], 0, self.first.stderr)
        self.assertGreater(c["stored"], 500)
        self.assertEqual(c["stored"], len(self.events))
        self.assertIn("conversations over 14 days", self.first.stdout)

    def test_events_are_in_the_period(self):
        now = datetime.datetime.fromisoformat(self.now.replace("Z", "+00:00"))
        ats = [datetime.datetime.fromisoformat(e["at"].replace("Z", "+00:00"))
               for e in self.events]
        self.assertLessEqual(max(ats), now, "nothing from the future")
        self.assertGreater(min(ats), now - datetime.timedelta(days=15))
        self.assertTrue(all(e["id"].startswith("sim-1-") for e in self.events))
        self.assertEqual(len({e["id"] for e in self.events}), len(self.events))

    def test_reports_are_fed(self):
        r = self.report
        self.assertGreater(max(b["count"] for b in r["handled_over_time"]), 0)
        self.assertGreater(sum(b["count"] for b in r["handoffs_over_time"]), 0)
        self.assertGreater(sum(b["count"] for b in r["resolved_over_time"]), 0)
        channels = {c["channel"] for c in r["handled_by_channel"]}
        self.assertGreaterEqual(len(channels), 4, channels)
        self.assertIn("chat", channels)
        self.assertGreater(sum(b["helpful"] for b in r["feedback_trend"]), 0)
        self.assertGreater(sum(b["not_helpful"] for b in r["feedback_trend"]), 0)
        self.assertGreater(sum(b["unanswered"] for b in r["questions_over_time"]), 0)
        self.assertGreater(r["handoff_outcomes"]["converted"], 0)

    def test_rates_are_plausible(self):
        r = self.report
        handled = sum(b["count"] for b in r["handled_over_time"])
        handoffs = sum(b["count"] for b in r["handoffs_over_time"])
        self.assertTrue(0.15 <= handoffs / handled <= 0.35, (handoffs, handled))
        rate = r["resolution_rate"]["rate"]
        self.assertTrue(0.3 <= rate <= 0.8, rate)
        # Some conversations go to the team directly (handler "human").
        all_conv = sum(b["denominator"] for b in r["handling_rate_over_time"])
        self.assertLess(handled, all_conv)

    def test_team_has_named_members(self):
        team = self.report["team"]
        self.assertEqual(team[0]["resolver"], "agent")
        members = [t for t in team if t["resolver"] != "agent"]
        self.assertGreaterEqual(len(members), 5, team)
        self.assertTrue(all(t["name"] for t in members), members)
        names = " ".join(t["name"] for t in members)
        self.assertRegex(names, "Nordmann|Hansen|Berg")   # Norwegian
        self.assertRegex(names, "Clarke|Whitfield")       # and English

    def test_handoffs_reasons_tickets_and_replies(self):
        handoffs = self.of_type("conversation.handed_off")
        reasons = {h.get("reason") for h in handoffs}
        self.assertTrue({"missing_knowledge", "customer_request", None} <= reasons, reasons)
        self.assertTrue(any("ticket_id" in h for h in handoffs))
        self.assertTrue(any("ticket_id" not in h for h in handoffs))
        self.assertTrue(self.of_type("ticket.closed"))
        replies = self.of_type("human.replied")
        self.assertTrue(replies)
        self.assertTrue(all(r["member_id"] and r["text"] for r in replies))
        by = {e["by"] for e in self.of_type("conversation.resolved")}
        self.assertEqual(by, {"agent", "human"})
        self.assertTrue(any(e.get("handler") == "human" for e in self.of_type("conversation.started")))

    def test_quiet_conversations_become_assumed_resolutions(self):
        # More conversations count as resolved by the agent than carry an
        # explicit agent resolution: the rest went quiet after an answer.
        confirmed = {e["conversation_id"] for e in self.of_type("conversation.resolved")
                     if e["by"] == "agent"}
        agent = next(t for t in self.report["team"] if t["resolver"] == "agent")
        self.assertGreater(agent["resolved"], len(confirmed))

    def test_feedback_with_and_without_comments(self):
        feedback = self.of_type("feedback.submitted")
        self.assertEqual({f["rating"] for f in feedback}, {"helpful", "not_helpful"})
        self.assertTrue(any("comment" in f for f in feedback))
        self.assertTrue(any("comment" not in f for f in feedback))

    def test_questions_in_english_and_norwegian(self):
        questions = self.of_type("question.asked")
        langs = {q.get("language") for q in questions}
        self.assertTrue({"en", "nb", None} <= langs, langs)
        tagged = sum(1 for q in questions if "language" in q)
        self.assertGreater(tagged / len(questions), 0.7, "language set on most questions")
        nb = [q["text"] for q in questions if q.get("language") == "nb"]
        self.assertTrue(any(re.search("[æøåÆØÅ]", t) for t in nb))
        self.assertGreater(len({q["text"] for q in questions}), 150, "many distinct wordings")
        self.assertEqual({q["answered"] for q in questions}, {True, False})
        texts = [e["text"] for e in self.events if "text" in e]
        self.assertFalse([t for t in texts if "{" in t], "placeholders filled in")

    def test_rerun_with_the_same_seed_stores_nothing(self):
        again = self.ws.cli("simulate", "--account", "shop", *SMALL, "--now", self.now)
        c = counts(again.stdout)
        self.assertEqual(c["stored"], 0, again.stdout)
        self.assertEqual(c["conflict"], 0, again.stderr)
        self.assertEqual(c["duplicate"], counts(self.first.stdout)["stored"])


class Determinism(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace("ap-sim-seed-")
        self.addCleanup(self.ws.cleanup)
        self.now = utc_now_minute()

    def bodies(self, db):
        with sqlite3.connect(db) as c:
            return dict(c.execute("SELECT id, body FROM events"))

    def test_same_seed_same_events_other_seed_other_ids(self):
        self.ws.create_account("a", time_zone="Europe/Oslo")
        other = Workspace("ap-sim-seed2-")
        self.addCleanup(other.cleanup)
        other.create_account("a", time_zone="Europe/Oslo")
        args = ["simulate", "--account", "a", "--weeks", "1", "--conversations-per-day", "30",
                "--seed", "7", "--now", self.now]
        self.ws.cli(*args)
        other.cli(*args)
        first, second = self.bodies(self.ws.db), self.bodies(other.db)
        self.assertEqual(first, second)

        p = self.ws.cli("simulate", "--account", "a", "--weeks", "1",
                        "--conversations-per-day", "30", "--seed", "8", "--now", self.now)
        c = counts(p.stdout)
        self.assertGreater(c["stored"], 0)
        self.assertEqual(c["duplicate"], 0)
        ids = set(self.bodies(self.ws.db)) - set(first)
        self.assertTrue(ids and all(i.startswith("sim-8-") for i in ids))

    def test_more_history_keeps_the_overlap(self):
        # The events of a day do not depend on --weeks or on the daily volume
        # of other days: a longer run over the same seed only adds events.
        self.ws.create_account("a")
        self.ws.cli("simulate", "--account", "a", "--weeks", "1", "--now", self.now,
                    "--conversations-per-day", "20")
        p = self.ws.cli("simulate", "--account", "a", "--weeks", "2", "--now", self.now,
                        "--conversations-per-day", "20")
        c = counts(p.stdout)
        self.assertGreater(c["duplicate"], 0)
        self.assertGreater(c["stored"], 0)
        self.assertEqual(c["conflict"], 0)


class Flags(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace("ap-sim-flags-")
        self.addCleanup(self.ws.cleanup)
        self.ws.create_account("a")

    def fails(self, *args, code=EXIT_USAGE, needle):
        p = self.ws.cli("simulate", *args, check=False)
        self.assertEqual(p.returncode, code, p)
        self.assertIn(needle, p.stderr)
        self.assertNotIn("stored", p.stdout)

    def test_bad_flags_name_the_option(self):
        self.fails("--account", "a", "--weeks", "0", needle="--weeks")
        self.fails("--account", "a", "--weeks", "x", needle="--weeks")
        self.fails("--account", "a", "--weeks", "9999", needle="--weeks")
        self.fails("--account", "a", "--conversations-per-day", "-1",
                   needle="--conversations-per-day")
        self.fails("--account", "a", "--conversations-per-day", "0",
                   needle="--conversations-per-day")
        self.fails("--account", "a", "--seed", "abc", needle="--seed")
        self.fails("--account", "a", "--live", "0", needle="--live")
        self.fails("--account", "a", "--live", "fast", needle="--live")
        self.fails("--account", "a", "--now", "yesterday", needle="--now")
        self.fails("--account", "a", "--now", "2026-11-02T10:00:00Z", "--live", "5",
                   needle="--now")
        self.fails("--weeks", "1", needle="--account")
        self.fails("--account", "a", "--bogus", needle="--bogus")

    def test_unknown_account(self):
        self.fails("--account", "nobody", "--weeks", "1", code=EXIT_FAILED, needle="nobody")

    def test_help_lists_the_options(self):
        p = self.ws.cli("simulate", "--help", db=False)
        for option in ("--account", "--db", "--weeks", "--conversations-per-day", "--seed",
                       "--live", "--now"):
            self.assertIn(option, p.stdout)
        self.assertIn("simulate", self.ws.cli("--help", db=False).stdout)


class Live(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace("ap-sim-live-")
        self.addCleanup(self.ws.cleanup)
        self.ws.create_account("a", time_zone="Europe/Oslo")

    def count(self):
        with sqlite3.connect(self.ws.db, timeout=10) as db:
            return db.execute("SELECT count(*) FROM events").fetchone()[0]

    def test_live_adds_events_until_sigterm(self):
        proc = subprocess.Popen(
            [BIN, "simulate", "--db", self.ws.db, "--account", "a", "--weeks", "1",
             "--conversations-per-day", "20", "--live", "300"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            self.assertTrue(wait_for_line(proc.stderr, "backfill done", 30),
                            "no live notice on stderr")
            before = self.count()
            time.sleep(2)
            after = self.count()
            self.assertIsNone(proc.poll(), "live mode exited on its own")
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=15)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
        self.assertEqual(proc.returncode, 0, err)
        self.assertGreater(after - before, 100, (before, after))
        self.assertLess(after - before, 2000, "about RATE events a second")
        c = counts(out)
        self.assertEqual(c["rejected"], 0)
        self.assertEqual(c["conflict"], 0)
        self.assertEqual(c["stored"], self.count())
        with sqlite3.connect(self.ws.db) as db:
            live = db.execute("SELECT count(*) FROM events WHERE id LIKE 'sim-1-live%'").fetchone()[0]
        self.assertGreater(live, 0)


if __name__ == "__main__":
    unittest.main()
