#!/usr/bin/env python3
"""The HTTP client of the ingest benchmark: POSTs an NDJSON file to /v1/events in
batches over several keep-alive connections at once, and prints one line of
key=value figures: events/s over the wall time of the sends, the verdict counts
summed from the answers, and the client's own CPU time, so the caller can tell
whether the server or this client was the bottleneck.

The bodies are cut before the clock starts; during the run a connection thread
only sends bytes and reads a small answer, which releases the GIL, so one
Python process keeps a C server busy. Python 3 standard library only.

Usage: http_post.py --port P --token T FILE [--batch 5000] [--connections 3]
"""
import argparse
import http.client
import json
import resource
import sys
import threading
import time


def cut(path, batch):
    """The file's lines as request bodies of `batch` lines each."""
    with open(path, "rb") as f:
        lines = f.read().splitlines(keepends=True)
    return [b"".join(lines[i:i + batch]) for i in range(0, len(lines), batch)], len(lines)


class Sender(threading.Thread):
    def __init__(self, args, bodies, lock, totals):
        super().__init__(daemon=True)
        self.args, self.bodies, self.lock, self.totals = args, bodies, lock, totals

    def run(self):
        conn = http.client.HTTPConnection(self.args.host, self.args.port, timeout=600)
        headers = {"Authorization": "Bearer " + self.args.token,
                   "Content-Type": "application/x-ndjson"}
        try:
            while True:
                with self.lock:
                    if not self.bodies:
                        return
                    body = self.bodies.pop()
                conn.request("POST", "/v1/events", body=body, headers=headers)
                res = conn.getresponse()
                answer = res.read()
                with self.lock:
                    if res.status != 200:
                        self.totals["errors"] += 1
                        self.totals["last_error"] = "%d %s" % (res.status, answer[:200])
                        continue
                    doc = json.loads(answer)
                    for k in ("stored", "duplicate", "conflict", "rejected"):
                        self.totals[k] += doc[k]
                    self.totals["requests"] += 1
        except (OSError, http.client.HTTPException) as e:
            with self.lock:
                self.totals["errors"] += 1
                self.totals["last_error"] = repr(e)
        finally:
            conn.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--batch", type=int, default=5000, help="events per request (default 5000)")
    ap.add_argument("--connections", type=int, default=3, help="parallel connections (default 3)")
    args = ap.parse_args()

    bodies, lines = cut(args.file, args.batch)
    bodies.reverse()  # pop() from the end sends them in file order
    lock = threading.Lock()
    totals = {"stored": 0, "duplicate": 0, "conflict": 0, "rejected": 0, "requests": 0,
              "errors": 0, "last_error": ""}
    senders = [Sender(args, bodies, lock, totals) for _ in range(args.connections)]
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.monotonic()
    for s in senders:
        s.start()
    for s in senders:
        s.join()
    wall = time.monotonic() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    print("events=%d seconds=%.3f events_per_s=%.0f requests=%d errors=%d stored=%d duplicate=%d "
          "conflict=%d rejected=%d client_cpu_s=%.3f client_cpu_share=%.2f"
          % (lines, wall, lines / wall, totals["requests"], totals["errors"], totals["stored"],
             totals["duplicate"], totals["conflict"], totals["rejected"], cpu, cpu / wall))
    if totals["errors"]:
        print("http_post: %d failed requests, last: %s" % (totals["errors"], totals["last_error"]),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
