"""Property test of the reports: random event streams — several time zones and
channels, handoffs with and without tickets, human resolutions, feedback, quiet
conversations around the inactivity edge, shuffled order, exact and conflicting
duplicates, several ingest calls — must give the same document from the fast
path (`agentperf report --now T`) as from the brute-force reference, for
several `now` values, granularities, ranges and channel filters."""
import datetime as dt
import json
import os
import random
import subprocess
import tempfile
import unittest

import apserver

import reference

BIN = os.environ.get("AGENTPERF_BIN", "build/release/agentperf")
TMP = os.environ.get("AP_TEST_TMP", tempfile.gettempdir())
ZONES = ["Europe/Oslo", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "UTC"]
CHANNELS = ["chat", "email", "voice"]
REASONS = [None, "policy", "missing_knowledge", "customer_request"]
MEMBERS = ["m1", "m2", "m3"]
HOUR = 3600


def stamp(seconds, rng):
    """An RFC 3339 text for a UTC second count, in a random offset notation."""
    offset = rng.choice([0, 0, 60, -300, 330, 345])
    local = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=seconds + offset * 60)
    frac = rng.choice(["", "", ".5", ".250", ".000001"])
    if offset == 0:
        return local.strftime("%Y-%m-%dT%H:%M:%S") + frac + rng.choice(["Z", "+00:00"])
    sign = "+" if offset > 0 else "-"
    return local.strftime("%Y-%m-%dT%H:%M:%S") + frac + "%s%02d:%02d" % (sign, abs(offset) // 60, abs(offset) % 60)


def conversation(rng, cid, base, counter, tickets):
    """The events of one random conversation, starting near `base` (UTC seconds)."""
    events = []

    def add(kind, t, **fields):
        counter[0] += 1
        e = {"id": "e%05d" % counter[0], "type": kind, "at": stamp(t, rng), "conversation_id": cid}
        e.update({k: v for k, v in fields.items() if v is not None})
        events.append(e)

    t = base + rng.randrange(0, 14 * 24 * HOUR)
    if rng.random() < 0.93:
        add("conversation.started", t, channel=rng.choice(CHANNELS),
            handler=rng.choice([None, None, None, "agent", "human"]))
        if rng.random() < 0.1:  # a second, later start: the earliest counts
            add("conversation.started", t + 60, channel=rng.choice(CHANNELS))
    for _ in range(rng.randrange(0, 4)):
        t += rng.randrange(10, 600)
        add("question.asked", t, text="question %d" % rng.randrange(100),
            answered=rng.random() < 0.6,
            language=rng.choice([None, None, "nb", "en", "nb-NO", "EN-us", "de"]))
    if rng.random() < 0.35:
        t += rng.randrange(10, 600)
        ticket = None
        if rng.random() < 0.7:
            ticket = "T%d" % rng.randrange(10_000)
            tickets.append((cid, ticket))
        add("conversation.handed_off", t, member_id=rng.choice(MEMBERS + [None]),
            member_name=rng.choice([None, "Kari", "Ola"]), ticket_id=ticket, reason=rng.choice(REASONS))
        for _ in range(rng.choice([0, 0, 1, 2])):  # replies, some before the handoff (not counted)
            add("human.replied", t + rng.randrange(-600, 3 * HOUR), member_id=rng.choice(MEMBERS),
                text="reply")
        if rng.random() < 0.5:
            close_at = t + rng.randrange(-HOUR, 5 * 24 * HOUR)
            add("ticket.closed", close_at, ticket_id=ticket or "T-none-%s" % cid,
                member_id=rng.choice(MEMBERS + [None]))
    r = rng.random()
    if r < 0.2:
        add("conversation.resolved", t + rng.randrange(1, 3600), by="agent")
    elif r < 0.35:
        add("conversation.resolved", t + rng.randrange(1, 3600), by="human", member_id=rng.choice(MEMBERS))
    if rng.random() < 0.3:
        add("conversation.closed", t + rng.randrange(1, 7200))
    for _ in range(rng.randrange(0, 3) if rng.random() < 0.4 else 0):
        add("feedback.submitted", t + rng.randrange(1, 7200),
            rating=rng.choice(["helpful", "not_helpful"]))
    return events


def cross_ticket_closes(rng, tickets, counter):
    """Ticket closes sent under another conversation's id."""
    events = []
    for cid, ticket in rng.sample(tickets, min(len(tickets), 3)):
        counter[0] += 1
        events.append({"id": "e%05d" % counter[0], "type": "ticket.closed",
                       "at": stamp(1_790_000_000 + rng.randrange(0, 40 * 24 * HOUR), rng),
                       "conversation_id": "other-" + cid, "ticket_id": ticket})
    return events


def variant(rng, e):
    """The same event with other key order and, sometimes, an extra field."""
    items = list(e.items())
    rng.shuffle(items)
    out = dict(items)
    if rng.random() < 0.5:
        out["x_unknown"] = 1
    return out


def run(*args, stdin=None):
    return subprocess.run([BIN, *args], input=stdin, capture_output=True, text=True, timeout=120)


class ReportProperty(unittest.TestCase):
    def check_seed(self, seed):
        rng = random.Random(seed)
        zone = rng.choice(ZONES)
        inactivity = rng.choice([1, 24, 72])
        counter, tickets, events = [0], [], []
        base = 1_790_000_000 + rng.randrange(0, 90) * 24 * HOUR  # around late 2026
        for i in range(rng.randrange(20, 60)):
            events += conversation(rng, "c%d" % i, base, counter, tickets)
        events += cross_ticket_closes(rng, tickets, counter)
        # The stream as sent: shuffled, with exact duplicates and conflicts.
        sent = list(events)
        for e in rng.sample(events, len(events) // 6):
            sent.append(variant(rng, e))
        for e in rng.sample(events, len(events) // 15):
            bad = dict(e)
            bad["conversation_id"] = e["conversation_id"] + "-x"
            sent.append(bad)
        rng.shuffle(sent)
        stored = {}
        for e in sent:
            stored.setdefault(e["id"], e)

        db = apserver.new_db("property-%d" % seed)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        self.assertEqual(run("accounts", "create", "p", "--db", db, "--time-zone", zone,
                             "--inactivity-hours", str(inactivity)).returncode, 0)
        cut = sorted(rng.sample(range(1, len(sent)), 3))
        for part in (sent[:cut[0]], sent[cut[0]:cut[1]], sent[cut[1]:cut[2]], sent[cut[2]:]):
            lines = "".join(json.dumps(e) + "\n" for e in part)
            r = run("ingest", "--account", "p", "--db", db, "--batch", str(rng.choice([1, 7, 5000])),
                    "--quiet", stdin=lines)
            self.assertIn(r.returncode, (0, 1), r.stderr)

        values = list(stored.values())
        last = max(reference.parse_at(e["at"]) for e in values) // 1_000_000
        # Instants on the inactivity edge of some conversations: exactly when they
        # go quiet, and a microsecond either side.
        last_by_conv = {}
        for e in values:
            at = reference.parse_at(e["at"])
            last_by_conv[e["conversation_id"]] = max(at, last_by_conv.get(e["conversation_id"], at))
        edges = [at + inactivity * HOUR * 1_000_000 for at in rng.sample(sorted(last_by_conv.values()), 2)]
        nows_us = [edge + d for edge in edges for d in (-1, 0, 1)] + \
                  [(base + 7 * 24 * HOUR + rng.randrange(0, 3600)) * 1_000_000,
                   (last + 30 * 24 * HOUR) * 1_000_000 + 500_000]
        members = reference.member_names(values)
        listed = set(rng.sample(nows_us, 2))  # instants whose lists are checked too
        for now_us in nows_us:
            now_text = reference.document("p", zone, inactivity, [], now_us)["now"]
            options = [([], {})]
            granularity = rng.choice(["day", "week", "month"])
            local = (dt.datetime(1970, 1, 1) + dt.timedelta(seconds=base)).date()
            date_from = local - dt.timedelta(days=rng.randrange(0, 10))
            date_to = date_from + dt.timedelta(days=rng.randrange(1, 70))
            options.append((["--granularity", granularity, "--from", date_from.isoformat(),
                             "--to", date_to.isoformat()],
                            {"granularity": granularity, "date_from": date_from, "date_to": date_to}))
            ch = rng.choice(CHANNELS)
            options.append((["--channel", ch], {"channel": ch}))
            lang = rng.choice(["nb", "en", "de", "und", "fr"])
            both = rng.random() < 0.3
            options.append((["--language", lang] + (["--channel", ch] if both else []),
                            dict({"language": lang}, **({"channel": ch} if both else {}))))
            for flags, kwargs in options:
                r = run("report", "--account", "p", "--db", db, "--now", now_text, *flags)
                self.assertEqual(r.returncode, 0, r.stderr)
                got = json.loads(r.stdout)
                want = reference.document("p", zone, inactivity, [dict(e) for e in values], now_us,
                                          members=members, **kwargs)
                for name in reference.REPORTS:
                    self.assertEqual(got["reports"][name], want["reports"][name],
                                     "seed %d zone %s now %s flags %s report %s" %
                                     (seed, zone, now_text, flags, name))
                self.assertEqual({k: v for k, v in got.items() if k != "reports"},
                                 {k: v for k, v in want.items() if k != "reports"})
                if now_us in listed:
                    self.check_list(db, zone, inactivity, values, now_us, now_text, flags, kwargs, rng)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        apserver.drop_db(db)

    def check_list(self, db, zone, inactivity, values, now_us, now_text, flags, kwargs, rng):
        """The conversations behind one random figure: the same ids, in the same
        order, with the same derived state as the reference; and JSON pages of
        a random size that join into the same list."""
        metric = rng.choice(sorted(reference.METRICS))
        list_flags = [f for f in flags if f != "--granularity" and f not in ("day", "week", "month")]
        narrow = rng.choice([{}, {}, {"language": rng.choice(["nb", "en", "de", "und"])},
                             {"assignee": rng.choice(MEMBERS)}])
        if "language" in kwargs:
            narrow.pop("language", None)  # the page's own language filter holds for its lists
        for key, value in narrow.items():
            list_flags += ["--" + key, value]
        r = run("conversations", "--account", "p", "--db", db, "--now", now_text, "--metric", metric,
                "--format", "ndjson", *list_flags)
        self.assertEqual(r.returncode, 0, r.stderr)
        got = [json.loads(line) for line in r.stdout.splitlines()]
        want = reference.conversations(zone, inactivity, [dict(e) for e in values], now_us, metric=metric,
                                       **narrow, **{k: v for k, v in kwargs.items() if k != "granularity"})
        seconds = lambda us: None if us is None else us / 1e6
        simplified = [{"id": c["id"], "started_us": reference.parse_at(c["started_at"]),
                       **{k: c[k] for k in ("channel", "handled", "handed_off", "handoff_reason", "deflected",
                                            "resolved_by_agent", "resolver", "converted", "helpful",
                                            "not_helpful", "questions", "unanswered", "provisional",
                                            "ticket")},
                       "resolution": c["resolution_seconds"], "close": c["close_seconds"]} for c in got]
        expected = [{**{k: v for k, v in w.items() if k not in ("resolution_us", "close_us")},
                     "resolution": seconds(w["resolution_us"]), "close": seconds(w["close_us"])} for w in want]
        self.assertEqual(simplified, expected, "conversations --metric %s %s at %s" % (metric, flags, now_text))
        if flags:
            return  # paging once per instant is enough
        pages, cursor, size = [], None, max(1, len(want) // 4)
        for _ in range(len(want) + 2):
            page_flags = ["--limit", str(rng.randrange(size, size + 3))] + (["--cursor", cursor] if cursor else [])
            r = run("conversations", "--account", "p", "--db", db, "--now", now_text, "--metric", metric,
                    "--format", "json", *list_flags, *page_flags)
            self.assertEqual(r.returncode, 0, r.stderr)
            doc = json.loads(r.stdout)
            pages += [c["id"] for c in doc["conversations"]]
            cursor = doc["next_cursor"]
            if cursor is None:
                break
        self.assertEqual(pages, [w["id"] for w in want])

    def test_random_streams(self):
        seeds = int(os.environ.get("AP_PROPERTY_SEEDS", "40"))
        for seed in range(seeds):
            with self.subTest(seed=seed):
                self.check_seed(seed)


if __name__ == "__main__":
    unittest.main()
