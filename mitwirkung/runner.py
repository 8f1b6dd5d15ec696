"""Run live checks off the request thread in a bounded pool; every run is a row in `runs`."""

import asyncio
import json
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlite_utils import Database

from .catalog import SMTP_OBLIGATION
from .db import connect, now

log = logging.getLogger(__name__)
HOST = socket.gethostname()

# finish(db, run_id, result) writes the item state and returns (outcome, result JSON dict)
Finish = Callable[[Database, int, object], tuple[str, dict]]


@dataclass(frozen=True)
class Job:
    """One run to start: whose (customer_id), which `kind`, what it tests (`settings`, stored
    as JSON: never a secret), who asked (`actor`, `client_addr` for the rate limits).

    `check()` returns the awaitable the pool runs (its result, or None when it crashed, goes
    to `finish`); `on_start(db, run_id)` runs in the transaction that inserts the run.
    """

    customer_id: int
    kind: str
    settings: dict
    actor: str
    check: Callable[[], Awaitable[object]]
    finish: Finish
    client_addr: str | None = None
    on_start: Callable[[Database, int], None] | None = None
    obligation_id: str | None = SMTP_OBLIGATION  # every run kind today is the SMTP mailbox's


class Runner:
    """A bounded thread pool per process that executes async checks and stores their results."""

    def __init__(self, database: str, workers: int, on_abort=None):
        self.database = database
        self.workers = workers
        self.on_abort = on_abort  # (db, run row) -> None: puts the run's items right
        self._pool: ThreadPoolExecutor | None = None
        self._pid = None
        self._futures: dict = {}  # run id -> Future of the runs this process started

    @property
    def owner(self) -> str:
        return f"{HOST}:{os.getpid()}"

    def pool(self) -> ThreadPoolExecutor:
        # A forked worker (gunicorn) must not reuse the parent's threads.
        if self._pool is None or self._pid != os.getpid():
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="mitwirkung-run")
            self._pid = os.getpid()
            self._futures = {}
        return self._pool

    def submit(self, db: Database, job: Job) -> int:
        """Insert a `running` row (of the job's obligation) and hand the check to the pool;
        return the run id."""
        with db.atomic():
            table = db.table("runs")
            table.insert(
                {
                    "customer_id": job.customer_id,
                    "kind": job.kind,
                    "state": "running",
                    "actor": job.actor,
                    "client_addr": job.client_addr,
                    "owner": self.owner,
                    "settings": json.dumps(job.settings, ensure_ascii=False),
                    "started_at": now(),
                    "obligation_id": job.obligation_id,
                }
            )
            run_id = table.last_pk
            if job.on_start:
                job.on_start(db, run_id)
            _changed(db, job.customer_id)
        future = self.pool().submit(self._execute, run_id, job.check, job.finish)
        self._futures[run_id] = future
        future.add_done_callback(lambda _: self._futures.pop(run_id, None))
        return run_id

    def wait(self, run_id: int, timeout: float) -> bool:
        """Wait up to `timeout` seconds for a run this process started; True when it ended.

        Lets a request answer with the result of a check that ends quickly (no polling round
        trip) while a slow or hanging server costs the request at most `timeout`.
        """
        future = self._futures.get(run_id)
        if future is None:
            return True  # ended already (or started elsewhere: the caller reads the row)
        try:
            future.result(timeout=max(0.0, timeout))
        except TimeoutError:
            return False
        except Exception:  # _execute logs and stores its own failures
            return True
        return True

    def _execute(self, run_id: int, check, finish: Finish) -> None:
        started = time.monotonic()
        try:
            result = asyncio.run(check())
        except (Exception, asyncio.CancelledError):  # a bug in a check must still end the run
            log.exception("check of run %s crashed", run_id)
            result = None
        duration = int((time.monotonic() - started) * 1000)
        db = connect(self.database)
        try:
            with db.atomic():
                outcome, data = finish(db, run_id, result)
                _changed(db, db.table("runs").get(run_id)["customer_id"])
                db.table("runs").update(
                    run_id,
                    {
                        "state": "done" if outcome == "ok" else "failed",
                        "outcome": outcome,
                        "result": json.dumps(data, ensure_ascii=False),
                        "finished_at": now(),
                        "duration_ms": duration,
                    },
                )
        except Exception:  # the run must not stay `running` forever, nor its items
            log.exception("storing the result of run %s failed", run_id)
            # "aborted" (with no result), as a run cut off by a restart: pages know that state
            with db.atomic():
                db.table("runs").update(
                    run_id, {"state": "aborted", "outcome": "unexpected", "finished_at": now()}
                )
                if self.on_abort:
                    self.on_abort(db, db.table("runs").get(run_id))
        finally:
            db.close()

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)


def _changed(db: Database, customer_id: int) -> None:
    """A run started or ended: the customer's pages (cached per revision) show it now."""
    db.execute("UPDATE customers SET revision = revision + 1 WHERE id = ?", [customer_id])


def _dead(owner: str | None) -> bool:
    """True when the run's process is known to be gone (only knowable on this host).

    A killed process stays a zombie until its parent collects it (an orphaned gunicorn
    worker waits for the container's init), and signal 0 still reaches a zombie: its state
    in /proc tells.
    """
    host, _, pid = (owner or "").rpartition(":")
    if host != HOST or not (pid.isascii() and pid.isdigit()):
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # it ended just now, or this system has no /proc
        return Path("/proc/self").exists()
    return stat.rpartition(")")[2].split()[0] in ("Z", "X")


def reap(
    db: Database,
    max_age_seconds: float,
    on_abort: Callable[[Database, dict], None],
    run_id: int | None = None,
) -> int:
    """Mark runs as aborted whose process died or that ran far longer than any check may."""
    cutoff = (datetime.now(UTC) - timedelta(seconds=max_age_seconds)).isoformat(timespec="seconds")
    count = 0
    where = "state = 'running'" + (" AND id = ?" if run_id is not None else "")
    params = [run_id] if run_id is not None else []
    for run in list(db.query(f"SELECT * FROM runs WHERE {where}", params)):
        if not _dead(run["owner"]) and run["started_at"] > cutoff:
            continue
        with db.atomic():
            db.table("runs").update(
                run["id"], {"state": "aborted", "outcome": "aborted", "finished_at": now()}
            )
            _changed(db, run["customer_id"])
            on_abort(db, run)
        count += 1
    return count
