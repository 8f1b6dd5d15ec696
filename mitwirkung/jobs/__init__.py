"""Work that happens without anyone clicking: reminders, weekly digests, drift watch, purges.

One module per kind of work: `claims` (claim/release), `reminders`, `digests`, `drift`; this
module runs what is due (`run_due`) and is the command line.

`flask --app app jobs run` does everything that is due once and exits (for cron or a
systemd timer); `flask --app app jobs loop` repeats that every few minutes (`make run`
starts it beside the server). Every unit of work is first claimed by inserting its key
(e.g. "reminder:17:2026-11-30") into `job_claims`; only the copy whose insert succeeded
does it, so two copies running at once never send a mail twice.

Times: everything is computed "as of" one moment (`at`, default now), which tests set to
drive the clock; events written meanwhile carry that time (see db.frozen).
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlite_utils import Database

from .. import handover, inbound, mail, password_end, todo
from .. import overview as board
from ..db import frozen, get_db
from ..web import customer_links, obligations, public_url
from .claims import claim, claim_within, release
from .digests import DIGEST_LINES, digest
from .drift import DRIFT_FAILURES, watch_drift
from .reminders import remind

__all__ = [
    "DIGEST_LINES",
    "DRIFT_FAILURES",
    "claim",
    "claim_within",
    "digest",
    "init_app",
    "notices",
    "release",
    "remind",
    "run_due",
    "watch_drift",
]

log = logging.getLogger(__name__)


def notices(db: Database, config, at: datetime) -> int:
    """Tell managers about new to-dos for PEIQ within minutes, a burst in one mail."""
    return todo.notify_due(db, config, at, claim=claim, release=release, url=public_url)


def run_due(db: Database, config, *, at: datetime | None = None) -> dict[str, int]:
    """Do all work that is due as of `at` (default now); return what was done, by kind.

    Needs an application context (links, the obligation). Safe to run in several
    processes at once: each unit of work is claimed in SQLite first.
    """
    at = (at or datetime.now(UTC)).astimezone(UTC)
    done = {
        "purged": 0,
        "inbound_purged": 0,
        "todo_notices": 0,
        "reminders": 0,
        "digests": 0,
        "drift_checks": 0,
        "drift_incidents": 0,
    }

    def step(name, work):
        # each kind of work runs even when another failed; the failure is logged
        try:
            return work()
        except Exception:  # noqa: BLE001
            log.exception("jobs: %s failed", name)
            return None

    with frozen(at):
        done["purged"] = step("purge", lambda: handover.purge_expired(db)) or 0
        keep = config["INBOUND_KEEP_DAYS"]
        done["inbound_purged"] = step("inbound purge", lambda: inbound.purge(db, keep)) or 0
        step("summaries", lambda: board.refresh(db, obligations()))
        done["todo_notices"] = step("to-do notices", lambda: notices(db, config, at)) or 0
        done["reminders"] = step("reminders", lambda: remind(db, config, at)) or 0
        drift = step("drift watch", lambda: watch_drift(db, config, at)) or (0, 0)
        done["drift_checks"], done["drift_incidents"] = drift
        done["password_end"] = step("password end", lambda: password_end.notify_after_switch_off(
            db, config, at, claim=claim, links=_password_end_links)) or 0  # fmt: skip
        step("summaries", lambda: board.refresh(db, obligations()))  # the digest reads them
        done["digests"] = step("digests", lambda: digest(db, config, at)) or 0
    return done


def _password_end_links(customer: dict) -> tuple[str | None, str]:
    """The customer's edit link and the manager's page of the customer."""
    return customer_links(customer)[0], public_url("manage.customer", customer_id=customer["id"])


jobs = AppGroup("jobs", help="Background work: reminders, digests, drift watch, purges.")


@jobs.command("run")
def jobs_run():
    """Do all work that is due once (for cron or a systemd timer)."""
    _mail_note()
    click.echo(_summary(run_due(get_db(), current_app.config)))


@jobs.command("loop")
@click.option(
    "--every", default=60, show_default=True,
    help="Seconds between runs (new to-dos for PEIQ are mailed within minutes).",
)  # fmt: skip
def jobs_loop(every):
    """Do all due work now and then every few minutes until stopped (used by `make run`)."""
    _mail_note()
    while True:
        try:
            done = run_due(get_db(), current_app.config)
        except Exception:  # noqa: BLE001 - the loop must survive one bad run
            log.exception("jobs run failed")
        else:
            if any(done.values()):
                click.echo(f"jobs: {_summary(done)}")
        time.sleep(every)


def _summary(done: dict[str, int]) -> str:
    return ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in done.items())


def _mail_note() -> None:
    if not mail.configured(current_app.config):
        click.echo("MAIL_SERVER is not set: no reminders, digests or drift mails are sent.")


def init_app(app: Flask) -> None:
    app.cli.add_command(jobs)
