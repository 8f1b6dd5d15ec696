"""Throughput and latency of the customer checklist page against a Flask hello world.

Run: .venv/bin/python bench/page.py      (or: make bench-page)
     options: --rounds N (default 5) --requests N per target and round (1000) --warmup N
              (300) --concurrency N (8) --max-seconds S per phase (60) --workers N (2)
              --threads N (4)

What it does: builds a temporary database with one customer with a long history (path
"smtp-own", 2,000 item-state toggles, so 2,000+ events, and 3,000 runs rows) plus 200 other
customers, using the app's own store code. It then serves the real app
(`app:create_app()`) and a one-route Flask hello world under the same gunicorn, with the same
command line and configuration file (gunicorn.conf.py; gthread, 2 workers x 4 threads,
loopback), and measures both the same way in the same run: a fixed warm-up of each, then
--rounds rounds, each measuring both targets back to back (the order alternates from round to
round: app, hello; hello, app; ...) with a fixed number of GET requests from a load generator
in this process (8 threads, one keep-alive http.client connection each). The machine may be
shared: interleaving makes a load change hit both targets alike, and the rounds show the
spread.

What the figures mean: req/s = completed requests / wall time of one measured phase; p50 and
p99 = per-request latency in ms as seen by the client (send to full body read), so they
include queueing behind the other client threads. Client and servers share the machine's
cores (nothing pinned), so absolute numbers are machine-dependent and the client's own CPU
use (shown as "client CPU") caps the hello world more than the app. The figure to compare
against the goal (>= 0.75x) is the median over the rounds of the per-round ratio
checklist/hello; the lowest and highest ratio are printed next to it. Every response must be
200 and every checklist page must contain the customer's name, else the run fails (exit 1)
and prints the app server's log. Last, the CPU time the server processes (gunicorn master
and workers, from /proc) used per request, summed over the rounds: unlike req/s, it hardly
moves when other programs share the machine, so it shows where a change went. Each phase
(warm-up, measurement) stops after --max-seconds; a measurement cut short is reported with the
count it reached.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/ holds dns.py: its folder must not shadow dnspython's "dns" package, which the app imports.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

GUNICORN = str(Path(sys.executable).parent / "gunicorn")
CUSTOMER_NAME = "Bench Langhistorie GmbH"
GOAL = 0.75
ACTOR = "bench"

HELLO_APP = textwrap.dedent(
    """
    from flask import Flask

    app = Flask(__name__)


    @app.get("/")
    def hello():
        return "Hello, World!"
    """
)


SMTP_HOST = "mail.bench.example"
SMTP_SETTINGS = {
    "host": SMTP_HOST, "port": 587, "encryption": "tls", "username": "it@bench.example",
    "sender": "it@bench.example", "recipient": "it@bench.example",
}  # fmt: skip


def smtp_result(ok: bool, i: int) -> dict:
    """A stored SMTP test result in the shape the runner writes (dataclasses.asdict)."""
    return {
        "ok": ok,
        "code": "ok" if ok else "auth",
        "title": "Testmail angenommen" if ok else "Anmeldung abgelehnt",
        "message": f"Der Server hat die Testmail {i} angenommen."
        if ok
        else "535 Authentication failed",
        "next_step": "" if ok else "Prüfen Sie Benutzername und Passwort.",
        "transcript": [f"S: 250-{SMTP_HOST} zeile {j}" for j in range(20)],
        "tls": {
            "version": "TLSv1.3",
            "cipher": "TLS_AES_256_GCM_SHA384",
            "subject": SMTP_HOST,
            "issuer": "Bench CA",
            "not_after": "2030-01-01",
        },
        "duration_ms": 1200,
        "address": "192.0.2.10",
        "reply": "250 OK" if ok else "535 5.7.8 Authentication failed",
    }


def prepare(tmp: Path) -> tuple[dict, str]:
    """Create the database with the long-history customer; return (environment, page path)."""
    import json
    import random

    from cryptography.fernet import Fernet

    from app import create_app
    from mitwirkung import store
    from mitwirkung.db import connect, now

    key = Fernet.generate_key().decode()
    db_path = str(tmp / "bench.db")
    app = create_app({"DATABASE": db_path, "SECRET_KEY": "bench", "ENCRYPTION_KEY": key})
    rnd = random.Random(1)
    with app.app_context():
        db = connect(db_path)
        try:
            row, edit, _share = store.create_customer(
                db, CUSTOMER_NAME, "bench.example", "it@bench.example", ACTOR
            )
            cid = row["id"]
            store.set_path(db, cid, "smtp-own", ACTOR)
            for i in range(2000):
                item = ("mail-received", "smtp-settings")[i % 2]
                state = "done" if (i // 2) % 2 == 0 else "open"
                store.set_item(db, cid, item, state, ACTOR, {"note": f"Schritt {i}"})
            if "runs" in db.table_names():
                stamp = now()
                runs = []
                for i in range(3000):
                    ok = rnd.random() < 0.6
                    smtp = i % 3 != 0
                    runs.append(
                        {
                            "customer_id": cid,
                            "kind": "smtp" if smtp else "probe",
                            "state": "done" if ok else "failed",
                            "actor": ACTOR,
                            "client_addr": "127.0.0.1",
                            "owner": "bench:1",
                            "settings": json.dumps(SMTP_SETTINGS if smtp else {"host": SMTP_HOST}),
                            "outcome": "ok" if ok else "auth",
                            "result": json.dumps(smtp_result(ok, i), ensure_ascii=False),
                            "started_at": stamp,
                            "finished_at": stamp,
                            "duration_ms": rnd.randint(50, 5000),
                        }
                    )
                db.table("runs").insert_all(runs, batch_size=500)
            for i in range(200):
                store.create_customer(
                    db, f"Kunde {i:03d}", f"kunde{i}.example", f"it@kunde{i}.example", ACTOR
                )
            counts = {
                t: db.table(t).count
                for t in ("customers", "events", "runs")
                if t in db.table_names()
            }
        finally:
            db.close()
    runner = app.extensions.get("runner")
    if runner is not None:
        runner.shutdown()
    print("data:", ", ".join(f"{k} {v}" for k, v in counts.items()))
    env = dict(
        os.environ,
        MITWIRKUNG_DATABASE=db_path,
        MITWIRKUNG_SECRET_KEY="bench",
        MITWIRKUNG_ENCRYPTION_KEY=key,
    )
    return env, f"/c/{edit}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(target: str, port: int, env: dict, pythonpath: Path, log: Path, args):
    """Start gunicorn from the project root (so it reads gunicorn.conf.py) for target."""
    cmd = [
        GUNICORN, "-c", str(ROOT / "gunicorn.conf.py"), "--pythonpath", str(pythonpath),
        "-w", str(args.workers), "-k", "gthread", "--threads", str(args.threads),
        "-b", f"127.0.0.1:{port}", "--log-level", "warning", target,
    ]  # fmt: skip
    with open(log, "wb") as out:
        return subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def wait_ready(
    proc: subprocess.Popen, port: int, path: str, log: Path, timeout: float = 30
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server on {port} exited:\n{log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                conn.close()
                return
            conn.close()
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server on {port} not ready after {timeout}s:\n{log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen | None) -> None:
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


def load(port: int, path: str, count: int, concurrency: int, max_seconds: float, must_contain):
    """Send count GETs from concurrency keep-alive clients; return (latencies, seconds, cpu)."""
    lock = threading.Lock()
    remaining = [count]
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + max_seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        try:
            while True:
                with lock:
                    if remaining[0] <= 0 or errors or time.monotonic() > deadline:
                        break
                    remaining[0] -= 1
                t0 = time.perf_counter()
                try:
                    conn.request("GET", path)
                    resp = conn.getresponse()
                    body = resp.read()
                except (OSError, http.client.HTTPException):
                    # the server may close an idle keep-alive connection: reconnect once
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    t0 = time.perf_counter()
                    conn.request("GET", path)
                    resp = conn.getresponse()
                    body = resp.read()
                mine.append(time.perf_counter() - t0)
                if resp.status != 200 or (must_contain and must_contain not in body):
                    with lock:
                        errors.append(f"status {resp.status}, {len(body)} bytes: {body[:200]!r}")
                    break
        except Exception as e:  # noqa: BLE001 - reported below, fails the run
            with lock:
                errors.append(repr(e))
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    cpu0, t0 = time.process_time(), time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    if errors:
        raise SystemExit(f"FAIL on port {port} {path}: {errors[0]}")
    if not latencies:
        raise SystemExit(f"FAIL on port {port} {path}: no request finished in {max_seconds}s")
    return latencies, seconds, cpu


TICK = os.sysconf("SC_CLK_TCK")


def server_cpu(master: int) -> float:
    """CPU seconds (user + system) used so far by a gunicorn master and its workers."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        pid, ppid = int(stat.parent.name), int(fields[1])
        if master in (pid, ppid):
            total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def measure(name, port, path, args, must_contain=None, master=0) -> dict:
    """One measured phase against one target (no warm-up)."""
    cpu0 = server_cpu(master)
    lat, seconds, cpu = load(
        port, path, args.requests, args.concurrency, args.max_seconds, must_contain
    )
    server = server_cpu(master) - cpu0
    q = statistics.quantiles(lat, n=100, method="inclusive")
    return {
        "name": name,
        "rps": len(lat) / seconds,
        "p50": q[49] * 1000,
        "p99": q[98] * 1000,
        "cpu": cpu / seconds * 100,
        "n": len(lat),
        "s": seconds,
        "cut": len(lat) < args.requests,
        "server": server,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--max-seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=4)
    args = ap.parse_args()

    app_proc = hello_proc = None
    rounds: list[tuple[dict, dict]] = []
    with tempfile.TemporaryDirectory(prefix="bench-page-") as tmpdir:
        tmp = Path(tmpdir)
        try:
            env, page = prepare(tmp)
            (tmp / "hello_app.py").write_text(HELLO_APP)
            app_port, hello_port = free_port(), free_port()
            app_log, hello_log = tmp / "app.log", tmp / "hello.log"
            app_proc = serve("app:create_app()", app_port, env, ROOT, app_log, args)
            hello_proc = serve("hello_app:app", hello_port, dict(os.environ), tmp, hello_log, args)
            wait_ready(app_proc, app_port, "/healthz", app_log)
            wait_ready(hello_proc, hello_port, "/", hello_log)

            name = CUSTOMER_NAME.encode()

            def checklist() -> dict:
                try:
                    return measure("checklist /c/<token>", app_port, page, args, name, app_proc.pid)
                except SystemExit:
                    print(f"app server log (tail):\n{app_log.read_text()[-3000:]}", file=sys.stderr)
                    raise

            def hello() -> dict:
                return measure("hello world /", hello_port, "/", args, master=hello_proc.pid)

            load(app_port, page, args.warmup, args.concurrency, args.max_seconds, name)
            load(hello_port, "/", args.warmup, args.concurrency, args.max_seconds, None)
            for i in range(args.rounds):
                if i % 2 == 0:
                    app_row = checklist()
                    hello_row = hello()
                else:
                    hello_row = hello()
                    app_row = checklist()
                rounds.append((app_row, hello_row))
        finally:
            stop(app_proc)
            stop(hello_proc)

    print(
        f"gunicorn gthread -w {args.workers} --threads {args.threads} (-c gunicorn.conf.py); "
        f"client: {args.concurrency} keep-alive threads, {args.warmup} warm-up each, then "
        f"{args.rounds} rounds x {args.requests} requests per target"
    )
    print(
        f"{'round':<6}{'target':<22}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'client CPU':>12}"
        f"{'requests':>10}{'ratio':>8}"
    )
    ratios = []
    for i, (app_row, hello_row) in enumerate(rounds, 1):
        ratio = app_row["rps"] / hello_row["rps"]
        ratios.append(ratio)
        for r, shown in ((app_row, f"{ratio:.2f}x"), (hello_row, "")):
            cut = f"  (time limit {args.max_seconds:g}s hit)" if r["cut"] else ""
            print(
                f"{i:<6}{r['name']:<22}{r['rps']:>9.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}"
                f"{r['cpu']:>11.0f}%{r['n']:>10}{shown:>8}{cut}"
            )
    cpu = [
        sum(r[k]["server"] for r in rounds) / sum(r[k]["n"] for r in rounds) * 1e6 for k in (0, 1)
    ]
    print(
        f"server CPU per request over all rounds: checklist {cpu[0]:.0f} us, hello {cpu[1]:.0f} "
        f"us (hello/checklist {cpu[1] / cpu[0]:.2f}x; less disturbed by other load than req/s)"
    )
    median = statistics.median(ratios)
    verdict = "MET" if median >= GOAL else "NOT MET"
    print(
        f"ratio checklist/hello: median {median:.2f}x over {len(ratios)} rounds "
        f"(lowest {min(ratios):.2f}x, highest {max(ratios):.2f}x)  (goal >= {GOAL}x: {verdict})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
