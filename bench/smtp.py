"""Live SMTP test through the web app versus swaks, and page latency while SMTP runs hang.

Run: .venv/bin/python bench/smtp.py          (takes about 30-60 s)
     options: --runs N (20) --warmup N (2) --poll-ms MS (5) --requests N (500)
              --page-warmup N (100) --concurrency N (4) --hanging N (20) --smtp-timeout S (20)
              --keep-log FILE (copy gunicorn's log)

What it measures, in one run, all on loopback (nothing leaves the machine):

1. SMTP test: a local aiosmtpd (STARTTLS required, AUTH required, certificate for
   mail.kunde.test from a trustme test CA; tests/smtpserver.py) and a local authoritative DNS
   server with `mail.kunde.test. A 127.0.0.1` (tests/dnsserver.py). The app runs under
   gunicorn (gthread, 2 workers x 4 threads). For each run: time from sending
   POST /c/<token>/smtp-test (STARTTLS + AUTH, host mail.kunde.test) until a poll of
   GET /c/<token>/status.json shows item "smtp-test-mail" final; the state must be "done" and
   the mail must have arrived at the server. Polling: one keep-alive connection, the next poll
   is sent --poll-ms after the previous answer, so the figure includes HTTP, the app's DB
   writes, DNS resolution of the host and up to one poll interval + one poll's latency. Also
   shown: the POST's own latency and the check's duration as the runner stored it.
   Baseline: `swaks` doing the same dialogue (STARTTLS, AUTH PLAIN, same from/to) to
   127.0.0.1:<port>, with --tls-verify --tls-ca-path <test CA> (this swaks, 20201014, checks
   the chain but not the host name; the app checks both), timed as whole-command wall time
   (includes Perl start-up). Web and swaks runs alternate; warm-ups are discarded.
   Goal: median web <= 1.0x median swaks (issue 18).
2. Page under hanging runs: p50/p99 of GET /c/<token> (fixed concurrency, one keep-alive
   connection per client thread) idle, then again while --hanging SMTP tests of a second
   customer (host 127.0.0.1, port of a tarpit that accepts TCP but never greets; each POST on
   a fresh connection so both gunicorn workers get some) hang in the app's runner. The second
   measurement must end before the SMTP timeout; the script checks that the runs were still
   `running` when it ended (read-only look into the SQLite file). Goal: p99 <= 2x idle.
   For information it then starts one real test while they still hang (the runner pool has
   RUNNER_WORKERS threads per gunicorn worker; a test landing on a full pool waits), and
   prints how many TCP connections reached the tarpit and what became of the hanging runs.

Every phase is bounded in time; gunicorn (its process group) is stopped before the test
servers, all in finally blocks. Exit code 0 when all measurements completed (goals are
verdicts, not failures), 1 on an error (the tail of gunicorn's log is then printed). Lines in
gunicorn's log other than its own INFO lines (app warnings, exceptions) are always shown.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import logging
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/ holds dns.py: its folder must not shadow dnspython's "dns" package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from cryptography.fernet import Fernet  # noqa: E402
from dnsserver import ZoneServer  # noqa: E402
from smtpserver import PASSWORD, USER, Certificates, MailServer, Tarpit  # noqa: E402

logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd: login_data deprecation noise

BIN = Path(sys.executable).parent
GUNICORN, FLASK = str(BIN / "gunicorn"), str(BIN / "flask")
SWAKS = "/usr/bin/swaks"
HOST = "mail.kunde.test"
SENDER, RECIPIENT = "versand@kunde.test", "it@kunde.test"
GOAL_SWAKS, GOAL_PAGE = 1.0, 2.0
ZONE = """
$ORIGIN kunde.test.
$TTL 60
@ IN SOA ns.kunde.test. hostmaster.kunde.test. 1 3600 600 86400 60
@ IN NS ns.kunde.test.
mail IN A 127.0.0.1
"""
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class BenchError(Exception):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One keep-alive HTTP connection with a cookie jar (enough for the session/CSRF cookie)."""

    def __init__(self, port: int, timeout: float = 30):
        self.port, self.timeout = port, timeout
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def request(self, method, path, body=None, headers=None) -> tuple[int, bytes]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (0, 1):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (OSError, http.client.HTTPException):
                # the server may have closed an idle keep-alive connection: reconnect once
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                if attempt:
                    raise
        for header, value in resp.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return resp.status, data

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def post(self, path, fields: dict, headers=None):
        body = urllib.parse.urlencode(fields).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        return self.request("POST", path, body, headers)

    def csrf(self, page: str) -> str:
        status, body = self.get(page)
        match = CSRF.search(body.decode())
        if status != 200 or not match:
            raise BenchError(f"no csrf_token on {page} (status {status})")
        return match.group(1)

    def close(self):
        self.conn.close()


def create_customer(env: dict, name: str) -> str:
    out = subprocess.run(
        [FLASK, "--app", "app", "customers", "create", name, "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    if out.returncode != 0:
        raise BenchError(f"customers create failed: {out.stderr[-2000:]}")
    url = json.loads(out.stdout.strip().splitlines()[-1])["edit_url"]
    return urllib.parse.urlsplit(url).path.rstrip("/").rsplit("/", 1)[1]


def choose_smtp_own(client: Client, token: str) -> None:
    csrf = client.csrf(f"/c/{token}")
    status, body = client.post(f"/c/{token}/path", {"path": "smtp-own", "csrf_token": csrf})
    if status not in (200, 303):
        raise BenchError(f"choosing the path failed: {status} {body[:300]!r}")


def smtp_form(port: int, csrf: str, host: str = HOST) -> dict:
    return {
        "host": host, "port": str(port), "encryption": "tls", "username": USER,
        "password": PASSWORD, "sender": SENDER, "recipient": RECIPIENT, "csrf_token": csrf,
    }  # fmt: skip


def item_state(client: Client, token: str) -> str:
    status, body = client.get(f"/c/{token}/status.json")
    if status != 200:
        raise BenchError(f"status.json answered {status}")
    items = {i["id"]: i for i in json.loads(body)["items"]}
    return items["smtp-test-mail"]["state"]


def web_smtp_run(client, poller, token, csrf, port, mail, poll_s, limit):
    """POST one test and poll status.json until it is final; return (seconds, POST s, polls)."""
    before = len(mail.handler.messages)
    t0 = time.perf_counter()
    status, body = client.post(
        f"/c/{token}/smtp-test", smtp_form(port, csrf), {"HX-Request": "true"}
    )
    if status != 200:
        raise BenchError(f"POST smtp-test answered {status}: {body[:300]!r}")
    posted = time.perf_counter() - t0
    # poll the run the answer names (as the page does): a re-test of proven settings leaves
    # the item "done" while it runs, so the item state alone cannot say the run has ended
    text = body.decode() if isinstance(body, bytes) else body
    found = re.search(r'hx-get="([^"]*/runs/\d+)"', text)
    polls = 0
    while True:
        polls += 1
        if found:
            _, fragment = poller.get(found.group(1), {"HX-Request": "true"})
            fragment = fragment.decode() if isinstance(fragment, bytes) else fragment
            running = found.group(1) in fragment and 'aria-busy="true"' in fragment
        else:
            running = False
        state = item_state(poller, token)
        if not running and state in ("done", "failed", "warning"):
            break
        if time.perf_counter() - t0 > limit:
            raise BenchError(f"SMTP test not final after {limit}s (state {state})")
        time.sleep(poll_s)
    elapsed = time.perf_counter() - t0
    if state not in ("done", "warning"):
        raise BenchError(f"SMTP test ended {state!r}, expected 'done'")
    if len(mail.handler.messages) != before + 1:
        raise BenchError("SMTP test reported done, but no mail arrived")
    return elapsed, posted, polls


def swaks_cmd(port: int, ca_file: str) -> list[str]:
    return [
        SWAKS, "--server", "127.0.0.1", "--port", str(port), "--ehlo", "bench.kunde.test",
        "--tls", "--tls-verify", "--tls-ca-path", ca_file, "--tls-sni", HOST,
        "--auth", "PLAIN", "--auth-user", USER, "--auth-password", PASSWORD,
        "--from", SENDER, "--to", RECIPIENT, "--suppress-data",
    ]  # fmt: skip


def swaks_run(cmd, mail, limit) -> float:
    before = len(mail.handler.messages)
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=limit)
    elapsed = time.perf_counter() - t0
    if out.returncode != 0 or len(mail.handler.messages) != before + 1:
        raise BenchError(f"swaks failed (rc {out.returncode}):\n{out.stdout[-1500:]}{out.stderr}")
    return elapsed


def load(port, path, count, concurrency, deadline) -> list[float]:
    """GET path count times from concurrency keep-alive clients; return latencies (s)."""
    lock = threading.Lock()
    remaining = [count]
    latencies: list[float] = []
    errors: list[str] = []

    def worker():
        client = Client(port, timeout=10)
        mine = []
        try:
            while True:
                with lock:
                    if remaining[0] <= 0 or errors or time.monotonic() > deadline:
                        break
                    remaining[0] -= 1
                t0 = time.perf_counter()
                status, body = client.get(path)
                mine.append(time.perf_counter() - t0)
                if status != 200:
                    raise BenchError(f"GET {path} answered {status}")
        except Exception as e:  # noqa: BLE001 - reported by the caller
            with lock:
                errors.append(repr(e))
        finally:
            client.close()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise BenchError(f"page load failed: {errors[0]}")
    return latencies


def pct(values, p) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def running_runs(db_path: str, token_customer_id: int) -> int:
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
    try:
        return con.execute(
            "SELECT count(*) FROM runs WHERE customer_id = ? AND state = 'running'",
            [token_customer_id],
        ).fetchone()[0]
    finally:
        con.close()


def check_durations(db_path: str, cid: int) -> list[float]:
    """duration_ms of the customer's SMTP runs as the runner measured them, oldest first."""
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
    try:
        rows = con.execute(
            "SELECT duration_ms FROM runs WHERE customer_id = ? AND kind = 'smtp' ORDER BY id",
            [cid],
        ).fetchall()
        return [r[0] / 1000 for r in rows]
    finally:
        con.close()


def run_outcomes(db_path: str, cid: int) -> dict[str, int]:
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
    try:
        rows = con.execute(
            "SELECT coalesce(outcome, state), json_extract(result, '$.message'), count(*)"
            " FROM runs WHERE customer_id = ? GROUP BY 1, 2", [cid],
        ).fetchall()  # fmt: skip
        out: dict[str, int] = {}
        for outcome, message, n in rows:
            key = f"{outcome} ({message[:70]})" if outcome == "unexpected" and message else outcome
            out[key] = out.get(key, 0) + n
        return out
    finally:
        con.close()


def connections_to(port: int) -> int:
    """Established TCP connections from this machine to 127.0.0.1:port (from /proc/net/tcp)."""
    count = 0
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            fields = line.split()
            if fields[2].endswith(f":{port:04X}") and fields[3] == "01":
                count += 1
    return count


def customer_id(db_path: str, name: str) -> int:
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
    try:
        return con.execute("SELECT id FROM customers WHERE name = ?", [name]).fetchone()[0]
    finally:
        con.close()


def wait_ready(proc, port, log: Path, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            ok = conn.getresponse().status == 200
            conn.close()
            if ok:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise BenchError(f"gunicorn not ready after {timeout}s")


def stop(proc):
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=5)


def log_findings(log: Path) -> list[str]:
    """Lines of gunicorn's log that are not gunicorn's own INFO lines, deduplicated."""
    if not log.exists():
        return []
    counts: dict[str, int] = {}
    for line in log.read_text(errors="replace").splitlines():
        if not line.strip() or "] [INFO] " in line or line.startswith((" ", "\t", "Traceback (")):
            continue  # keep log messages and the last line of tracebacks, not the frames
        counts[line] = counts.get(line, 0) + 1
    return [f"{n}x {line}" if n > 1 else line for line, n in counts.items()]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--poll-ms", type=float, default=5)
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--page-warmup", type=int, default=100)
    ap.add_argument("--hanging", type=int, default=20)
    ap.add_argument("--smtp-timeout", type=float, default=20)
    ap.add_argument("--keep-log", metavar="FILE", help="copy gunicorn's log here at the end")
    args = ap.parse_args()
    run_limit = args.smtp_timeout + 10  # one SMTP test, web or swaks

    proc = None
    log = None
    hang_id = None
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-smtp-") as tmpdir:
        tmp = Path(tmpdir)
        log = tmp / "gunicorn.log"
        try:
            certs = Certificates(tmp)
            with contextlib.ExitStack() as stack:
                dns_server = stack.enter_context(ZoneServer(ZONE))
                mail = stack.enter_context(
                    MailServer(tls="starttls", context=certs.context(HOST), auth=True)
                )
                tarpit = stack.enter_context(Tarpit())
                # stop the app before the servers it talks to (closing the tarpit first would
                # end the hanging runs with "connection closed")
                stack.callback(lambda: stop(proc))
                db_path = str(tmp / "db")
                env = dict(
                    os.environ,
                    MITWIRKUNG_DATABASE=db_path,
                    MITWIRKUNG_SECRET_KEY="bench",
                    MITWIRKUNG_ENCRYPTION_KEY=Fernet.generate_key().decode(),
                    MITWIRKUNG_DNS_NAMESERVERS=json.dumps([dns_server.nameserver]),
                    MITWIRKUNG_SMTP_ALLOWED_NETWORKS='["127.0.0.0/8"]',
                    MITWIRKUNG_SMTP_ALLOWED_PORTS=json.dumps([mail.port, tarpit.port]),
                    MITWIRKUNG_SMTP_CA_FILE=certs.ca_file,
                    MITWIRKUNG_SMTP_TESTS_PER_CUSTOMER="100000",
                    MITWIRKUNG_SMTP_TESTS_PER_ADDRESS="100000",
                    MITWIRKUNG_SMTP_TIMEOUT=json.dumps(args.smtp_timeout),
                )
                token = create_customer(env, "Bench SMTP GmbH")
                hang_name = "Bench Tarpit GmbH"
                hang_token = create_customer(env, hang_name)
                port = free_port()
                with open(log, "wb") as out:
                    proc = subprocess.Popen(
                        [GUNICORN, "-w", "2", "-k", "gthread", "--threads", "4",
                         "-b", f"127.0.0.1:{port}", "app:create_app()"],
                        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )  # fmt: skip
                wait_ready(proc, port, log)
                client, poller = Client(port), Client(port)
                choose_smtp_own(client, token)
                poller.cookies = client.cookies  # share the session (not needed for GETs)
                csrf = client.csrf(f"/c/{token}")

                # 1. web SMTP test versus swaks, interleaved so both see the same conditions
                cmd = swaks_cmd(mail.port, certs.ca_file)
                web, posts, swaks, polls = [], [], [], []
                poll_s = args.poll_ms / 1000
                for i in range(args.warmup + args.runs):
                    w, p, n = web_smtp_run(client, poller, token, csrf, mail.port, mail, poll_s,
                                        run_limit)  # fmt: skip
                    s = swaks_run(cmd, mail, run_limit)
                    if i >= args.warmup:
                        web.append(w), posts.append(p), swaks.append(s), polls.append(n)
                checks = check_durations(db_path, customer_id(db_path, "Bench SMTP GmbH"))
                checks = checks[args.warmup :]
                # one poll's own latency, for reading the figure
                poll_lat = []
                for _ in range(20):
                    t0 = time.perf_counter()
                    item_state(poller, token)
                    poll_lat.append(time.perf_counter() - t0)

                # 2. page latency idle versus with hanging SMTP runs
                page = f"/c/{token}"
                warm_until = time.monotonic() + 30
                load(port, page, args.page_warmup, args.concurrency, warm_until)
                idle = load(port, page, args.requests, args.concurrency, time.monotonic() + 60)
                if len(idle) < args.requests:
                    raise BenchError(f"idle measurement cut short at {len(idle)} requests")

                hanger = Client(port)
                choose_smtp_own(hanger, hang_token)
                hang_csrf = hanger.csrf(f"/c/{hang_token}")
                hang_id = customer_id(db_path, hang_name)
                t_hang = time.monotonic()
                for _ in range(args.hanging):
                    # a fresh connection per POST, so both gunicorn workers get some of them
                    one = Client(port)
                    one.cookies = hanger.cookies
                    status, body = one.post(
                        f"/c/{hang_token}/smtp-test",
                        smtp_form(tarpit.port, hang_csrf, host="127.0.0.1"),
                        {"HX-Request": "true"},
                    )
                    one.close()
                    if status != 200:
                        raise BenchError(f"tarpit POST answered {status}: {body[:300]!r}")
                post_s = time.monotonic() - t_hang
                time.sleep(0.3)  # let the runner threads connect to the tarpit
                hanging_at_start = running_runs(db_path, hang_id)
                in_tarpit = connections_to(tarpit.port)
                # end well before the first hanging run can time out
                deadline = t_hang + args.smtp_timeout - 2
                busy = load(port, page, args.requests, args.concurrency, deadline)
                busy_s = time.monotonic() - t_hang
                hanging_at_end = running_runs(db_path, hang_id)
                if len(busy) < args.requests:
                    raise BenchError(
                        f"loaded measurement cut short at {len(busy)} requests "
                        f"(window {args.smtp_timeout - 2:.0f}s)"
                    )
                if hanging_at_end < args.hanging:
                    raise BenchError(
                        f"only {hanging_at_end} of {args.hanging} runs still hanging at the end"
                    )
                # info: one real test started while the runner pools are full of hanging runs
                # (its worker is chosen by gunicorn: with both pools full it waits for a slot)
                try:
                    queued_s, _, _ = web_smtp_run(
                        client, poller, token, csrf, mail.port, mail, poll_s,
                        2 * args.smtp_timeout + 15,
                    )  # fmt: skip
                    queued = f"took {queued_s * 1000:.0f} ms"
                except BenchError as e:
                    queued = f"FAILED: {e}"
                for c in (client, poller, hanger):
                    c.close()
        except (BenchError, subprocess.TimeoutExpired) as e:
            print(f"FAIL: {e}", file=sys.stderr)
            if log and log.exists():
                print(f"gunicorn log (tail):\n{log.read_text()[-3000:]}", file=sys.stderr)
            return 1
        finally:
            stop(proc)
            hang_outcomes = run_outcomes(db_path, hang_id) if hang_id else {}
            findings = log_findings(log) if log else []
            if args.keep_log and log and log.exists():
                shutil.copy(log, args.keep_log)

    ms = 1000
    web_p50, web_p90 = statistics.median(web) * ms, pct(web, 90) * ms
    sw_p50, sw_p90 = statistics.median(swaks) * ms, pct(swaks, 90) * ms
    ratio1 = web_p50 / sw_p50
    idle_p50, idle_p99 = pct(idle, 50) * ms, pct(idle, 99) * ms
    busy_p50, busy_p99 = pct(busy, 50) * ms, pct(busy, 99) * ms
    ratio2 = busy_p99 / idle_p99

    def verdict(ok):
        return "MET" if ok else "NOT MET"

    print(f"gunicorn gthread -w 2 --threads 4; {args.runs} runs after {args.warmup} warm-ups")
    print(f"{'SMTP test (STARTTLS+AUTH)':<34}{'p50 ms':>9}{'p90 ms':>9}{'min ms':>9}")
    print(f"{'  web: POST -> final status.json':<34}{web_p50:>9.1f}{web_p90:>9.1f}"
          f"{min(web) * ms:>9.1f}")  # fmt: skip
    print(f"{'  swaks (whole command)':<34}{sw_p50:>9.1f}{sw_p90:>9.1f}{min(swaks) * ms:>9.1f}")
    print(f"{'    of which POST answer':<34}{statistics.median(posts) * ms:>9.1f}"
          f"{pct(posts, 90) * ms:>9.1f}{min(posts) * ms:>9.1f}")  # fmt: skip
    print(f"{'    of which check (runs.duration)':<34}{statistics.median(checks) * ms:>9.1f}"
          f"{pct(checks, 90) * ms:>9.1f}{min(checks) * ms:>9.1f}")  # fmt: skip
    print(
        f"  polling: next poll {args.poll_ms:g} ms after the previous answer; one poll takes "
        f"p50 {pct(poll_lat, 50) * ms:.1f} ms; polls per run p50 {statistics.median(polls):g}"
    )
    print(f"  ratio web/swaks (p50): {ratio1:.2f}x  (goal <= {GOAL_SWAKS}x: "
          f"{verdict(ratio1 <= GOAL_SWAKS)})")  # fmt: skip
    print(f"{f'GET /c/<token>, {args.requests} req, conc {args.concurrency}':<34}"
          f"{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")  # fmt: skip
    print(f"{'  idle':<34}{idle_p50:>9.1f}{idle_p99:>9.1f}{max(idle) * ms:>9.1f}")
    print(f"{f'  {args.hanging} runs hanging on tarpit':<34}{busy_p50:>9.1f}{busy_p99:>9.1f}"
          f"{max(busy) * ms:>9.1f}")  # fmt: skip
    print(
        f"  {args.hanging} POSTs took {post_s:.2f}s; runs hanging at start/end of the "
        f"measurement: {hanging_at_start}/{hanging_at_end}; measurement ended "
        f"{busy_s:.1f}s after the first POST (timeout {args.smtp_timeout:g}s)"
    )
    print(f"  ratio p99 hanging/idle: {ratio2:.2f}x  (goal <= {GOAL_PAGE}x: "
          f"{verdict(ratio2 <= GOAL_PAGE)})")  # fmt: skip
    print(
        f"  TCP connections open to the tarpit: {in_tarpit} (runner pool: RUNNER_WORKERS per "
        f"gunicorn worker; the rest wait in the pool's queue, their rows say 'running')"
    )
    print(
        f"  a real STARTTLS+AUTH test started after that {queued} "
        f"(info, no goal; idle p50 {web_p50:.0f} ms)"
    )
    print(f"  tarpit runs after gunicorn was stopped: {hang_outcomes}")
    print(
        f"load average before/after: {load_before[0]:.1f}/{os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs (client, servers and app share them)"
    )
    if findings:
        print(f"gunicorn log: {len(findings)} distinct non-INFO lines, first ones:")
        for line in findings[:10]:
            print(f"  {line[:160]}")
    else:
        print("gunicorn log: nothing but gunicorn's INFO lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
