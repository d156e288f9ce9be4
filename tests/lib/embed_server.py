"""A stand-in model server for the embedding tests and benchmarks: the
OpenAI-compatible `POST /v1/embeddings` ({"model", "input": [...]} ->
{"data": [{"index", "embedding"}]}) that Ollama, llama.cpp's server, vLLM and
TEI serve, with a deterministic encoder and switches for the faults a real
server shows (slow answers, timeouts, 500s, 4xx, wrong dimensions, garbage,
restarts). Standard library only.

The default encoder, `ConceptEncoder`, hashes each word (crudely stemmed) and
its character 3-grams into DIM signed buckets, and adds a shared direction for
each concept of a small synonym table (password/login/credentials, ...): it
knows what a sentence encoder knows and the text grouper does not, that
different words can mean the same thing. So paraphrases that share no word
come out close, and the end-to-end tests can measure what the vectors add.

Use:
    with EmbedServer() as es:           # starts on a free port
        es.url                           # http://127.0.0.1:PORT
        es.set(mode="http_500")          # every request answers 500 from now on
        es.stats()                       # requests, texts seen, per text counts
        es.restart()                     # stop and start on the same port
"""
import hashlib
import json
import math
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIM = 128

# Synonym classes: what a sentence encoder learns from data and a bag of
# stems cannot see. Each word weighs in with its class's direction.
CONCEPTS = [
    ("access", "password passwords passcode login log sign signin credentials username pin locked lockout"),
    ("card", "card cards visa mastercard debit credit"),
    ("refund", "refund refunds reimbursement reimburse money back chargeback"),
    ("delivery", "delivery deliver shipping ship shipment parcel package courier arrive arrived tracking"),
    ("cancel", "cancel cancellation terminate stop end unsubscribe quit"),
    ("address", "address move moved moving relocate relocated street"),
    ("invoice", "invoice invoices bill billing receipt receipts statement"),
    ("price", "price prices cost costs fee fees expensive cheap pricing"),
    ("hours", "hours open opening close closing weekend weekends"),
    ("lost", "lost stolen missing misplaced"),
]
CONCEPT_OF = {w: c for c, words in CONCEPTS for w in words.split()}
STOP = set("a an the i my me to do how can is it of for on in and or you your we our what "
           "when where why with be am are was please hi hello thanks".split())


def _bucket(feature):
    h = hashlib.blake2b(feature.encode(), digest_size=8).digest()
    n = int.from_bytes(h, "little")
    return n % DIM, (1.0 if (n >> 63) & 1 else -1.0)


def _stem(word):
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[:-len(suffix)]
    return word


class ConceptEncoder:
    """Deterministic: the same text always gives the same unit vector."""

    def __init__(self, dim=DIM, concept_weight=2.5):
        self.dim = dim
        self.concept_weight = concept_weight

    def __call__(self, text):
        v = [0.0] * self.dim
        words = [w for w in re.findall(r"\w+", text.lower()) if w not in STOP]
        for w in words:
            i, s = _bucket("w:" + _stem(w))
            v[i % self.dim] += s
            for k in range(len(w) - 2):
                i, s = _bucket("c:" + w[k:k + 3])
                v[i % self.dim] += 0.3 * s
            concept = CONCEPT_OF.get(w)
            if concept:
                for j in range(4):  # a concept spreads over a few buckets
                    i, s = _bucket("k:%s:%d" % (concept, j))
                    v[i % self.dim] += self.concept_weight * s
        norm = math.sqrt(sum(x * x for x in v)) or 1.0
        return [x / norm for x in v]


class TableEncoder:
    """Vectors looked up by text (precomputed by a benchmark); unknown texts
    fall back to another encoder."""

    def __init__(self, table, fallback=None):
        self.table = table
        self.fallback = fallback or ConceptEncoder(len(next(iter(table.values()))))

    def __call__(self, text):
        v = self.table.get(text)
        return list(v) if v is not None else self.fallback(text)


MODES = ("ok", "slow", "hang", "http_500", "http_400", "http_401", "wrong_dims", "mixed_dims",
         "garbage", "nan", "truncated", "out_of_order", "too_many")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def _reply(self, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except OSError:
            pass

    def do_GET(self):
        self._reply(404, '{"error":"not found"}')

    def do_POST(self):
        srv = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.path != "/v1/embeddings":
            return self._reply(404, '{"error":"not found"}')
        try:
            req = json.loads(raw)
            inputs = req["input"]
            if isinstance(inputs, str):
                inputs = [inputs]
            model = req["model"]
        except (ValueError, KeyError, TypeError):
            return self._reply(400, '{"error":"bad request"}')
        with srv.lock:
            mode, delay = srv.mode, srv.delay
            srv.requests += 1
            srv.batches.append(len(inputs))
            srv.models.add(model)
            srv.auth.append(self.headers.get("Authorization"))
        if mode in ("slow", "hang"):
            time.sleep(delay if mode == "slow" else 3600)
        if mode == "http_500":
            return self._reply(500, '{"error":"internal"}')
        if mode == "http_400":
            return self._reply(400, '{"error":"bad input"}')
        if mode == "http_401":
            return self._reply(401, '{"error":"unauthorized"}')
        if mode == "garbage":
            return self._reply(200, "<html>not json</html>", "text/html")
        if mode == "truncated":
            return self._reply(200, '{"data":[{"index":0,"embedding":[0.1,0.2')
        vectors = [srv.encoder(t) for t in inputs]
        with srv.lock:
            for t in inputs:
                srv.texts[t] = srv.texts.get(t, 0) + 1
        if mode == "wrong_dims":
            vectors = [v[:len(v) // 2] for v in vectors]
        if mode == "mixed_dims":  # the last one short (alone: the wrong length)
            vectors[-1] = vectors[-1][:-1]
        data = [{"object": "embedding", "index": i, "embedding": v}
                for i, v in enumerate(vectors)]
        if mode == "out_of_order":
            data.reverse()
        if mode == "too_many":
            data.append(dict(data[0], index=len(data)))
        body = json.dumps({"object": "list", "data": data, "model": model,
                           "usage": {"prompt_tokens": 0, "total_tokens": 0}})
        if mode == "nan":
            body = body.replace("[", "[NaN, ", 2)
        self._reply(200, body)


class EmbedServer:
    def __init__(self, encoder=None, port=0):
        self.encoder = encoder or ConceptEncoder()
        self.port = port
        self.lock = threading.Lock()
        self.mode = "ok"
        self.delay = 0.0
        self._reset_stats()
        self.httpd = None
        self.thread = None

    def _reset_stats(self):
        self.requests = 0
        self.batches = []
        self.texts = {}
        self.models = set()
        self.auth = []

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self):
        for _ in range(50):  # the port of a restart may still be closing
            try:
                self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), _Handler)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise OSError("cannot listen on port %d" % self.port)
        self.httpd.daemon_threads = True
        self.httpd.owner = self
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def restart(self, down_for=0.0):
        self.stop()
        time.sleep(down_for)
        self.start()

    def set(self, mode="ok", delay=0.0):
        assert mode in MODES, mode
        with self.lock:
            self.mode = mode
            self.delay = delay

    def stats(self):
        with self.lock:
            return {"requests": self.requests, "batches": list(self.batches),
                    "texts": dict(self.texts), "models": set(self.models),
                    "auth": list(self.auth)}

    def reset_stats(self):
        with self.lock:
            self._reset_stats()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def closed_port():
    """A port where nothing listens (for "the server is down")."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":  # a manual run: python3 embed_server.py [PORT]
    import sys
    es = EmbedServer(port=int(sys.argv[1]) if len(sys.argv) > 1 else 0).start()
    print(es.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        es.stop()
