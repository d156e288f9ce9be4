#!/usr/bin/env python3
"""Writes NDJSON events for N conversations (about six events each) spread over
the 13 weeks before a fixed instant, for the reports benchmark. Deterministic."""
import argparse
import datetime as dt
import json
import random

CHANNELS = [("chat", 50), ("email", 20), ("whatsapp", 15), ("messenger", 10), ("form", 5)]
REASONS = ["customer_request", "missing_knowledge", "policy", "configuration", None]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("conversations", type=int)
    ap.add_argument("out")
    ap.add_argument("--end", default="2026-11-25T12:00:00Z")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    end = int(dt.datetime.fromisoformat(a.end.replace("Z", "+00:00")).timestamp())
    span = 13 * 7 * 86400
    names, weights = zip(*CHANNELS)
    n = 0
    with open(a.out, "w") as f:
        def emit(**e):
            nonlocal n
            n += 1
            e["id"] = "e%d" % n
            f.write(json.dumps(e, separators=(",", ":")) + "\n")

        def at(t):
            return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

        for i in range(a.conversations):
            c = "c%d" % i
            t = end - span + i * span // a.conversations
            emit(type="conversation.started", at=at(t), conversation_id=c,
                 channel=rng.choices(names, weights)[0],
                 **({"handler": "human"} if rng.random() < 0.05 else {}))
            for _ in range(rng.randrange(1, 3)):
                t += rng.randrange(5, 120)
                emit(type="question.asked", at=at(t), conversation_id=c,
                     text="How do I change my delivery address?", answered=rng.random() < 0.7)
            r = rng.random()
            if r < 0.25:
                m = "m%d" % rng.randrange(12)
                emit(type="conversation.handed_off", at=at(t + 30), conversation_id=c, member_id=m,
                     member_name="Member %s" % m[1:], ticket_id="T%d" % i,
                     **({"reason": rng.choice(REASONS)} if rng.random() < 0.9 else {}))
                emit(type="ticket.closed", at=at(t + rng.randrange(600, 3 * 86400)), conversation_id=c,
                     ticket_id="T%d" % i, member_id=m)
            elif r < 0.6:
                emit(type="conversation.resolved", at=at(t + 20), conversation_id=c, by="agent")
            if rng.random() < 0.3:
                emit(type="feedback.submitted", at=at(t + 40), conversation_id=c,
                     rating="helpful" if rng.random() < 0.8 else "not_helpful")
            if rng.random() < 0.5:
                emit(type="conversation.closed", at=at(t + 60), conversation_id=c)


if __name__ == "__main__":
    main()
