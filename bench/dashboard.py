"""The managers' dashboard with 10,000 customers against the same dashboard with 10.

Run: .venv/bin/python bench/dashboard.py      (or: make bench-dashboard)
     options: --customers N (10000) --baseline N (10) --requests N per view and side (300)
              --rounds N (6) --workers N (1) --threads N (2)

What it does: builds two temporary databases with the app's own store code, one with
--customers and one with --baseline customers, every customer with a realistic history
drawn from the same generator (paths chosen, settings saved several times, failed and
passed test mails, DNS checks with their `running` states, customers waiting for PEIQ,
handed-over passwords, some archived; timestamps spread over the last 120 days; about 25
events per customer). It serves both with the same gunicorn settings (gthread) side by
side, logs in as an account manager on each, and measures the same dashboard views on
both in alternating rounds, so that load from other processes hits both sides alike: the
default view, a search, a filter with another sort, and a page deep in the list. Every third
customer also has the docs' example obligation (docs/obligations/example.toml), so the
dashboard and the export carry the per-obligation columns.

What the figures mean: per-request latency as one sequential keep-alive client sees it
(send to full body read), median and p90 in ms over --requests requests per view and side;
the ratio is median(large) / median(baseline) per view, and the goal is <= 1.5x. "rows"
is the number of customers the page shows: a page of 25 against the baseline's 10 (or
fewer, when the search or the page number leaves fewer) is part of every ratio. Every
response must be 200 and contain the dashboard's heading, else the run fails (exit 1).

Then the CSV export of every active customer, once per side (after the views, so the worker
is warm): its time, its size, and the worker's peak memory (VmHWM from /proc) before and
after it. A streamed export leaves the large side's peak where the views had it.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
_spec = importlib.util.spec_from_file_location("bench_page", ROOT / "bench" / "page.py")
page = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(page)  # the server helpers: free_port, serve, wait_ready, stop

GOAL = 1.5
# every third customer also has the docs' example obligation, so that the dashboard shows
# its per-obligation columns (overall progress plus one column per obligation)
EXAMPLE, EXAMPLE_FILE = "rechtliches", ROOT / "docs" / "obligations" / "example.toml"
MANAGER, PASSWORD = "bench@peiq.example", "bench-passwort"
VIEWS = [
    ("Übersicht", {}),
    ("Suche „verlag 7“", {"q": "verlag 7"}),
    ("Suche „verlag“ (jede 7. Kund:in)", {"q": "verlag"}),
    ("Suche „gmbh“ (jede Kund:in)", {"q": "gmbh"}),
    ("Suche „gmbh verlag“ (zwei Wörter)", {"q": "gmbh verlag"}),
    ("Meine Kund:innen", {"wer": "meine"}),
    (
        "braucht Aufmerksamkeit, nach Fortschritt",
        {"status": "aufmerksamkeit", "sort": "fortschritt"},
    ),
    ("Seite 200 nach Name", {"sort": "name", "seite": "200"}),
]
NAMES = ["Verlag", "Medien", "Druckhaus", "Zeitung", "Presse", "Anzeiger", "Rundschau"]


def history(store, db, frozen, cid: int, rnd: random.Random, start: datetime) -> None:
    """Give one customer a plausible setup history, with times after start."""
    at = start

    def step(hours=6.0):
        nonlocal at
        at += timedelta(hours=rnd.expovariate(1 / hours))
        return frozen(at)

    roll = rnd.random()
    if roll < 0.1:
        return  # link sent, nothing happened yet
    path = "smtp-own" if roll < 0.55 else "mailjet" if roll < 0.85 else "portal"
    with step():
        store.set_path(db, cid, path, "customer")
    if path == "smtp-own":
        for _ in range(rnd.randint(1, 4)):  # saved again and again, often unchanged
            with step(0.2):
                store.set_item(db, cid, "smtp-settings", "done", "customer", {"host": "mail.x.de"})
        for i in range(rnd.randint(0, 5)):
            with step(0.3):
                store.set_item(db, cid, "smtp-test-mail", "running", "customer", {"run_id": i})
                ok = rnd.random() < 0.4
                detail = {
                    "run_id": i,
                    "code": "ok" if ok else "auth",
                    "title": "Testmail angenommen" if ok else "Anmeldung abgelehnt",
                }
                store.set_item(
                    db, cid, "smtp-test-mail", "done" if ok else "failed", "system", detail
                )
        if rnd.random() < 0.6:
            with step():
                store.set_item(db, cid, "smtp-password", "done", "customer", {"via": "handover"})
            if rnd.random() < 0.3:
                db.table("secrets").insert(
                    {
                        "customer_id": cid,
                        "kind": "smtp-password",
                        "ciphertext": "x",
                        "created_at": at.isoformat(timespec="seconds"),
                        "expires_at": (
                            datetime.now(UTC) + timedelta(days=rnd.randint(-3, 14))
                        ).isoformat(timespec="seconds"),
                    }
                )
        if rnd.random() < 0.4:
            with step(24):
                store.set_item(db, cid, "mail-received", "done", "recipient")
    elif path == "mailjet":
        with step(12):
            store.add_event(
                db, cid, f"manager:{MANAGER}", "mailjet-expectation", data={"domain": "x.de"}
            )
        items = ("dns-verification", "dns-spf", "dns-dkim", "dns-dmarc")
        for run in range(rnd.randint(1, 6)):
            with step(2):
                for item in items:
                    store.set_item(db, cid, item, "running", "customer", {"run_id": run})
                for item in items:
                    state = "done" if rnd.random() < 0.5 + run * 0.1 else "failed"
                    store.set_item(db, cid, item, state, "system", {"run_id": run, "message": "…"})
        if rnd.random() < 0.5:
            with step():
                store.set_item(
                    db,
                    cid,
                    "peiq-informed",
                    "done",
                    "customer",
                    {"waiting_for": "manager" if rnd.random() < 0.5 else None},
                )
    else:
        with step():
            waiting = rnd.random() < 0.6
            store.set_item(
                db,
                cid,
                "portal-adopt",
                "open" if waiting else "done",
                "customer",
                {"portal": "portal.x.de", "waiting_for": "manager" if waiting else None},
            )


def prepare(tmp: Path, name: str, count: int, key: str) -> tuple[dict, dict]:
    """Build one database with count customers; return (environment, row counts)."""
    from app import create_app
    from mitwirkung import overview, store
    from mitwirkung.cli import create_manager
    from mitwirkung.db import connect, frozen

    path = str(tmp / f"{name}.db")
    app = create_app({"DATABASE": path, "SECRET_KEY": "bench", "ENCRYPTION_KEY": key,
                      "OBLIGATION_FILES": [str(EXAMPLE_FILE)]})  # fmt: skip
    rnd = random.Random(11)
    now = datetime.now(UTC)
    with app.app_context():
        db = connect(path)
        try:
            with db.atomic():
                create_manager(db, MANAGER, PASSWORD, "Bench Manager:in")
                for i in range(count):
                    start = now - timedelta(days=rnd.uniform(1, 120))
                    with frozen(start):
                        customer, _, _ = store.create_customer(
                            db,
                            f"{rnd.choice(NAMES)} {i} GmbH",
                            f"kunde{i}.example",
                            f"it@kunde{i}.example",
                            f"manager:{MANAGER}",
                            obligations=(("smtp-postfach", None), (EXAMPLE, "standard"))
                            if i % 3 == 0
                            else (("smtp-postfach", None),),
                        )
                        if i % 3 == 0 and rnd.random() < 0.5:  # the example half done
                            store.set_item(db, customer["id"], "avv-sent", "done", "customer",
                                           {"by_hand": True}, obligation_id=EXAMPLE)  # fmt: skip
                    history(store, db, frozen, customer["id"], rnd, start)
                    if rnd.random() < 0.05:
                        store.archive_customer(db, customer["id"], f"manager:{MANAGER}")
                overview.refresh(db, app.extensions["obligations"])
            counts = {t: db.table(t).count for t in ("customers", "events", "item_states")}
            db.execute("ANALYZE")
        finally:
            db.close()
    app.extensions["runner"].shutdown()
    env = dict(
        page.os.environ,
        MITWIRKUNG_DATABASE=path,
        MITWIRKUNG_SECRET_KEY="bench",
        MITWIRKUNG_ENCRYPTION_KEY=key,
        MITWIRKUNG_OBLIGATION_FILES=json.dumps([str(EXAMPLE_FILE)]),
    )
    return env, counts


def login(port: int) -> str:
    """Log in as the bench manager; return the session cookie."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/manage/login")
    resp = conn.getresponse()
    body = resp.read().decode()
    cookie = resp.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)
    form = urlencode({"csrf_token": token, "email": MANAGER, "password": PASSWORD})
    conn.request(
        "POST",
        "/manage/login",
        form,
        {
            "Cookie": cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{port}/manage/login",
        },
    )
    resp = conn.getresponse()
    resp.read()
    conn.close()
    if resp.status != 303:
        raise SystemExit(f"FAIL: login on port {port} answered {resp.status}")
    return resp.getheader("Set-Cookie").split(";", 1)[0]


def timed(side: dict, path: str) -> tuple[float, int]:
    """GET path on one side's keep-alive connection; return (seconds, customers shown)."""
    for attempt in (1, 2):
        t0 = time.perf_counter()
        try:
            side["conn"].request("GET", path, headers={"Cookie": side["cookie"]})
            resp = side["conn"].getresponse()
            body = resp.read()
            break
        except (OSError, http.client.HTTPException):
            # gunicorn closes a keep-alive connection that idled during the other side's round
            side["conn"].close()
            side["conn"] = http.client.HTTPConnection("127.0.0.1", side["port"], timeout=30)
            if attempt == 2:
                raise
    elapsed = time.perf_counter() - t0
    if resp.status != 200 or b"Kund:innen</h1>" not in body:
        log = side["log"].read_text(errors="replace")[-3000:]  # the server's traceback
        raise SystemExit(f"FAIL: {path} answered {resp.status}: {body[:300]!r}\n{log}")
    return elapsed, body.count(b'<td data-label="Name">')


def worker_memory(master: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) in KiB of the gunicorn worker(s) under master, summed."""
    rss = hwm = 0
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss += int(line.split()[1])
            elif line.startswith("VmHWM:"):
                hwm += int(line.split()[1])
    return rss, hwm


def export(side: dict) -> tuple[float, int, int]:
    """Download /manage/export.csv; return (seconds, bytes, rows)."""
    conn = http.client.HTTPConnection("127.0.0.1", side["port"], timeout=120)
    t0 = time.perf_counter()
    conn.request("GET", "/manage/export.csv", headers={"Cookie": side["cookie"]})
    resp = conn.getresponse()
    size = rows = 0
    while chunk := resp.read(65536):
        size += len(chunk)
        rows += chunk.count(b"\n")
    elapsed = time.perf_counter() - t0
    conn.close()
    if resp.status != 200:
        raise SystemExit(f"FAIL: export.csv answered {resp.status}")
    return elapsed, size, rows - 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=10_000)
    ap.add_argument("--baseline", type=int, default=10)
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    from cryptography.fernet import Fernet

    procs = []
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmpdir:
        tmp = Path(tmpdir)
        try:
            key = Fernet.generate_key().decode()
            sides = {}
            for name, count in (("baseline", args.baseline), ("large", args.customers)):
                t0 = time.perf_counter()
                env, counts = prepare(tmp, name, count, key)
                print(f"{name}: {json.dumps(counts)} built in {time.perf_counter() - t0:.0f} s")
                port, log = page.free_port(), tmp / f"{name}.log"
                proc = page.serve("app:create_app()", port, env, ROOT, log, args)
                procs.append(proc)
                sides[name] = {"port": port, "log": log, "proc": proc}
            for side in sides.values():
                page.wait_ready(side["proc"], side["port"], "/healthz", side["log"])
                side["cookie"] = login(side["port"])
                side["conn"] = http.client.HTTPConnection("127.0.0.1", side["port"], timeout=30)
            results = {(view, name): [] for view, _ in VIEWS for name in sides}
            rows = {}
            per_round = max(1, args.requests // args.rounds)
            for view, query in VIEWS:
                path = "/manage/" + (f"?{urlencode(query)}" if query else "")
                for side in sides.values():  # warm-up
                    for _ in range(20):
                        timed(side, path)
                for _ in range(args.rounds):
                    for name, side in sides.items():
                        for _ in range(per_round):
                            seconds, shown = timed(side, path)
                            results[(view, name)].append(seconds)
                            rows[(view, name)] = shown
            exports = {}
            for name, side in sides.items():
                before = worker_memory(side["proc"].pid)
                seconds, size, count = export(side)
                exports[name] = (seconds, size, count, before, worker_memory(side["proc"].pid))
        finally:
            for proc in procs:
                page.stop(proc)

    print(
        f"gunicorn gthread -w {args.workers} --threads {args.threads}; one sequential "
        f"keep-alive client; {per_round * args.rounds} requests per view and side in "
        f"{args.rounds} alternating rounds"
    )
    header = f"{'view':<42}{'side':>9}{'p50 ms':>9}{'p90 ms':>9}{'rows':>6}{'ratio':>8}"
    print(header)
    worst = 0.0
    for view, _ in VIEWS:
        medians = {}
        for name in ("baseline", "large"):
            lat = results[(view, name)]
            q = statistics.quantiles(lat, n=10, method="inclusive")
            medians[name] = statistics.median(lat)
            ratio = medians["large"] / medians["baseline"] if name == "large" else None
            print(
                f"{view if name == 'baseline' else '':<42}{name:>9}{medians[name] * 1000:>9.2f}"
                f"{q[8] * 1000:>9.2f}{rows[(view, name)]:>6}"
                f"{f'{ratio:.2f}x' if ratio else '':>8}"
            )
        worst = max(worst, medians["large"] / medians["baseline"])
    verdict = "MET" if worst <= GOAL else "NOT MET"
    print(f"worst ratio large/baseline: {worst:.2f}x  (goal <= {GOAL}x: {verdict})")
    for name, (seconds, size, count, before, after) in exports.items():
        print(
            f"CSV export {name}: {count} rows, {size / 1024:.0f} KiB in {seconds:.2f} s; worker "
            f"peak memory (VmHWM) {before[1] / 1024:.1f} MiB before, {after[1] / 1024:.1f} MiB "
            f"after (+{(after[1] - before[1]) / 1024:.1f} MiB)"
        )
    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in page.os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
