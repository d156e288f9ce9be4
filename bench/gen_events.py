#!/usr/bin/env python3
"""Writes N spec-shaped events (SPEC section 2) as NDJSON for the ingest benchmark.

About six events a conversation: a start on one of five channels (some handled
by a human from the start), one to four visitor questions in English or
Norwegian, and then an agent resolution, or a handoff with a ticket, team
replies, a human resolution and a ticket close; feedback and a close for some.
Conversations start over 12 weeks, each in one of several UTC offsets, and the
lines come in arrival order: by time, with a small share delivered late.
Ids are random (like UUIDv4) by default, or with --ids ordered start with the
time (like ULID or UUIDv7), which keeps a database's id indexes append-mostly.
Deterministic for a given --seed. Python 3 standard library only.

Usage: gen_events.py OUT [--events N] [--seed S] [--duplicates FRACTION]
                         [--late FRACTION] [--ids random|ordered]
"""
import argparse
import datetime as dt
import json
import random
import sys

WEEKS = 12
END = dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc)  # a Monday, 00:00Z

CHANNELS = [("chat", 46), ("email", 21), ("whatsapp", 15), ("messenger", 11), ("form", 7)]
# The offsets visitors' clients write, with shares; seconds east of UTC.
OFFSETS = [(0, 50), (3600, 22), (7200, 10), (-18000, 9), (-28800, 4), (19800, 3), (32400, 2)]
REASONS = [("customer_request", 38), ("missing_knowledge", 34), ("policy", 10),
           ("configuration", 8), (None, 10)]
MEMBERS = [("m-anna", "Anna Berg"), ("m-ola", "Ola Nordmann"), ("m-kari", "Kari Hansen"),
           ("m-jonas", "Jonas Lie"), ("m-sofie", "Sofie Dahl"), ("m-emma", "Emma Wilson"),
           ("m-liam", "Liam O'Brien"), ("m-noah", "Noah Smith"), ("m-ingrid", "Ingrid Bakke"),
           ("m-lars", "Lars Haugen"), ("m-mia", "Mia Larsen"), ("m-erik", "Erik Strøm"),
           ("m-hannah", "Hannah Fischer"), ("m-amir", "Amir Khan")]

PRODUCTS = ["the blue jacket", "my headphones", "the coffee machine", "a gift card", "the sofa",
            "my subscription", "the winter boots", "the phone case", "the desk lamp",
            "a bike helmet"]
PRODUKTER = ["den blå jakka", "hodetelefonene", "kaffemaskinen", "gavekortet", "sofaen",
             "abonnementet mitt", "vinterstøvlene", "mobildekselet", "skrivebordslampa",
             "sykkelhjelmen"]
CITIES = ["Oslo", "Bergen", "Trondheim", "Stavanger", "Tromsø", "London", "Manchester",
          "Dublin", "Berlin", "Stockholm"]

EN_QUESTIONS = [
    "How do I reset my password?",
    "I forgot my login, how do I change it?",
    "Where is my order {order}?",
    "My order {order} hasn't arrived yet, can you check?",
    "How do I change my delivery address?",
    "Can I return {product}?",
    "What is your return policy for {product}?",
    "How long does shipping to {city} take?",
    "Do you ship to {city}?",
    "Can I get a refund for order {order}?",
    "I was charged twice for order {order}",
    "How do I cancel my subscription?",
    "Can I pause my subscription for a month?",
    "Is {product} in stock?",
    "When will {product} be back in stock?",
    "Do you have a store in {city}?",
    "What are your opening hours in {city}?",
    "How do I use a discount code?",
    "My discount code doesn't work",
    "Can I pay with Klarna or PayPal?",
    "How do I update my credit card?",
    "Is there a warranty on {product}?",
    "{product} stopped working after two weeks, what now?",
    "Can I exchange {product} for a different size?",
    "How do I track my parcel?",
    "Can I change my order after placing it?",
    "Do you offer student discounts?",
    "How do I delete my account and my data (GDPR)?",
    "Why was my payment declined?",
    "Can I talk to a human please?",
    "What's the difference between the \"Basic\" and \"Pro\" plan?",
    "How do I download my invoice for order {order}?",
]
NB_QUESTIONS = [
    "Hvordan tilbakestiller jeg passordet mitt?",
    "Jeg har glemt innloggingen, hvordan endrer jeg den?",
    "Hvor er bestillingen min {order}?",
    "Ordre {order} har ikke kommet ennå, kan dere sjekke?",
    "Hvordan endrer jeg leveringsadressen?",
    "Kan jeg returnere {product}?",
    "Hva er returreglene for {product}?",
    "Hvor lang tid tar frakt til {city}?",
    "Sender dere til {city}?",
    "Kan jeg få pengene tilbake for ordre {order}?",
    "Jeg ble belastet to ganger for ordre {order}",
    "Hvordan sier jeg opp abonnementet?",
    "Kan jeg sette abonnementet på pause i en måned?",
    "Har dere {product} på lager?",
    "Når kommer {product} på lager igjen?",
    "Har dere butikk i {city}?",
    "Hva er åpningstidene i {city}?",
    "Hvordan bruker jeg en rabattkode?",
    "Rabattkoden min fungerer ikke",
    "Kan jeg betale med Vipps eller faktura?",
    "Hvordan oppdaterer jeg betalingskortet?",
    "Er det garanti på {product}?",
    "{product} sluttet å virke etter to uker, hva gjør jeg?",
    "Kan jeg bytte {product} til en annen størrelse?",
    "Hvordan sporer jeg pakken min?",
    "Kan jeg endre bestillingen etter at den er sendt?",
    "Gir dere studentrabatt?",
    "Hvordan sletter jeg kontoen og dataene mine?",
    "Hvorfor ble betalingen avvist?",
    "Kan jeg få snakke med et menneske?",
]
EN_REPLIES = [
    "Hi! I've checked order {order}: it left our warehouse yesterday and should reach {city} "
    "within two working days. You'll get a tracking link by e-mail.",
    "Thanks for waiting. I've refunded the duplicate charge on order {order}; it can take 3-5 "
    "banking days to show on your statement.",
    "You can return {product} within 30 days. I've e-mailed you a prepaid return label - just "
    "drop the parcel at any post office.",
    "I've updated the delivery address on your order. If anything else needs changing, reply "
    "to this message.",
    "Sorry about that! Your discount code had expired, so I've added a new one to your account: "
    "it's valid until the end of the month.",
]
NB_REPLIES = [
    "Hei! Jeg har sjekket ordre {order}: den ble sendt fra lageret i går og skal være i {city} "
    "innen to virkedager. Du får sporingslenke på e-post.",
    "Takk for at du ventet. Jeg har refundert dobbeltbelastningen på ordre {order}; det kan ta "
    "3-5 virkedager før det vises på kontoen.",
    "Du kan returnere {product} innen 30 dager. Jeg har sendt deg en forhåndsbetalt returlapp "
    "på e-post.",
    "Jeg har oppdatert leveringsadressen på bestillingen din. Si fra hvis noe annet må endres.",
]
COMMENTS_EN = ["Quick and helpful, thanks!", "Didn't answer my question.",
               "The bot kept repeating itself", "Great service 👍", "Took too long"]
COMMENTS_NB = ["Raskt og greit, takk!", "Fikk ikke svar på spørsmålet mitt.",
               "Boten gjentok seg selv", "Supert! 👍", "Tok for lang tid"]


def pick(rng, table):
    values, weights = zip(*table)
    return rng.choices(values, weights)[0]


def fill(rng, template, norwegian):
    return template.format(order="%d" % rng.randrange(100000, 999999),
                           product=rng.choice(PRODUKTER if norwegian else PRODUCTS),
                           city=rng.choice(CITIES))


class Conversation:
    """Writes one conversation's events; each event is (utc_seconds, dict)."""

    def __init__(self, rng, number, start, ordered):
        self.rng = rng
        self.ordered = ordered
        if ordered:
            self.id = "conv-%011x-%04x" % (int(start * 1000), rng.getrandbits(16))
        else:
            self.id = "conv-%06d-%08x" % (number, rng.getrandbits(32))
        self.t = start
        self.offset = pick(rng, OFFSETS)
        self.millis = rng.random() < 0.3
        self.events = []

    def stamp(self, t):
        tz = dt.timezone(dt.timedelta(seconds=self.offset))
        local = dt.datetime.fromtimestamp(t, tz)
        text = local.strftime("%Y-%m-%dT%H:%M:%S")
        if self.millis:
            text += ".%03d" % int((t % 1) * 1000)
        return text + ("Z" if self.offset == 0 else local.strftime("%z")[:3] + ":" +
                       local.strftime("%z")[3:])

    def emit(self, type_, delay, **fields):
        self.t += delay
        if self.ordered:
            id_ = "evt_%012x%04x" % (int(self.t * 1000), self.rng.getrandbits(16))
        else:
            id_ = "evt_%016x" % self.rng.getrandbits(64)
        e = {"id": id_, "type": type_,
             "at": self.stamp(self.t), "conversation_id": self.id}
        e.update(fields)
        self.events.append((self.t, e))


def conversation(rng, number, start, ordered):
    c = Conversation(rng, number, start, ordered)
    norwegian = rng.random() < 0.45
    channel = pick(rng, CHANNELS)
    human = rng.random() < 0.06
    c.emit("conversation.started", 0, channel=channel, **({"handler": "human"} if human else {}))
    answered_any = False
    for _ in range(rng.choices([1, 2, 3, 4], [25, 33, 26, 16])[0]):
        answered = rng.random() < 0.68
        answered_any |= answered
        q = {"text": fill(rng, rng.choice(NB_QUESTIONS if norwegian else EN_QUESTIONS), norwegian),
             "answered": answered}
        if answered and rng.random() < 0.3:
            q["answer_id"] = "ans-%03d" % rng.randrange(120)
        if rng.random() < 0.4:
            q["language"] = "nb" if norwegian else rng.choice(["en", "en-GB", "en-US"])
        c.emit("question.asked", rng.uniform(3, 240), **q)

    r = rng.random()
    if human or r < 0.27:
        member, name = rng.choice(MEMBERS)
        ticket = "T-%07d" % (number + 1000000)
        h = {"member_id": member, "ticket_id": ticket}
        if rng.random() < 0.5:
            h["member_name"] = name
        reason = pick(rng, REASONS)
        if reason:
            h["reason"] = reason
        c.emit("conversation.handed_off", rng.uniform(5, 60), **h)
        for _ in range(rng.choices([1, 2, 3], [55, 35, 10])[0]):
            c.emit("human.replied", rng.uniform(60, 4 * 3600), member_id=member,
                   text=fill(rng, rng.choice(NB_REPLIES if norwegian else EN_REPLIES), norwegian))
        if rng.random() < 0.45:
            c.emit("conversation.resolved", rng.uniform(60, 3600), by="human", member_id=member)
        if rng.random() < 0.85:
            c.emit("ticket.closed", rng.uniform(60, 2 * 86400), ticket_id=ticket,
                   **({"member_id": member} if rng.random() < 0.9 else {}))
    elif r < 0.62 and answered_any:
        c.emit("conversation.resolved", rng.uniform(5, 120), by="agent")
    if rng.random() < 0.3:
        f = {"rating": "helpful" if rng.random() < 0.74 else "not_helpful"}
        if rng.random() < 0.25:
            f["comment"] = rng.choice(COMMENTS_NB if norwegian else COMMENTS_EN)
        c.emit("feedback.submitted", rng.uniform(5, 300), **f)
    if rng.random() < 0.7:
        c.emit("conversation.closed", rng.uniform(30, 1800))
    return c.events


def start_times(rng, count):
    """Start instants over the 12 weeks, more on weekdays and in office hours, in
    random order: however many conversations N events take, they span all weeks."""
    first = END.timestamp() - WEEKS * 7 * 86400
    hour_weight = [1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 10, 10, 9, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    day_weight = [10, 10, 10, 10, 9, 5, 4]
    slots = [(d, h) for d in range(WEEKS * 7) for h in range(24)]
    weights = [day_weight[d % 7] * hour_weight[h] for d, h in slots]
    out = []
    for d, h in rng.choices(slots, weights, k=count):
        out.append(first + d * 86400 + h * 3600 + rng.uniform(0, 3600))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="NDJSON file to write")
    ap.add_argument("--events", type=int, default=1000000, help="events to write (default 1e6)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--duplicates", type=float, default=0.0,
                    help="fraction of events sent a second time, byte for byte (e.g. 0.01)")
    ap.add_argument("--late", type=float, default=0.02,
                    help="fraction of events delivered minutes to hours late (default 0.02)")
    ap.add_argument("--ids", choices=["random", "ordered"], default="random",
                    help="random ids (default) or ids that start with the time")
    a = ap.parse_args()
    if a.events < 1 or not 0 <= a.duplicates <= 1 or not 0 <= a.late <= 1:
        ap.error("--events must be positive, --duplicates and --late in [0, 1]")

    rng = random.Random(a.seed)
    # About six events a conversation; draw more starts than needed and stop at N.
    starts = start_times(rng, a.events // 2 + 16)
    arrivals = []  # (arrival, sequence, line)
    n = conversations = 0
    for number, start in enumerate(starts):
        if n >= a.events:
            break
        conversations += 1
        for t, e in conversation(rng, number, start, a.ids == "ordered"):
            if n >= a.events:
                break
            line = json.dumps(e, ensure_ascii=False, separators=(",", ":"))
            arrival = t + (rng.uniform(60, 6 * 3600) if rng.random() < a.late else 0)
            arrivals.append((arrival, n, line))
            n += 1
            if rng.random() < a.duplicates:  # a client retry, soon after
                arrivals.append((arrival + rng.uniform(1, 600), n + a.events, line))
    if n < a.events:
        sys.exit("gen_events: internal error: only %d events" % n)
    arrivals.sort()
    with open(a.out, "w", encoding="utf-8", newline="\n") as f:
        for _, _, line in arrivals:
            f.write(line)
            f.write("\n")
    print("gen_events: %d events in %d conversations, %d duplicate lines, %d lines -> %s"
          % (n, conversations, len(arrivals) - n, len(arrivals), a.out), file=sys.stderr)


if __name__ == "__main__":
    main()
