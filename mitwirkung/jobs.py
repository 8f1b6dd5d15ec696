"""Work that happens without anyone clicking: reminders, weekly digests, drift watch, purges.

`flask --app app jobs run` does everything that is due once and exits (for cron or a
systemd timer); `flask --app app jobs loop` repeats that every few minutes (`make run`
starts it beside the server). Every unit of work is first claimed by inserting its key
(e.g. "reminder:17:2026-11-30") into `job_claims`; only the copy whose insert succeeded
does it, so two copies running at once never send a mail twice.

Times: everything is computed "as of" one moment (`at`, default now), which tests set to
drive the clock; events written meanwhile carry that time (see db.frozen).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import socket
import time
from datetime import UTC, datetime, timedelta

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlite_utils import Database

from . import handover, inbound, mail, mailtext, password_end, standing, store, todo
from . import overview as board
from .address import AddressError, addr_spec
from .catalog import SMTP_OBLIGATION
from .checks.dns import check_mailjet
from .db import frozen, get_db, now
from .progress import COMPLETE
from .runs.app_mail import manager_addresses
from .runs.dns_check import expectation
from .web import customer_links, local_time, obligation, obligations, public_url
from .words.jobs import DRIFT_TITLE

log = logging.getLogger(__name__)
DRIFT_FAILURES = 2  # a green record must fail this many daily checks in a row
OWNER = f"{socket.gethostname()}:{os.getpid()}"


def claim(db: Database, key: str) -> bool:
    """Claim one unit of work; True for exactly one caller per key, across processes."""
    with db.atomic():
        inserted = db.execute(
            "INSERT OR IGNORE INTO job_claims (key, claimed_at, owner) VALUES (?, ?, ?)",
            [key, now(), OWNER],
        ).rowcount
    return inserted == 1


def claim_within(db: Database, key: str, *, kind: str, since: str, limit: int) -> str:
    """Claim one unit of work of a kind with a budget (e.g. REMINDERS_PER_HOUR).

    `kind` is the keys' prefix ("reminder:"); claims of that kind made after `since` (ISO
    time) count, released ones (failed mails) do not. Count and claim are one write
    transaction (BEGIN IMMEDIATE), so two runners at once cannot both pass the count.
    Returns "claimed", "taken" (another runner has this key) or "spent" (the budget is used).
    """
    with db.atomic():
        used = db.execute(
            "SELECT COUNT(*) FROM job_claims WHERE substr(key, 1, ?) = ? AND claimed_at > ?",
            [len(kind), kind, since],
        ).fetchone()[0]
        if used >= limit:
            return "spent"
        return "claimed" if claim(db, key) else "taken"


def release(db: Database, key: str) -> None:
    """Give a claim back (the work failed and may be tried again at the next run)."""
    db.execute("DELETE FROM job_claims WHERE key = ?", [key])


def _days(since: str, at: datetime) -> int:
    return (at - datetime.fromisoformat(since)).days


def _sender(db: Database, customer: dict) -> tuple[dict | None, list[str]]:
    """Who signs a mail to the customer and its Reply-To: the assigned PEIQ contact, or for
    a customer without one (None) every account manager (as the form promises)."""
    contact = store.peiq_contact(db, customer)
    if contact:
        return contact, [contact["email"]]
    return None, [r[0] for r in db.execute("SELECT email FROM managers ORDER BY id")]


def _next_step(views) -> str | None:
    """The title of the first required item of the chosen path that is not done yet."""
    return next((v.item.title for v in views if v.item.required and not v.complete), None)


def _reminder_context(db: Database, customer: dict) -> dict:
    """What a reminder says about where the customer stands: for one obligation its title,
    path and next step (as always); for several, one line each (`several`: title, progress,
    next step) under the overall progress."""
    standings = standing.standings(db, obligations(), customer)
    if len(standings) != 1:
        several = [
            {"title": s.obligation.title, "progress": s.progress,
             "next_step": _next_step(s.views) if s.path else None}
            for s in standings
        ]  # fmt: skip
        return {"obligation": None, "path": None, "next_step": None, "several": several}
    only = standings[0]
    path = only.obligation.path(only.path)
    return {
        "obligation": only.obligation,
        "path": path,
        "next_step": _next_step(only.views) if path else None,
        "several": None,
    }


def remind(db: Database, config, at: datetime) -> int:
    """Remind customers whose setup has not moved for REMINDER_DAYS; return mails sent.

    The k-th reminder of a stall goes out once the stall is REMINDER_DAYS[k] days old, at
    most one a day, never after completion, never while PEIQ has to act, never when the
    manager muted reminders for the customer, and never about a link the customer never got
    (no "Link per E-Mail senden" and nothing the customer did). At most REMINDERS_PER_HOUR
    go out per hour, longest stalled first, so the first run after an import of hundreds of
    customers does not send them all at once. The second reminder is not a copy of the first:
    it says it is a reminder again and names the next step. Each reminder is an event.
    """
    days = sorted(int(d) for d in config["REMINDER_DAYS"] or [])
    if not days or not mail.configured(config):
        return 0
    hour_ago = (at - timedelta(hours=1)).isoformat(timespec="seconds")
    budget = int(config.get("REMINDERS_PER_HOUR") or 50)
    cutoff = (at - timedelta(days=days[0])).isoformat(timespec="seconds")
    candidates = db.query(
        "SELECT * FROM customers c WHERE archived_at IS NULL AND completed_at IS NULL"
        " AND progress < 100 AND waiting_for_peiq = 0 AND reminders_muted = 0"
        " AND contact_email IS NOT NULL AND moved_at <= ?"
        " AND EXISTS (SELECT 1 FROM events e WHERE e.customer_id = c.id"
        " AND (e.kind = 'link-mailed' OR e.actor = 'customer'))"
        " ORDER BY moved_at, id",
        [cutoff],
    )
    sent = 0
    for customer in list(candidates):
        stalled = _days(customer["moved_at"], at)
        earlier = db.execute(
            "SELECT COUNT(*), MAX(at) FROM events WHERE customer_id = ? AND kind = 'reminder-sent'"
            " AND at >= ?",
            [customer["id"], customer["moved_at"]],
        ).fetchone()
        if earlier[0] >= len(days) or stalled < days[earlier[0]]:
            continue
        if earlier[1] and earlier[1][:10] == at.date().isoformat():
            continue  # one mail a day at most
        try:
            addr_spec(customer["contact_email"])
        except AddressError:  # one bad stored address never stops the others' reminders
            log.debug("reminder to customer %s skipped: no valid address", customer["id"])
            continue
        key = f"reminder:{customer['id']}:{at.date().isoformat()}"
        claimed = claim_within(db, key, kind="reminder:", since=hour_ago, limit=budget)
        if claimed == "spent":
            log.info("reminders: the hour's %s are sent, the rest wait", budget)
            break
        if claimed == "taken":
            continue
        contact, reply_to = _sender(db, customer)
        edit_url, _ = customer_links(customer)
        where = _reminder_context(db, customer)
        subject, text = mailtext.render(
            "reminder", customer=customer, days=stalled,
            number=earlier[0] + 1, last=earlier[0] + 1 >= len(days),
            earlier=local_time(earlier[1], "%d.%m.%Y") if earlier[1] else None,
            link=edit_url, contact=contact, SMTP_OBLIGATION=SMTP_OBLIGATION, **where,
        )  # fmt: skip
        problem = mail.deliver(config, [customer["contact_email"]], subject, text,
                               reply_to=reply_to or None)  # fmt: skip
        if problem:
            log.warning("reminder to customer %s not sent: %s", customer["id"], problem)
            release(db, key)
            continue
        store.add_event(
            db, customer["id"], "jobs", "reminder-sent",
            data={"to": customer["contact_email"], "days": stalled}, activity=False,
        )  # fmt: skip
        sent += 1
    return sent


DIGEST_LINES = 15  # customers listed per group; the rest are counted and linked


def digest(db: Database, config, at: datetime) -> int:
    """Once a week, mail each manager their customers that wait for PEIQ, need attention or
    stall (no progress for overview.STALL_DAYS, the dashboard's "stockt").

    Every customer is in someone's digest: customers without an assigned contact (or whose
    contact no longer exists) are in every manager's, as the form promises ("niemand
    Bestimmtes (alle Account Manager:innen)"). Each "Warten auf PEIQ" line says what PEIQ has
    to do (the to-dos, see todo.collect); each group lists DIGEST_LINES customers, oldest
    first, and links the dashboard for the rest, so 2,000 customers stay a short mail.
    """
    if not mail.configured(config):
        return 0
    week = "{}-W{:02d}".format(*at.isocalendar()[:2])
    cutoff = (at - timedelta(days=board.STALL_DAYS)).isoformat(timespec="seconds")
    sent = 0
    for manager in list(db.query("SELECT * FROM managers WHERE active = 1 ORDER BY id")):
        rows = list(
            db.query(
                "SELECT * FROM customers WHERE archived_at IS NULL"
                " AND (contact_manager_id = ? OR contact_manager_id IS NULL"
                " OR contact_manager_id NOT IN (SELECT id FROM managers))"
                " AND (waiting_for_peiq = 1 OR needs_attention = 1 OR (progress < 100"
                " AND completed_at IS NULL AND moved_at <= ?)) ORDER BY moved_at, id",
                [manager["id"], cutoff],
            )
        )
        if not rows:
            continue
        key = f"digest:{manager['id']}:{week}"
        if not claim(db, key):
            continue
        groups = _digest_groups(rows)
        subject, text = _digest_mail(manager, groups, at)
        problem = mail.deliver(config, [manager["email"]], subject, text)
        if problem:
            log.warning("digest to manager %s not sent: %s", manager["id"], problem)
            release(db, key)
            continue
        sent += 1
    return sent


def _digest_groups(rows: list[dict]) -> dict[str, list[dict]]:
    waiting = [r for r in rows if r["waiting_for_peiq"]]
    attention = [r for r in rows if not r["waiting_for_peiq"] and r["needs_attention"]]
    stalled = [r for r in rows if not r["waiting_for_peiq"] and not r["needs_attention"]]
    return {"waiting": waiting, "attention": attention, "stalled": stalled}


def _parts(c: dict, titles: dict[str, str]) -> list[str]:
    """A digest line's progress per obligation ("Rechtliche Angaben 33 %"), for a customer
    with several obligations or one other than SMTP; empty for the SMTP obligation alone."""
    summary = [o for o in json.loads(c["obligations_summary"] or "[]") if o["id"] in titles]
    if [o["id"] for o in summary] in ([], [SMTP_OBLIGATION]):
        return []
    return [f"{titles[o['id']]} {o['progress']} %" for o in summary]


def _digest_mail(manager: dict, groups: dict[str, list[dict]], at: datetime) -> mailtext.Mail:
    """The digest (templates/mail/digest.txt): per group the oldest DIGEST_LINES."""
    titles = {o.id: o.title for o in obligations()}

    def line(c: dict) -> dict:
        todos = json.loads(c["todos"] or "[]")
        badges = json.loads(c["attention"] or "[]")
        return {
            "name": c["name"],
            "progress": c["progress"],
            "moved": local_time(c["moved_at"], "%d.%m.%Y"),
            "todos": [f"{t['text']} ({todo.age(t['since'], at)})" for t in todos],
            "problems": [b["text"] for b in badges],
            "url": public_url("manage.customer", customer_id=c["id"]),
            "unassigned": c["contact_manager_id"] is None,
            "parts": _parts(c, titles),
        }

    links = {
        "waiting": public_url("manage.dashboard", status="peiq"),
        "attention": public_url("manage.dashboard", status="aufmerksamkeit"),
        "stalled": public_url("manage.dashboard", status="stockt", tage=board.STALL_DAYS),
    }
    shown = {
        name: {"lines": [line(c) for c in group[:DIGEST_LINES]], "total": len(group),
               "more": max(0, len(group) - DIGEST_LINES), "link": links[name]}
        for name, group in groups.items()
    }  # fmt: skip
    return mailtext.render(
        "digest",
        manager=manager,
        groups=shown,
        stall_days=board.STALL_DAYS,
        everyone=todo.EVERYONE,
        dashboard=public_url("manage.dashboard"),
    )


def watch_drift(db: Database, config, at: datetime) -> tuple[int, int]:
    """Re-check completed Mailjet setups once a day; return (checks, new incidents).

    A required record that was green and now fails counts one failure; the second failure
    in a row (never the first: propagation and flaky resolvers cause false alarms) opens an
    incident: the item turns `failed` with what was found, the customer needs attention
    again, and the assigned contact (every manager when nobody is) gets one mail. A DNS that
    does not answer proves nothing either way. A passing record closes the incident.
    """
    targets = list(
        db.query(
            "SELECT c.* FROM customers c JOIN mailjet_expectations m ON m.customer_id = c.id"
            " WHERE c.archived_at IS NULL AND c.path = 'mailjet' AND c.completed_at IS NOT NULL"
        )
    )
    checks = incidents = 0
    for customer in targets:
        key = f"drift:{customer['id']}:{at.date().isoformat()}"
        expected = expectation(db, customer["id"])
        if expected is None or not claim(db, key):
            continue
        try:
            report = asyncio.run(
                check_mailjet(
                    expected,
                    nameservers=config["DNS_NAMESERVERS"],
                    timeout=float(config["DNS_TIMEOUT"]),
                )
            )
            broke, fixed = _judge_drift(db, customer, report.records)
        except Exception:  # noqa: BLE001 - one customer's fault must not stop the others
            log.exception("drift check of customer %s failed", customer["id"])
            release(db, key)  # tried again at the next run
            continue
        checks += 1
        if broke:
            incidents += 1
            _mail_drift(db, config, customer, broke)
        if fixed:
            _mail_drift(db, config, customer, fixed, resolved=True)
    return checks, incidents


def _judge_drift(db: Database, customer: dict, records) -> tuple[list, list]:
    """Count failures per required record; return (records whose incident opens now,
    records whose incident closed now)."""
    items = obligation().items
    rows = store.item_rows(db, customer["id"])
    opened, resolved = [], []
    for record in records:
        item = items.get(record.item_id)
        if item is None or not item.required or record.details.get("dns_unavailable"):
            continue
        key = (customer["id"], record.item_id)
        watch = store.get_row(db, "drift", key) or {"failures": 0, "incident_at": None}
        detail = {**dataclasses.asdict(record), "title": DRIFT_TITLE, "drift": True}
        row = {"customer_id": customer["id"], "item_id": record.item_id, "checked_at": now()}
        if record.state in COMPLETE:
            if watch["incident_at"]:
                store.set_item(db, customer["id"], record.item_id, record.state, "jobs",
                               dataclasses.asdict(record), kind="drift-resolved")  # fmt: skip
                resolved.append(record)
            db.table("drift").upsert(
                {**row, "failures": 0, "incident_at": None, "detail": None},
                pk=("customer_id", "item_id"),
            )
            continue
        state = rows.get(record.item_id, {}).get("state")
        if not watch["failures"] and state not in COMPLETE:
            continue  # not green before: nothing drifted
        failures = watch["failures"] + 1
        incident = watch["incident_at"]
        if failures >= DRIFT_FAILURES and not incident:
            incident = now()
            store.set_item(db, customer["id"], record.item_id, "failed", "jobs", detail,
                           kind="drift-incident")  # fmt: skip
            opened.append(record)
        db.table("drift").upsert(
            {**row, "failures": failures, "incident_at": incident,
             "detail": json.dumps(detail, ensure_ascii=False)},
            pk=("customer_id", "item_id"),
        )  # fmt: skip
    return opened, resolved


def _mail_drift(db: Database, config, customer: dict, broke: list, resolved=False) -> None:
    """Mail the assigned contact (every manager when nobody is) that records broke or that
    an incident resolved (`resolved`)."""
    if not mail.configured(config):
        return
    items = obligation().items
    subject, text = mailtext.render(
        "drift", name=customer["name"], resolved=resolved,
        records=[{"title": items[r.item_id].title, "message": r.message} for r in broke],
        url=public_url("manage.customer", customer_id=customer["id"]),
    )  # fmt: skip
    to = manager_addresses(db, customer["id"])
    problem = mail.deliver(config, to, subject, text)
    if problem:
        log.warning("drift mail for customer %s not sent: %s", customer["id"], problem)


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
