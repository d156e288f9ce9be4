"""Test helpers for the end-to-end suites: a scratch database driven through
the CLI, and a real `agentperf serve` on a free port. Every wait here has a
timeout, and every process started here is ended (an atexit hook kills what a
crashed test left running)."""
import atexit
import http.client
import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.abspath(os.environ.get("AGENTPERF_BIN")
                      or os.path.join(HERE, "..", "..", "build", "release", "agentperf"))
TMP = os.environ.get("AP_TEST_TMP") or tempfile.gettempdir()

CLI_TIMEOUT = 60
START_TIMEOUT = 20
STOP_TIMEOUT = 40  # the server's own grace period for requests in flight is 30 s

_live = set()

# The fixtures date their events on fixed days, some of them after today's
# date, so the bound on events dated ahead of the clock (--max-future) is off
# unless a test turns it on; tests/http/test_event_time.py does.
os.environ.setdefault("AGENTPERF_MAX_FUTURE", "0")

# Which database the tests run on: SQLite files by default; PostgreSQL when the
# test is registered with AP_TEST_BACKEND=postgres (the "-pg" runs), on the
# server whose base URL (no database) is AP_TEST_PG.
BACKEND = os.environ.get("AP_TEST_BACKEND", "sqlite")
PG = os.environ.get("AP_TEST_PG", "").rstrip("/")
EXIT_SKIPPED = 77  # SKIP_RETURN_CODE of the -pg registrations

if BACKEND == "postgres" and not PG:
    print("AP_TEST_PG is not set: no PostgreSQL server to test against", file=sys.stderr)
    sys.exit(1 if os.environ.get("AP_TEST_PG_REQUIRED") else EXIT_SKIPPED)

_db_numbers = itertools.count()


def pg_admin(sql, database="postgres"):
    """Runs one SQL command on the test server with psql."""
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", "%s/%s" % (PG, database),
                    "-c", sql], check=True, capture_output=True, timeout=60)


def new_db(prefix, directory=None):
    """A fresh, empty database for one test file: a new PostgreSQL database in
    the -pg runs, a new SQLite path (in directory, or TMP) otherwise."""
    name = "%s_%d_%d" % (re.sub(r"\W", "_", prefix).strip("_"), os.getpid(), next(_db_numbers))
    if BACKEND == "postgres":
        pg_admin('CREATE DATABASE "%s"' % name)
        return "%s/%s" % (PG, name)
    path = os.path.join(directory or TMP, name + ".db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    return path


def drop_db(db):
    """Removes a database made by new_db (best effort)."""
    if db.startswith(("postgres://", "postgresql://")):
        try:
            pg_admin('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % db.rsplit("/", 1)[1])
        except (subprocess.SubprocessError, OSError):
            pass


@atexit.register
def _kill_leftovers():
    for proc in list(_live):
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def free_port():
    """A port nobody listens on right now (the kernel's pick for port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def event(id, type="conversation.closed", conversation_id="c1", at="2026-11-02T10:15:00Z",
          **fields):
    """One event as a dict; the defaults make a valid conversation.closed."""
    return {"id": id, "type": type, "at": at, "conversation_id": conversation_id, **fields}


def ndjson(events):
    """NDJSON bytes: dicts are serialised, str/bytes lines are sent as they are."""
    out = []
    for e in events:
        if isinstance(e, bytes):
            out.append(e)
        elif isinstance(e, str):
            out.append(e.encode())
        else:
            out.append(json.dumps(e).encode())
    return b"".join(line + b"\n" for line in out)


class Workspace:
    """A scratch directory with one database, administered through the CLI."""

    def __init__(self, prefix="ap-"):
        os.makedirs(TMP, exist_ok=True)
        self.dir = tempfile.mkdtemp(prefix=prefix, dir=TMP)
        self.db = (new_db(prefix) if BACKEND == "postgres"
                   else os.path.join(self.dir, "agentperf.db"))

    def cli(self, *args, input=None, check=True, db=True, env=None, cwd=None,
            timeout=CLI_TIMEOUT):
        """Runs `agentperf ARGS --db DB` (without --db when db is false);
        returns the CompletedProcess, text mode unless input is bytes."""
        argv = [BIN, *args] + (["--db", self.db] if db else [])
        full_env = dict(os.environ, **(env or {}))
        text = not isinstance(input, bytes)
        proc = subprocess.run(argv, input=input, capture_output=True, text=text,
                              env=full_env, cwd=cwd, timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError("%s exited %d\nstdout: %s\nstderr: %s"
                                 % (" ".join(argv), proc.returncode, proc.stdout, proc.stderr))
        return proc

    def create_account(self, name, **settings):
        """Creates an account; settings are flags, e.g. time_zone="Europe/Oslo"."""
        args = ["accounts", "create", name]
        for key, value in settings.items():
            args += ["--" + key.replace("_", "-"), str(value)]
        return self.cli(*args)

    def create_token(self, account, role, label=None):
        """Creates a token and returns its secret (printed once on stdout)."""
        args = ["tokens", "create", "--account", account, "--role", role]
        if label is not None:
            args += ["--label", label]
        secret = self.cli(*args).stdout.strip()
        if not secret.startswith("ap_"):
            raise AssertionError("tokens create printed %r" % secret)
        return secret

    def token_id(self, account, label):
        """The id of the account's token with this label (from `tokens list`)."""
        for line in self.cli("tokens", "list", "--account", account).stdout.splitlines():
            cols = line.split("\t")
            if cols[-1] == "label=" + label:
                return cols[0]
        raise AssertionError("no token labelled %r in %s" % (label, account))

    def cleanup(self):
        drop_db(self.db)
        shutil.rmtree(self.dir, ignore_errors=True)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # http.client.HTTPMessage: case-insensitive get/get_all
        self.body = body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return "<%d %s>" % (self.status, self.body[:500])


class Server:
    """`agentperf serve` on 127.0.0.1 and a free port; stderr goes to a log file."""

    def __init__(self, db, *args, env=None, log_path=None):
        self.db = db
        self.args = list(args)
        self.env = env
        if log_path is None:
            stem = db if os.path.isabs(db) else os.path.join(TMP, re.sub(r"\W", "_", db))
            log_path = "%s.serve-%d.log" % (stem, time.monotonic_ns())
        self.log_path = log_path
        self.proc = None
        self.port = None

    def start(self, timeout=START_TIMEOUT, healthz=200):
        """Starts the server and waits until /healthz answers `healthz` (503:
        up without its database)."""
        deadline = time.monotonic() + timeout
        # Another process may take the port between our probe and the server's
        # bind; then the server exits at once and we try another port.
        for _ in range(5):
            self.port = free_port()
            log = open(self.log_path, "ab")
            self.proc = subprocess.Popen(
                [BIN, "serve", "--db", self.db, "--listen", "127.0.0.1:%d" % self.port,
                 *self.args],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
                env=dict(os.environ, **(self.env or {})))
            log.close()
            _live.add(self.proc)
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    if self.request("GET", "/healthz", timeout=2).status == healthz:
                        return self
                except OSError:
                    pass
                time.sleep(0.02)
            if self.proc.poll() is None:
                self.kill()
                raise AssertionError("server did not answer /healthz within %ss\n%s"
                                     % (timeout, self.log()))
            _live.discard(self.proc)
            if "cannot listen" not in self.log():
                break
        raise AssertionError("server exited with %s at start\n%s"
                             % (self.proc.returncode, self.log()))

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def connection(self, timeout=30):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, token=None, content_type=None, headers=None,
                timeout=30):
        """One request on a fresh connection. token=None sends no Authorization;
        headers may override anything."""
        h = {}
        if token is not None:
            h["Authorization"] = "Bearer " + token
        if content_type is not None:
            h["Content-Type"] = content_type
        h.update(headers or {})
        if isinstance(body, str):
            body = body.encode()
        conn = self.connection(timeout)
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            return Response(r.status, r.msg, r.read())
        finally:
            conn.close()

    def post_events(self, events, token, timeout=30):
        """POSTs events as NDJSON; returns the Response."""
        return self.request("POST", "/v1/events", ndjson(events), token=token,
                            content_type="application/x-ndjson", timeout=timeout)

    def log(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM and wait; returns the exit status. On timeout the process is
        killed and AssertionError raised."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("server did not stop within %ss of SIGTERM\n%s"
                                 % (timeout, self.log()[-4000:]))
        _live.discard(self.proc)
        return rc

    def kill(self):
        """SIGKILL (kill -9) and reap."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        _live.discard(self.proc)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        if self.running():
            self.stop()
