"""Hand-worked report fixtures (docs/metrics.md has the definitions). One small
account in Europe/Oslo; every expected figure below was worked out by hand from
SPEC §3-4, including a DST week, rates with a zero denominator, a conversation
whose start arrives last, a not-helpful rating that turns an assumed resolution
into a plain deflection, and a quiet conversation that a late event takes back."""
import json
import os
import subprocess
import tempfile
import unittest

import apserver

BIN = os.environ.get("AGENTPERF_BIN", "build/release/agentperf")
TMP = os.environ.get("AP_TEST_TMP", tempfile.gettempdir())

E = lambda **kw: kw
EVENTS = [
    # c1: agent-confirmed resolution after 300 s; week of 2026-11-02.
    E(id="c1s", type="conversation.started", at="2026-11-02T08:00:00Z", conversation_id="c1", channel="chat"),
    E(id="c1q", type="question.asked", at="2026-11-02T08:01:00Z", conversation_id="c1", text="Where is my parcel?", answered=True),
    E(id="c1r", type="conversation.resolved", at="2026-11-02T08:05:00Z", conversation_id="c1", by="agent"),
    # c2: answered, then quiet for 72 h: an assumed resolution (120 s), rated helpful.
    E(id="c2s", type="conversation.started", at="2026-10-26T08:00:00Z", conversation_id="c2", channel="chat"),
    E(id="c2q", type="question.asked", at="2026-10-26T08:02:00Z", conversation_id="c2", text="Opening hours?", answered=True),
    E(id="c2f", type="feedback.submitted", at="2026-10-26T08:03:00Z", conversation_id="c2", rating="helpful"),
    # c3: answered, quiet, but rated not helpful: a deflection, not a resolution.
    E(id="c3s", type="conversation.started", at="2026-10-26T09:00:00Z", conversation_id="c3", channel="email"),
    E(id="c3q", type="question.asked", at="2026-10-26T09:01:00Z", conversation_id="c3", text="Refund?", answered=True),
    E(id="c3f", type="feedback.submitted", at="2026-10-26T09:02:00+01:00", conversation_id="c3", rating="not_helpful"),
    # c4: handed off with ticket T1, closed two hours later by m2.
    E(id="c4s", type="conversation.started", at="2026-11-03T10:00:00Z", conversation_id="c4", channel="chat"),
    E(id="c4q", type="question.asked", at="2026-11-03T10:01:00Z", conversation_id="c4", text="Change my plan", answered=False),
    E(id="c4h", type="conversation.handed_off", at="2026-11-03T10:02:00Z", conversation_id="c4",
      member_id="m1", member_name="Kari Nordmann", ticket_id="T1", reason="missing_knowledge"),
    E(id="c4t", type="ticket.closed", at="2026-11-03T12:02:00Z", conversation_id="c4", ticket_id="T1", member_id="m2"),
    # the team's first reply after the handoff, 600 s after it (a later one does not count)
    E(id="c4r", type="human.replied", at="2026-11-03T10:12:00Z", conversation_id="c4", member_id="m1", text="On it."),
    E(id="c4r2", type="human.replied", at="2026-11-03T11:00:00Z", conversation_id="c4", member_id="m1", text="Done."),
    # c5: a human-handled conversation resolved by m1: counted for the team, not handled.
    E(id="c5s", type="conversation.started", at="2026-11-03T11:00:00Z", conversation_id="c5", channel="voice", handler="human"),
    E(id="c5r", type="conversation.resolved", at="2026-11-03T11:30:00Z", conversation_id="c5", by="human", member_id="m1"),
    # c6: its question comes first, its start arrives last (see the order below).
    E(id="c6q", type="question.asked", at="2026-11-04T10:01:00Z", conversation_id="c6", text="Do you ship to Norway?", answered=True),
    # c7 and c8: around the end of DST in Oslo (2026-10-25 03:00 CEST -> 02:00 CET).
    E(id="c7s", type="conversation.started", at="2026-10-25T23:30:00Z", conversation_id="c7", channel="chat"),
    E(id="c7c", type="conversation.closed", at="2026-10-25T23:40:00Z", conversation_id="c7"),
    E(id="c8s", type="conversation.started", at="2026-10-25T22:30:00Z", conversation_id="c8", channel="chat"),
    E(id="c8c", type="conversation.closed", at="2026-10-25T22:40:00Z", conversation_id="c8"),
    E(id="c6s", type="conversation.started", at="2026-11-04T10:00:00Z", conversation_id="c6", channel="chat"),
]

WEEKS = ["2026-08-10", "2026-08-17", "2026-08-24", "2026-08-31", "2026-09-07", "2026-09-14",
         "2026-09-21", "2026-09-28", "2026-10-05", "2026-10-12", "2026-10-19", "2026-10-26", "2026-11-02"]


# At the default page's now (2026-11-04T12:00Z) c6 has not gone quiet: the
# week of 2026-11-02 is provisional, and now cuts it short (partial).
OPEN_WEEK = "2026-11-02"


def flags(w, open_week=OPEN_WEEK):
    return {"provisional": w == open_week, "partial": w == open_week}


def counts(values):
    return [{"bucket": w, "count": values.get(w, 0), **flags(w)} for w in WEEKS]


def rates(pairs):
    rows = []
    for w in WEEKS:
        num, den = pairs.get(w, (0, 0))
        rows.append({"bucket": w, "rate": None if den == 0 else num / den, "numerator": num, "denominator": den,
                     **flags(w)})
    return rows


class Fixtures(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.db = apserver.new_db("fixtures")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(cls.db + suffix):
                os.remove(cls.db + suffix)
        cls.cli("accounts", "create", "fx", "--time-zone", "Europe/Oslo")
        cls.cli("ingest", "--account", "fx", input="".join(json.dumps(e) + "\n" for e in EVENTS))

    @classmethod
    def cli(cls, *args, input=None, ok=True):
        r = subprocess.run([BIN, *args, "--db", cls.db], input=input, capture_output=True,
                           text=True, timeout=60)
        if ok and r.returncode != 0:
            raise AssertionError("%s failed: %s" % (args, r.stderr))
        return r

    def report(self, now, *args):
        r = self.cli("report", "--account", "fx", "--now", now, *args)
        return json.loads(r.stdout)

    def test_default_page(self):
        doc = self.report("2026-11-04T12:00:00Z")
        self.assertEqual((doc["from"], doc["to"], doc["granularity"], doc["channel"]),
                         ("2026-08-10", "2026-11-09", "week", None))
        r = doc["reports"]
        self.assertEqual(r["impact"], {
            "this_week": {"week": "2026-11-02", "handled": 3, "resolved": 1, "avg_resolution_seconds": 300,
                          "deflected": 1, "deflection_rate": 1 / 3, "helpful": 0, "ratings": 0,
                          "helpful_share": None, "provisional": True, "partial": True},
            "previous_week": {"week": "2026-10-26", "handled": 3, "resolved": 1, "avg_resolution_seconds": 120,
                              "deflected": 3, "deflection_rate": 1.0, "helpful": 1, "ratings": 2,
                              "helpful_share": 0.5, "provisional": False, "partial": False},
            # c8 starts 23:30 local on Sunday 2026-10-25, in the week of the 19th
            "week_before": {"week": "2026-10-19", "handled": 1, "resolved": 0, "avg_resolution_seconds": None,
                            "deflected": 1, "deflection_rate": 1.0, "helpful": 0, "ratings": 0,
                            "helpful_share": None, "provisional": False, "partial": False}})
        self.assertEqual(r["handled_over_time"], counts({"2026-10-19": 1, "2026-10-26": 3, "2026-11-02": 3}))
        self.assertEqual(r["handled_by_channel"], [{"channel": "chat", "count": 6}, {"channel": "email", "count": 1}])
        self.assertEqual(r["feedback_trend"], [{"bucket": w, "helpful": int(w == "2026-10-26"),
                                               "not_helpful": int(w == "2026-10-26"), **flags(w)} for w in WEEKS])
        self.assertEqual(r["handling_rate_over_time"],
                         rates({"2026-10-19": (1, 1), "2026-10-26": (3, 3), "2026-11-02": (3, 4)}))
        self.assertEqual(r["resolution_rate"], {"rate": 2 / 7, "numerator": 2, "denominator": 7})
        self.assertEqual(r["resolution_rate_over_time"],
                         rates({"2026-10-19": (0, 1), "2026-10-26": (1, 3), "2026-11-02": (1, 3)}))
        self.assertEqual(r["resolved_over_time"], counts({"2026-10-26": 1, "2026-11-02": 1}))
        self.assertEqual(r["deflection_rate_over_time"],
                         rates({"2026-10-19": (1, 1), "2026-10-26": (3, 3), "2026-11-02": (1, 3)}))
        self.assertEqual(r["deflections_over_time"], counts({"2026-10-19": 1, "2026-10-26": 3, "2026-11-02": 1}))
        self.assertEqual(r["team"], [{"resolver": "agent", "name": None, "resolved": 2},
                                     {"resolver": "m1", "name": "Kari Nordmann", "resolved": 1},
                                     {"resolver": "m2", "name": None, "resolved": 1}])
        self.assertEqual(r["handoff_rate_over_time"],
                         rates({"2026-10-19": (0, 1), "2026-10-26": (0, 3), "2026-11-02": (1, 3)}))
        self.assertEqual(r["handoffs_over_time"], counts({"2026-11-02": 1}))
        self.assertEqual(r["handoff_outcomes"], {"handoffs": 1, "converted": 1, "conversion_rate": 1.0,
                                                 "avg_close_seconds": 7200, "replied": 1,
                                                 "avg_first_reply_seconds": 600})
        self.assertEqual(r["questions_over_time"], [
            {"bucket": w, "asked": {"2026-10-26": 2, "2026-11-02": 3}.get(w, 0),
             "unanswered": {"2026-11-02": 1}.get(w, 0), **flags(w)} for w in WEEKS])
        self.assertEqual(r["handoffs_by_reason"], [{"reason": "missing_knowledge", "handoffs": 1, "converted": 1,
                                                    "conversion_rate": 1.0, "avg_close_seconds": 7200,
                                                    "replied": 1, "avg_first_reply_seconds": 600}])
        self.assertEqual(r["handoffs_by_assignee"], [{"assignee": "m1", "name": "Kari Nordmann", "handoffs": 1,
                                                      "converted": 1, "conversion_rate": 1.0,
                                                      "avg_close_seconds": 7200, "replied": 1,
                                                      "avg_first_reply_seconds": 600}])

    def test_dst_days(self):
        """c8 starts 23:30 local on Sunday the 25th (UTC+2 until 01:00 UTC); c7 at 00:30 on the 26th (UTC+1)."""
        doc = self.report("2026-11-04T12:00:00Z", "--granularity", "day", "--from", "2026-10-24",
                          "--to", "2026-10-28", "handled_over_time")
        settled = {"provisional": False, "partial": False}
        self.assertEqual(doc["reports"]["handled_over_time"], [
            {"bucket": "2026-10-24", "count": 0, **settled}, {"bucket": "2026-10-25", "count": 1, **settled},
            {"bucket": "2026-10-26", "count": 3, **settled}, {"bucket": "2026-10-27", "count": 0, **settled}])

    def test_month_bucket_cut_by_range(self):
        doc = self.report("2026-11-04T12:00:00Z", "--granularity", "month", "--from", "2026-10-15",
                          "--to", "2026-11-09", "handled_over_time")
        # both buckets are cut by the range; November also holds c6, not yet quiet
        self.assertEqual(doc["reports"]["handled_over_time"], [
            {"bucket": "2026-10-15", "count": 4, "provisional": False, "partial": True},
            {"bucket": "2026-11-01", "count": 3, "provisional": True, "partial": True}])

    def test_partial_only_where_cut(self):
        """A whole past month is neither; a day bucket is cut only by now."""
        doc = self.report("2026-11-04T12:00:00Z", "--granularity", "month", "--from", "2026-10-01",
                          "--to", "2026-11-01", "handled_over_time")
        self.assertEqual(doc["reports"]["handled_over_time"], [
            {"bucket": "2026-10-01", "count": 4, "provisional": False, "partial": False}])
        doc = self.report("2026-11-04T12:00:00Z", "--granularity", "day", "--from", "2026-11-03",
                          "--to", "2026-11-06", "handled_over_time")
        self.assertEqual([(r["bucket"], r["provisional"], r["partial"]) for r in doc["reports"]["handled_over_time"]],
                         [("2026-11-03", False, False), ("2026-11-04", True, True), ("2026-11-05", False, True)])

    def test_quiet_conversation_turns_into_resolution_and_back(self):
        """c6's last event is 2026-11-04T10:01Z: from 2026-11-07T10:01Z it has ended."""
        before = self.report("2026-11-07T10:00:59.999999Z", "impact")["reports"]["impact"]["this_week"]
        after = self.report("2026-11-07T10:01:00Z", "impact")["reports"]["impact"]["this_week"]
        self.assertEqual((before["resolved"], before["deflected"], before["provisional"]), (1, 1, True))
        self.assertEqual((after["resolved"], after["deflected"], after["avg_resolution_seconds"]), (2, 2, 180))
        self.assertFalse(after["provisional"])  # c6 has gone quiet: nothing left to change
        # A late event, sent now but dated before that instant, takes it back.
        late = {"id": "c6late", "type": "question.asked", "at": "2026-11-06T09:00:00Z",
                "conversation_id": "c6", "text": "And to Sweden?", "answered": False}
        db = self.__class__.db
        try:
            self.cli("ingest", "--account", "fx", input=json.dumps(late) + "\n")
            again = self.report("2026-11-07T10:01:00Z", "impact")["reports"]["impact"]["this_week"]
            self.assertEqual((again["resolved"], again["deflected"]), (1, 1))
            # ...until it goes quiet again, 72 hours after the late event.
            later = self.report("2026-11-09T09:00:00Z", "--from", "2026-11-02", "--to", "2026-11-09",
                                "resolution_rate")["reports"]["resolution_rate"]
            self.assertEqual(later, {"rate": 2 / 3, "numerator": 2, "denominator": 3})
        finally:
            if apserver.BACKEND == "sqlite":
                self.assertTrue(os.path.exists(db))
            apserver.drop_db(db)
            self.__class__.setUpClass()

    def test_channel_filter(self):
        doc = self.report("2026-11-04T12:00:00Z", "--channel", "email", "resolution_rate", "handled_by_channel")
        self.assertEqual(doc["channel"], "email")
        self.assertEqual(doc["reports"], {"resolution_rate": {"rate": 0.0, "numerator": 0, "denominator": 1},
                                          "handled_by_channel": [{"channel": "email", "count": 1}]})

    def test_channel_never_seen_is_said(self):
        doc = self.report("2026-11-04T12:00:00Z", "--channel", "fax", "resolution_rate")
        self.assertEqual(doc["warnings"], [{"field": "channel", "message":
                                            'no conversation of this account was ever on channel "fax"'}])
        self.assertEqual(doc["reports"]["resolution_rate"], {"rate": None, "numerator": 0, "denominator": 0})
        r = self.cli("report", "--account", "fx", "--channel", "fax", "--format", "table")
        self.assertIn('no conversation of this account was ever on channel "fax"', r.stderr)
        # a channel the account has: no warning, in JSON or on stderr
        r = self.cli("report", "--account", "fx", "--channel", "voice", "--now", "2026-11-04T12:00:00Z")
        self.assertNotIn("warnings", json.loads(r.stdout))
        self.assertEqual(r.stderr, "")

    def test_rating_lists_carry_the_comments(self):
        """The lists of a rating show the ratings as stored, not helpful ones first; others none."""
        late = [{"id": "c3f2", "type": "feedback.submitted", "at": "2026-10-26T08:30:00Z", "conversation_id": "c3",
                 "rating": "helpful", "comment": "Quick, thanks"},
                {"id": "c3f3", "type": "feedback.submitted", "at": "2026-10-26T09:30:00Z", "conversation_id": "c3",
                 "rating": "not_helpful", "comment": "Still no refund, and a comma"}]
        try:
            self.cli("ingest", "--account", "fx", input="".join(json.dumps(e) + "\n" for e in late))
            rows = lambda metric, fmt="ndjson": self.cli("conversations", "--account", "fx", "--now", "2026-11-04T12:00:00Z",
                                                         "--metric", metric, "--format", fmt).stdout
            got = [json.loads(line) for line in rows("not_helpful").splitlines()]
            self.assertEqual([c["id"] for c in got], ["c3"])
            self.assertEqual([(f["id"], f["rating"]) for f in got[0]["feedback"]],
                             [("c3f", "not_helpful"), ("c3f3", "not_helpful"), ("c3f2", "helpful")])
            self.assertIn(',"not_helpful | not_helpful: Still no refund, and a comma | helpful: Quick, thanks"',
                          rows("not_helpful", "csv"))
            self.assertEqual(sorted(json.loads(line)["id"] for line in rows("helpful").splitlines()), ["c2", "c3"])
            self.assertTrue(all(json.loads(line)["feedback"] is None for line in rows("handled").splitlines()))
        finally:
            apserver.drop_db(self.__class__.db)
            self.__class__.setUpClass()

    def csv(self, *reports):
        """CSV bytes as printed (text mode would hide the CRLF line ends)."""
        r = subprocess.run([BIN, "report", "--account", "fx", "--db", self.db, "--now",
                            "2026-11-04T12:00:00Z", "--format", "csv", *reports],
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.decode()

    def test_csv_and_table(self):
        self.assertEqual(self.csv("handoffs_by_reason"), "reason,handoffs,converted,conversion_rate,avg_close_seconds,"
                                   "replied,avg_first_reply_seconds\r\nmissing_knowledge,1,1,1,7200,1,600\r\n")
        text = self.csv("impact", "resolution_rate")
        self.assertIn("# impact\r\nperiod,week,handled,resolved,avg_resolution_seconds,deflected,"
                      "deflection_rate,helpful,ratings,helpful_share,provisional,partial\r\n"
                      "this_week,2026-11-02,3,1,300,1,0.3333333333333333,0,0,,true,true\r\n", text)
        self.assertIn("# resolution_rate\r\nrate,numerator,denominator\r\n0.2857142857142857,2,7\r\n", text)
        r = self.cli("report", "--account", "fx", "--now", "2026-11-04T12:00:00Z", "--format", "table", "team")
        self.assertIn("Kari Nordmann", r.stdout)
        # Tables are for people: percentages, durations, yes / no (JSON and CSV stay exact).
        r = self.cli("report", "--account", "fx", "--now", "2026-11-04T12:00:00Z", "--format", "table",
                     "impact", "resolution_rate", "handoff_outcomes")
        rows = {line.split()[0]: line.split() for line in r.stdout.splitlines() if line.strip()}
        self.assertEqual(rows["this_week"], ["this_week", "2026-11-02", "3", "1", "5", "min", "0", "s", "1", "33.3%",
                                             "0", "0", "-", "yes", "yes"])
        self.assertIn("28.6%", rows)  # resolution_rate: 2 / 7
        self.assertEqual(rows["1"], ["1", "1", "100.0%", "2", "h", "0", "min", "1", "10", "min", "0", "s"])  # handoff_outcomes

    def test_bad_parameters_name_the_parameter(self):
        cases = [(["--from", "2026-11-01"], "to"), (["--from", "2026-02-30", "--to", "2026-03-01"], "from"),
                 (["--from", "2026-03-01", "--to", "2026-03-01"], "to"), (["--granularity", "year"], "granularity"),
                 (["--channel", "Chat"], "channel"), (["--format", "xml"], "format"), (["--now", "yesterday"], "now"),
                 (["nonsense_report"], "nonsense_report")]
        for args, field in cases:
            r = self.cli("report", "--account", "fx", *args, ok=False)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn(field, r.stderr, args)

    def test_time_zone_change_rebuilds(self):
        """In UTC, c7 (23:30Z on the 25th) falls on Sunday the 25th with c8."""
        try:
            self.cli("accounts", "update", "fx", "--time-zone", "UTC")
            doc = self.report("2026-11-04T12:00:00Z", "--granularity", "day", "--from", "2026-10-25",
                              "--to", "2026-10-27", "handled_over_time")
            self.assertEqual(doc["time_zone"], "UTC")
            settled = {"provisional": False, "partial": False}
            self.assertEqual(doc["reports"]["handled_over_time"], [
                {"bucket": "2026-10-25", "count": 2, **settled}, {"bucket": "2026-10-26", "count": 2, **settled}])
        finally:
            self.cli("accounts", "update", "fx", "--time-zone", "Europe/Oslo")


if __name__ == "__main__":
    unittest.main()
