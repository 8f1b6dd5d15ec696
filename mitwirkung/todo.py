"""PEIQ's to-do queue ("Für PEIQ zu tun"): what PEIQ must do for whom, since when.

A to-do is derived from the customer's state, never stored by hand, so it is done exactly
when PEIQ acts (the state changes): Mailjet chosen but no Mailjet values yet, values
without the DKIM key, a PORTAL named for adoption, the customer's "PEIQ informieren", a
handed-over password nobody picked up, a drift incident. `collect` returns them for one
customer; overview.summarise stores them in `customers.todos` (JSON) so the dashboard and
the jobs read them with one indexed query.

The jobs send the immediate notice (`notify_due`): every manager gets one mail with the
to-dos of their customers and of unassigned customers that they were not told about yet,
once a burst is over (no new to-do for NOTICE_QUIET) or the oldest one waited NOTICE_LATEST.
Each (manager, to-do) is claimed in `job_claims` before sending, so two copies of the jobs
never mail the same to-do twice, and a failed mail gives its claims back.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from . import handover, mail, mailtext
from .catalog import Obligation
from .dates import local_time
from .progress import ItemView
from .words.todo import TODO_TEXT

NOTICE_QUIET = timedelta(minutes=2)  # a burst is over when nothing new came for this long
NOTICE_LATEST = timedelta(minutes=10)  # ... and nobody waits longer than this for the mail
NOTICE_LINES = 30  # to-dos listed in one notice mail; the rest are counted and linked
QUEUE_LINES = 5  # to-dos shown on the dashboard; the rest are linked (status "wartet auf PEIQ")
# Kinds mailed at once by their own code (app_mail.inform_peiq, jobs.watch_drift): not again here.
MAILED_ELSEWHERE = frozenset({"peiq-informed", "drift"})
EVERYONE = "alle Account Manager:innen"


def _at(iso: str | None) -> str:
    return iso or ""


def collect(db: Database, obligation: Obligation, customer: dict, views: list[ItemView]) -> list:
    """Return the customer's open to-dos, oldest first.

    Each is {"kind", "text" (what PEIQ has to do, German), "since" (UTC ISO time it became
    PEIQ's turn), "item_id" or None}. Archived customers have none.
    """
    if customer.get("archived_at"):
        return []
    cid = customer["id"]
    todos = []
    if customer["path"] == "mailjet":
        # without the DKIM key the values are not complete (overview.summarise says the same):
        # still PEIQ's turn, unless a valid DKIM record is already published
        values = db.execute(
            "SELECT COALESCE(dkim_key, '') != '' FROM mailjet_expectations WHERE customer_id = ?",
            [cid],
        ).fetchone()
        dkim_done = any(v.item.id == "dns-dkim" and v.complete for v in views)
        if values is None or not (values[0] or dkim_done):
            chosen = db.execute(
                "SELECT MAX(at) FROM events WHERE customer_id = ? AND kind = 'path-chosen'", [cid]
            ).fetchone()[0]
            since = _at(chosen or customer["created_at"])
            if values is None:
                todos.append({
                    "kind": "mailjet-setup", "item_id": None, "since": since,
                    "text": TODO_TEXT["mailjet-setup"],
                })  # fmt: skip
            else:
                todos.append({
                    "kind": "mailjet-dkim", "item_id": "dns-dkim", "since": since,
                    "text": TODO_TEXT["mailjet-dkim"],
                })  # fmt: skip
    for view in views:
        if view.detail.get("waiting_for") != "manager" or view.detail.get("missing_value"):
            continue  # a manager's action clears waiting_for; the DKIM key is mailjet-dkim
        if view.item.id == "portal-adopt":
            portal = view.detail.get("portal") or "PORTAL"
            text = TODO_TEXT["portal-adopt"].format(portal=portal)
        elif view.item.id == "peiq-informed":
            if view.detail.get("red"):
                names = ", ".join(
                    obligation.items[i].title for i in view.detail["red"] if i in obligation.items
                )
                text = TODO_TEXT["peiq-informed-red"].format(names=names)
            else:
                text = TODO_TEXT["peiq-informed"]
        else:
            text = TODO_TEXT["item"].format(title=view.item.title)
        todos.append({"kind": view.item.id, "item_id": view.item.id,
                      "since": _at(view.updated_at), "text": text})  # fmt: skip
    secret = handover.pending(db, cid)
    if secret:
        todos.append({
            "kind": "password", "item_id": "smtp-password", "since": _at(secret["created_at"]),
            "text": TODO_TEXT["password"].format(
                expires=local_time(secret["expires_at"], "%d.%m.%Y")
            ),
        })  # fmt: skip
    drift = db.query(
        "SELECT d.item_id, d.incident_at FROM drift d JOIN item_states s"
        " USING (customer_id, item_id) WHERE d.customer_id = ? AND d.incident_at IS NOT NULL"
        " AND s.obligation_id = 'smtp-postfach'"
        " AND s.state = 'failed' ORDER BY d.item_id",
        [cid],
    )
    for row in drift:
        item = obligation.items.get(row["item_id"])
        title = item.title if item else row["item_id"]
        todos.append({
            "kind": "drift", "item_id": row["item_id"], "since": _at(row["incident_at"]),
            "text": TODO_TEXT["drift"].format(title=title),
        })  # fmt: skip
    return sorted(todos, key=lambda t: t["since"])


def age(since: str, at: datetime) -> str:
    """How long a to-do has waited, in German ("seit 5 Minuten", "seit 3 Tagen")."""
    try:
        waited = at - datetime.fromisoformat(since)
    except ValueError:
        return ""
    minutes = max(0, int(waited.total_seconds() // 60))
    if minutes < 1:
        return "seit weniger als 1 Minute"
    if minutes < 60:
        return "seit 1 Minute" if minutes == 1 else f"seit {minutes} Minuten"
    if minutes < 48 * 60:
        hours = minutes // 60
        return "seit 1 Stunde" if hours == 1 else f"seit {hours} Stunden"
    return f"seit {minutes // (24 * 60)} Tagen"


def queue(db: Database, manager_id: int | None = None, limit: int | None = None) -> list[dict]:
    """Every open to-do of active customers, oldest first, as rows for the dashboard.

    Each row is a to-do plus "customer_id", "name" and "contact" (the assigned manager's
    name, or EVERYONE). With manager_id: only that manager's and unassigned customers'.
    With limit: only the customers of the `limit` oldest to-dos are read (an index walk).
    Reads the stored summaries: call overview.refresh first.
    """
    where, params = "c.todos IS NOT NULL AND c.archived_at IS NULL", []
    if manager_id is not None:
        where += " AND (c.contact_manager_id = ? OR m.id IS NULL)"
        params.append(manager_id)
    rows = db.query(
        "SELECT c.id, c.name, c.todos, c.contact_manager_id, m.id AS manager_id,"
        " m.name AS manager_name FROM customers c INDEXED BY idx_customers_todos"
        " LEFT JOIN managers m"
        f" ON m.id = c.contact_manager_id WHERE {where} ORDER BY c.todo_since, c.id"
        + (" LIMIT ?" if limit else ""),
        params + ([limit] if limit else []),
    )
    result = []
    for row in rows:
        for todo in json.loads(row["todos"]):
            result.append({**todo, "customer_id": row["id"], "name": row["name"],
                           "manager_id": row["manager_id"],
                           "contact": row["manager_name"] or EVERYONE})  # fmt: skip
    return sorted(result, key=lambda t: (t["since"], t["customer_id"]))


def for_dashboard(db: Database, at: datetime) -> dict:
    """The dashboard's "Für PEIQ zu tun": the QUEUE_LINES oldest to-dos with their age.

    Returns {"rows": [to-do + "age"], "total": number of to-dos, "customers": number of
    customers waiting}.
    """
    # kept by triggers on customers (db.m_todo_totals_kept_by_triggers): no sum on each view
    total, customers = db.execute("SELECT todos, customers FROM todo_totals").fetchone()
    oldest = queue(db, limit=QUEUE_LINES)[:QUEUE_LINES]
    rows = [{**t, "age": age(t["since"], at)} for t in oldest]
    return {"rows": rows, "total": total, "customers": customers}


def _key(manager_id: int, todo: dict) -> str:
    return f"todo:{manager_id}:{todo['customer_id']}:{todo['kind']}:{todo['since']}"


def notify_due(db: Database, config, at: datetime, *, claim, release, url) -> int:
    """Mail each manager the to-dos they were not told about; return the mails sent.

    claim/release are jobs.claims.claim/release; url(endpoint, **values) makes a full link.
    A manager's pending to-dos go out in one mail once the newest is NOTICE_QUIET old or the
    oldest NOTICE_LATEST old (a burst is one mail, and nobody waits more than minutes).
    """
    if not mail.configured(config):
        return 0
    todos = [t for t in queue(db) if t["kind"] not in MAILED_ELSEWHERE]
    if not todos:
        return 0
    at = at.astimezone(UTC)  # stored times are UTC ISO strings (db.now): compared as text
    stamp = at.isoformat(timespec="seconds")
    quiet = (at - NOTICE_QUIET).isoformat(timespec="seconds")
    latest = (at - NOTICE_LATEST).isoformat(timespec="seconds")
    sent = 0
    for manager in list(db.query("SELECT id, name, email FROM managers ORDER BY id")):
        mine = [
            t for t in todos if t["manager_id"] in (None, manager["id"]) and t["since"] <= stamp
        ]
        pending = [
            t
            for t in mine
            if not db.execute(
                "SELECT 1 FROM job_claims WHERE key = ?", [_key(manager["id"], t)]
            ).fetchone()
        ]
        if not pending:
            continue
        if max(t["since"] for t in pending) > quiet and min(t["since"] for t in pending) > latest:
            continue  # the burst may still be going on: one mail for all of it, a bit later
        claimed = [t for t in pending if claim(db, _key(manager["id"], t))]
        if not claimed:
            continue
        subject, text = notice_text(manager, claimed, url)
        problem = mail.deliver(config, [manager["email"]], subject, text)
        if problem:
            for todo in claimed:
                release(db, _key(manager["id"], todo))
            continue
        sent += 1
    return sent


def notice_text(manager: dict, todos: list[dict], url) -> tuple[str, str]:
    """Subject and text of one notice mail (templates/mail/todo_notice.txt)."""
    shown = [{**t, "url": url("manage.customer", customer_id=t["customer_id"])}
             for t in todos[:NOTICE_LINES]]  # fmt: skip
    return mailtext.render(
        "todo_notice",
        manager=manager,
        todos=shown,
        total=len(todos),
        customers=len({t["customer_id"] for t in todos}),
        more=len(todos) - len(shown),
        queue_url=url("manage.dashboard", status="peiq"),
        EVERYONE=EVERYONE,
    )
