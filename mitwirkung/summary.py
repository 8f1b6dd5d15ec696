"""A customer's dashboard summary, kept in columns of `customers`: progress (overall and per
obligation), what needs attention (German badges, `words/board.py`), PEIQ's to-dos, when the
setup last moved, the search text. `refresh` recomputes the stale ones (summary_revision
differs from revision); overview.py queries them.
"""

from __future__ import annotations

import json

from sqlite_utils import Database

from . import handover, todo
from .catalog import SMTP_OBLIGATION, Catalog, Obligation
from .checks.domain import display_domain
from .checks.smtp import shown_address
from .db import now
from .kinds import peiq_confirm
from .progress import (
    EVIDENCE_LABELS,
    attention,
    evidence,
)
from .standing import overall_progress, standings
from .textfold import search_fold, sort_name
from .words import board as words

# Event kinds that mean the setup moved (a reminder, a link mail or an edit does not).
MOVES = (
    "customer-created",
    "path-chosen",
    "item-state",
    "mailjet-expectation",
    "secret-handed-over",
    "peiq-acknowledged",
)


def _moved_at(db: Database, customer: dict) -> str:
    marks = ",".join("?" * len(MOVES))
    row = db.execute(
        f"SELECT MAX(at) FROM events WHERE customer_id = ? AND kind IN ({marks})",
        [customer["id"], *MOVES],
    ).fetchone()
    return row[0] or customer["created_at"]


MAILJET_VALUES_MISSING = words.MAILJET_VALUES_MISSING
PROBLEMS = words.PROBLEMS


def problem(view) -> str:
    """Say what is wrong with a failed item, in the negative (never the item's goal)."""
    text = PROBLEMS.get(view.item.id)
    if isinstance(text, tuple):
        return text[bool(view.detail.get("found"))]
    return text or words.NOT_IN_ORDER.format(title=view.item.for_manager)


def _mail_evidence(views) -> str | None:
    """How `mail-received` was reached, in the pages' words (Empfang nachgewiesen, …), or None."""
    for view in views:
        if view.item.id == "mail-received" and view.state != "open":
            found = evidence(view.detail)
            return EVIDENCE_LABELS[found] if found else None
    return None


def _catalog(obligations: Catalog | Obligation) -> Catalog:
    return Catalog([obligations]) if isinstance(obligations, Obligation) else obligations


def summarise(db: Database, obligations: Catalog | Obligation, customer: dict) -> dict:
    """Return the summary columns of one customer from its item rows, secrets and events.

    `obligations` is the catalog (an Obligation alone: a catalog of just that one).
    `progress` is the overall progress over the customer's obligations, and
    `obligations_summary` (JSON) is [{"id", "path", "progress"}] per obligation in page order.
    The customer waits for PEIQ (and so needs attention) while an item waits for a manager
    (PEIQ informiert, PORTAL named, PEIQ's confirmation), a handed-over password lies
    unrevealed, or the Mailjet path is chosen but no Mailjet values are stored (the customer
    page says PEIQ sets it up).
    """
    catalog = _catalog(obligations)
    obligation = catalog.get(SMTP_OBLIGATION)
    items = standings(db, catalog, customer)
    views = next((s.views for s in items if s.id == SMTP_OBLIGATION), [])
    done = overall_progress(items)
    badges = []
    waiting = False
    dkim_done = any(v.item.id == "dns-dkim" and v.complete for v in views)
    if (
        customer["path"] == "mailjet"
        and not db.execute(
            # without the DKIM key the values are not complete: still PEIQ's turn, unless a
            # valid DKIM record is already published
            "SELECT 1 FROM mailjet_expectations WHERE customer_id = ?"
            " AND (? OR COALESCE(dkim_key, '') != '')",
            [customer["id"], int(dkim_done)],
        ).fetchone()
    ):
        waiting = True
        badges.append({"state": "running", "text": MAILJET_VALUES_MISSING})
    # a further obligation's line names it ("Rechtliche Angaben – …"); the SMTP one's as before
    for named, view in [
        (
            ""
            if s.id == SMTP_OBLIGATION
            else words.OBLIGATION_NAMED.format(title=s.obligation.title),
            v,
        )
        for s in items
        for v in attention(s.views)
    ]:
        if view.detail.get("waiting_for") == "manager":
            waiting = True
            badges.append(
                {
                    "state": view.state,
                    "text": named + words.WAITS_FOR_PEIQ.format(title=view.item.for_manager),
                }
            )
        else:
            note = view.detail.get("title")
            text = f"{problem(view)}: {note}" if note else problem(view)
            badges.append({"state": view.state, "text": named + text})
    secret = handover.pending(db, customer["id"])
    if secret:
        waiting = True
        untested = "" if secret["tested"] else words.SECRET_UNTESTED
        badges.append({"state": "running", "text": words.SECRET_WAITING.format(untested=untested)})
    completed_at, completed_path = customer["completed_at"], customer["completed_path"]
    if customer["path"] != completed_path:
        completed_at, completed_path = None, None
    if done == 100 and completed_at is None:
        completed_at, completed_path = now(), customer["path"]
    domain = customer["domain"] or ""
    contact = customer["contact_email"] or ""
    # both spellings of a domain: what people read (Unicode) and what the wire has (A-label)
    search = " ".join(
        [customer["name"], domain, display_domain(domain), contact]
        + ([shown_address(contact)] if "xn--" in contact else [])
    )
    todos = todo.collect(db, obligation, customer, views) if obligation else []
    todos += [
        t
        for s in items
        if s.id != SMTP_OBLIGATION
        for t in peiq_confirm.todos(s.obligation, s.views)
    ]
    todos.sort(key=lambda t: t["since"])  # oldest first, over every obligation
    return {
        "obligations_summary": json.dumps([s.summary() for s in items]),
        "todos": json.dumps(todos, ensure_ascii=False) if todos else None,
        "todo_since": todos[0]["since"] if todos else None,
        "todo_count": len(todos),
        "progress": done,
        "needs_attention": int(bool(badges)),
        "waiting_for_peiq": int(waiting),
        "attention": json.dumps(badges, ensure_ascii=False),
        "moved_at": _moved_at(db, customer),
        "completed_at": completed_at,
        "completed_path": completed_path,
        "search_text": search_fold(search),
        "mail_evidence": _mail_evidence(views),
        "sort_name": sort_name(customer["name"]),
    }


def refresh(db: Database, obligations: Catalog | Obligation, customer_id: int | None = None) -> int:
    """Recompute the stale summaries (or one customer's); return how many were written.

    `obligations`: the catalog (an Obligation alone counts as a catalog of just that one).

    A summary is written only if the customer did not change meanwhile, so a concurrent
    change leaves it stale for the next call instead of hiding it.
    """
    where = "summary_revision IS NOT revision"
    params: list = []
    if customer_id is not None:
        where, params = "id = ?", [customer_id]
    count = 0
    for customer in list(db.query(f"SELECT * FROM customers WHERE {where}", params)):
        with db.atomic():
            summary = summarise(db, obligations, customer)
            sets = ", ".join(f"{k} = ?" for k in summary)
            written = db.execute(
                f"UPDATE customers SET {sets}, summary_revision = revision"
                " WHERE id = ? AND revision = ?",
                [*summary.values(), customer["id"], customer["revision"]],
            ).rowcount
            if written:
                db.execute("DELETE FROM customer_search WHERE rowid = ?", [customer["id"]])
                db.execute(
                    "INSERT INTO customer_search (rowid, text) VALUES (?, ?)",
                    [customer["id"], summary["search_text"]],
                )
            count += written
    return count
