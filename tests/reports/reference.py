"""An independent reference for SPEC §3-4: the report document computed by brute
force from the set of stored events, written from the spec's text without
looking at the C fast path. Used by the property tests."""
import datetime as dt
from zoneinfo import ZoneInfo

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
REPORTS = ["impact", "handled_over_time", "handled_by_channel", "feedback_trend",
           "handling_rate_over_time", "resolution_rate", "resolution_rate_over_time",
           "resolved_over_time", "deflection_rate_over_time", "deflections_over_time", "team",
           "handoff_rate_over_time", "handoffs_over_time", "handoff_outcomes",
           "questions_over_time", "handoffs_by_reason", "handoffs_by_assignee", "by_language"]


def parse_at(text):
    """RFC 3339 to integer microseconds since the epoch (sub-microsecond digits dropped)."""
    t = text.replace("z", "Z").replace("t", "T")
    frac = ""
    if "." in t:
        head, rest = t.split(".", 1)
        i = 0
        while i < len(rest) and rest[i].isdigit():
            i += 1
        frac, t = rest[:i], head + rest[i:]
    stamp = dt.datetime.fromisoformat(t.replace("Z", "+00:00"))
    seconds = (stamp - EPOCH) // dt.timedelta(seconds=1)
    return seconds * 1_000_000 + int((frac + "000000")[:6] or 0)


def earliest(events):
    return min(events, key=lambda e: (e["_at"], e["id"])) if events else None


def latest(events):
    return max(events, key=lambda e: (e["_at"], e["id"])) if events else None


def derive(cid, events, all_events, inactivity_hours, now):
    """SPEC §3 for one conversation; returns None when it has no start."""
    own = [e for e in events if e["conversation_id"] == cid]
    by_type = lambda t: [e for e in own if e["type"] == t]
    starts = by_type("conversation.started")
    if not starts:
        return None
    start = earliest(starts)
    s = {"started_at": start["_at"], "channel": start["channel"],
         "handled": start.get("handler", "agent") != "human"}
    handoffs = by_type("conversation.handed_off")
    s["handed_off"] = s["handled"] and bool(handoffs)
    first_handoff = earliest(handoffs)
    s["reason"] = (first_handoff.get("reason") or "unspecified") if first_handoff else None
    s["assignee"] = first_handoff.get("member_id") if first_handoff else None
    ratings = by_type("feedback.submitted")
    not_helpful = any(r["rating"] == "not_helpful" for r in ratings)
    resolutions = by_type("conversation.resolved")
    agent_res = earliest([r for r in resolutions if r["by"] == "agent"])
    human_res = earliest([r for r in resolutions if r["by"] == "human"])
    last_event = max(e["_at"] for e in own)
    ended = bool(by_type("conversation.closed")) or agent_res is not None or \
        last_event <= now - inactivity_hours * 3600 * 1_000_000
    questions = by_type("question.asked")
    tagged = earliest([q for q in questions if q.get("language")])
    s["language"] = tagged["language"].replace("_", "-").split("-")[0].lower() if tagged else "und"
    answered = [q for q in questions if q["answered"]]
    agent_side = s["handled"] and not s["handed_off"]
    s["resolved"] = agent_side and not not_helpful and (agent_res is not None or (ended and bool(answered)))
    s["deflected"] = agent_side and ended
    # provisional (§4.1): its figures still change when it goes quiet
    s["open"] = agent_side and not ended
    if s["resolved"]:
        end = agent_res["_at"] if agent_res else latest(answered)["_at"]
        s["resolution_us"] = end - s["started_at"]
    named = {h["ticket_id"] for h in handoffs if h.get("ticket_id")}
    unticketed = any(not h.get("ticket_id") for h in handoffs)
    closes = [e for e in all_events if e["type"] == "ticket.closed" and
              (e["ticket_id"] in named or (unticketed and e["conversation_id"] == cid))]
    first_close = earliest(closes)
    s["ticket"] = None
    if s["handed_off"]:
        s["ticket"] = first_handoff.get("ticket_id") or (first_close.get("ticket_id") if first_close else None)
    if s["resolved"]:
        s["resolver"] = "agent"
    elif human_res is not None:
        s["resolver"] = human_res["member_id"]
    elif first_close is not None:
        s["resolver"] = first_close.get("member_id") or (first_handoff.get("member_id") if first_handoff else None)
    else:
        s["resolver"] = None
    s["converted"] = s["handed_off"] and (first_close is not None or human_res is not None)
    replies = [r for r in by_type("human.replied") if first_handoff and r["_at"] >= first_handoff["_at"]]
    first_reply = earliest(replies) if s["handed_off"] else None
    s["reply_us"] = first_reply["_at"] - first_handoff["_at"] if first_reply else None
    if s["converted"]:
        ends = [x["_at"] for x in (first_close, human_res) if x is not None]
        s["close_us"] = min(ends) - first_handoff["_at"]
    s["helpful"] = sum(1 for r in ratings if r["rating"] == "helpful")
    s["not_helpful"] = sum(1 for r in ratings if r["rating"] == "not_helpful")
    s["asked"] = len(questions)
    s["unanswered"] = len(questions) - len(answered)
    return s


def ratio(num, den):
    return None if den == 0 else num / den


def avg_seconds(values_us):
    return None if not values_us else sum(values_us) / len(values_us) / 1e6


def replies_of(handed):
    """The first-reply figures of handed-off conversations."""
    waits = [s["reply_us"] for s in handed if s["reply_us"] is not None]
    return {"replied": len(waits), "avg_first_reply_seconds": avg_seconds(waits)}


def local_date(us, zone):
    return (EPOCH + dt.timedelta(microseconds=us)).astimezone(zone).date()


def natural_bucket(day, granularity):
    """The first day of the bucket holding day, and the first day after it,
    were the range not to cut it."""
    if granularity == "day":
        return day, day + dt.timedelta(days=1)
    if granularity == "week":
        first = day - dt.timedelta(days=day.weekday())
        return first, first + dt.timedelta(days=7)
    first = day.replace(day=1)
    return first, (first + dt.timedelta(days=32)).replace(day=1)


def bucket_starts(start, end, granularity):
    starts, day = [], start
    while day < end:
        starts.append(day)
        if granularity == "day":
            day = day + dt.timedelta(days=1)
        elif granularity == "week":
            day = day + dt.timedelta(days=7 - day.weekday())
        else:
            day = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return starts


def document(account, zone_name, inactivity_hours, events, now, date_from=None, date_to=None,
             granularity="week", channel=None, members=None, language=None):
    """The full report document for a set of stored events (dicts as sent)."""
    zone = ZoneInfo(zone_name)
    for e in events:
        e["_at"] = parse_at(e["at"])
    started = []
    for cid in sorted({e["conversation_id"] for e in events}):
        s = derive(cid, [e for e in events if e["conversation_id"] == cid], events,
                   inactivity_hours, now)
        if s is not None:
            s["day"] = local_date(s["started_at"], zone)
            started.append(s)
    convs = [s for s in started if (channel is None or s["channel"] == channel) and
             (language is None or s["language"] == language)]
    channel_seen = channel is None or any(s["channel"] == channel for s in started)
    languages_seen = {s["language"] for s in started}
    today = local_date(now, zone)
    monday = today - dt.timedelta(days=today.weekday())
    if date_from is None:
        date_from, date_to = monday - dt.timedelta(weeks=12), monday + dt.timedelta(days=7)
    in_range = [s for s in convs if date_from <= s["day"] < date_to]
    starts = bucket_starts(date_from, date_to, granularity)
    buckets = []
    flags = {}
    for i, b in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else date_to
        ss = [s for s in in_range if b <= s["day"] < end]
        buckets.append((b.isoformat(), ss))
        first, after = natural_bucket(b, granularity)
        flags[b.isoformat()] = {"provisional": any(s["open"] for s in ss),
                                "partial": first != b or after > date_to or today < after}
    count = lambda ss, key: sum(1 for s in ss if s[key])
    flagged = lambda row: {**row, **flags[row["bucket"]]}

    def impact(week_start):
        ss = [s for s in convs if week_start <= s["day"] < week_start + dt.timedelta(days=7)]
        helpful = sum(s["helpful"] for s in ss)
        ratings = helpful + sum(s["not_helpful"] for s in ss)
        return {"week": week_start.isoformat(), "handled": count(ss, "handled"),
                "resolved": count(ss, "resolved"),
                "avg_resolution_seconds": avg_seconds([s["resolution_us"] for s in ss if s["resolved"]]),
                "deflected": count(ss, "deflected"),
                "deflection_rate": ratio(count(ss, "deflected"), count(ss, "handled")),
                "helpful": helpful, "ratings": ratings, "helpful_share": ratio(helpful, ratings),
                "provisional": any(s["open"] for s in ss),
                "partial": today < week_start + dt.timedelta(days=7)}

    def counts(key):
        return [flagged({"bucket": b, "count": count(ss, key)}) for b, ss in buckets]

    def rates(num, den):
        rows = []
        for b, ss in buckets:
            n = count(ss, num)
            d = len(ss) if den is None else count(ss, den)
            rows.append(flagged({"bucket": b, "rate": ratio(n, d), "numerator": n, "denominator": d}))
        return rows

    channels = {}
    for s in in_range:
        if s["handled"]:
            channels[s["channel"]] = channels.get(s["channel"], 0) + 1
    team = {"agent": 0}
    for s in in_range:
        if s["resolver"] is not None:
            team[s["resolver"]] = team.get(s["resolver"], 0) + 1
    handed = [s for s in in_range if s["handed_off"]]
    converted = [s for s in handed if s["converted"]]
    reasons = {}
    for s in handed:
        reasons.setdefault(s["reason"], []).append(s)
    assignees = {}
    for s in handed:
        assignees.setdefault(s["assignee"], []).append(s)
    languages = {}
    for s in in_range:
        languages.setdefault(s["language"], []).append(s)
    members = members or {}
    reports = {
        "impact": {"this_week": impact(monday), "previous_week": impact(monday - dt.timedelta(days=7)),
                   "week_before": impact(monday - dt.timedelta(days=14))},
        "handled_over_time": counts("handled"),
        "handled_by_channel": [{"channel": c, "count": n} for c, n in
                               sorted(channels.items(), key=lambda x: (-x[1], x[0]))],
        "feedback_trend": [flagged({"bucket": b, "helpful": sum(s["helpful"] for s in ss),
                                    "not_helpful": sum(s["not_helpful"] for s in ss)})
                           for b, ss in buckets],
        "handling_rate_over_time": rates("handled", None),
        "resolution_rate": {"rate": ratio(count(in_range, "resolved"), count(in_range, "handled")),
                            "numerator": count(in_range, "resolved"),
                            "denominator": count(in_range, "handled")},
        "resolution_rate_over_time": rates("resolved", "handled"),
        "resolved_over_time": counts("resolved"),
        "deflection_rate_over_time": rates("deflected", "handled"),
        "deflections_over_time": counts("deflected"),
        "team": [{"resolver": r, "name": None if r == "agent" else members.get(r), "resolved": n}
                 for r, n in sorted(team.items(), key=lambda x: (-x[1], x[0]))
                 if n > 0 or r == "agent"],
        "handoff_rate_over_time": rates("handed_off", "handled"),
        "handoffs_over_time": counts("handed_off"),
        "handoff_outcomes": {"handoffs": len(handed), "converted": len(converted),
                             "conversion_rate": ratio(len(converted), len(handed)),
                             "avg_close_seconds": avg_seconds([s["close_us"] for s in converted]),
                             **replies_of(handed)},
        "questions_over_time": [flagged({"bucket": b, "asked": sum(s["asked"] for s in ss),
                                         "unanswered": sum(s["unanswered"] for s in ss)})
                                for b, ss in buckets],
        "handoffs_by_reason": [
            {"reason": r, "handoffs": len(ss), "converted": count(ss, "converted"),
             "conversion_rate": ratio(count(ss, "converted"), len(ss)),
             "avg_close_seconds": avg_seconds([s["close_us"] for s in ss if s["converted"]]),
             **replies_of(ss)}
            for r, ss in sorted(reasons.items(), key=lambda x: (-len(x[1]), x[0]))],
        "handoffs_by_assignee": [
            {"assignee": a, "name": members.get(a) if a else None, "handoffs": len(ss),
             "converted": count(ss, "converted"), "conversion_rate": ratio(count(ss, "converted"), len(ss)),
             "avg_close_seconds": avg_seconds([s["close_us"] for s in ss if s["converted"]]),
             **replies_of(ss)}
            for a, ss in sorted(assignees.items(), key=lambda x: (-len(x[1]), (x[0] or "").encode()))],
        "by_language": [
            {"language": l, "conversations": len(ss), "handled": count(ss, "handled"),
             "resolved": count(ss, "resolved"),
             "resolution_rate": ratio(count(ss, "resolved"), count(ss, "handled")),
             "deflected": count(ss, "deflected"),
             "deflection_rate": ratio(count(ss, "deflected"), count(ss, "handled")),
             "handed_off": count(ss, "handed_off"),
             "handoff_rate": ratio(count(ss, "handed_off"), count(ss, "handled"))}
            for l, ss in sorted(languages.items(), key=lambda x: (-len(x[1]), x[0].encode()))],
    }
    now_text = (EPOCH + dt.timedelta(microseconds=now)).strftime("%Y-%m-%dT%H:%M:%S")
    if now % 1_000_000:
        now_text += ("." + "%06d" % (now % 1_000_000)).rstrip("0")
    doc = {"account": account, "time_zone": zone_name, "now": now_text + "Z",
           "from": date_from.isoformat(), "to": date_to.isoformat(), "granularity": granularity,
           "channel": channel, "language": language, "reports": reports}
    warnings = []
    if not channel_seen:
        warnings.append({"field": "channel", "message":
                         'no conversation of this account was ever on channel "%s"' % channel})
    if language is not None and language not in languages_seen:
        warnings.append({"field": "language", "message":
                         'no conversation of this account was ever in language "%s"' % language})
    if warnings:
        doc["warnings"] = warnings
    return doc


METRICS = {
    "conversations": lambda s: True,
    "handled": lambda s: s["handled"],
    "resolved": lambda s: s["resolved"],
    "deflected": lambda s: s["deflected"],
    "handed_off": lambda s: s["handed_off"],
    "converted": lambda s: s["converted"],
    "helpful": lambda s: s["helpful"] > 0,
    "not_helpful": lambda s: s["not_helpful"] > 0,
    "asked": lambda s: s["asked"] > 0,
    "unanswered": lambda s: s["unanswered"] > 0,
}


def conversations(zone_name, inactivity_hours, events, now, date_from=None, date_to=None,
                  channel=None, metric="conversations", language=None, assignee=None):
    """The list behind a figure (GET /v1/conversations): the conversations that
    started in the range (by local day), on the channel, that the metric
    counts, by (start, id bytes), each as the fields the API compares."""
    zone = ZoneInfo(zone_name)
    for e in events:
        e["_at"] = parse_at(e["at"])
    today = local_date(now, zone)
    monday = today - dt.timedelta(days=today.weekday())
    if date_from is None:
        date_from, date_to = monday - dt.timedelta(weeks=12), monday + dt.timedelta(days=7)
    out = []
    for cid in sorted({e["conversation_id"] for e in events}):
        s = derive(cid, [e for e in events if e["conversation_id"] == cid], events,
                   inactivity_hours, now)
        if s is None or (channel is not None and s["channel"] != channel):
            continue
        if not date_from <= local_date(s["started_at"], zone) < date_to or not METRICS[metric](s):
            continue
        if language is not None and s["language"] != language:
            continue
        if assignee is not None and (not s["handed_off"] or s["assignee"] != assignee):
            continue
        out.append({"id": cid, "started_us": s["started_at"], "channel": s["channel"],
                    "handled": s["handled"], "handed_off": s["handed_off"],
                    "handoff_reason": s["reason"] if s["handed_off"] else None,
                    "deflected": s["deflected"], "resolved_by_agent": s["resolved"],
                    "resolution_us": s.get("resolution_us") if s["resolved"] else None,
                    "resolver": s["resolver"], "converted": s["converted"],
                    "close_us": s.get("close_us") if s["converted"] else None,
                    "helpful": s["helpful"], "not_helpful": s["not_helpful"],
                    "questions": s["asked"], "unanswered": s["unanswered"],
                    "provisional": s["open"], "ticket": s["ticket"]})
    out.sort(key=lambda r: (r["started_us"], r["id"].encode()))
    return out


def member_names(events):
    """The latest member_name by (at, id) of each member."""
    best = {}
    for e in events:
        if e.get("member_id") and e.get("member_name") and e["type"] in (
                "conversation.handed_off", "human.replied", "conversation.resolved", "ticket.closed"):
            key = (parse_at(e["at"]), e["id"])
            if e["member_id"] not in best or key > best[e["member_id"]][0]:
                best[e["member_id"]] = (key, e["member_name"])
    return {m: v[1] for m, v in best.items()}
