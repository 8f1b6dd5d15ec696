"""The customer's history as lines a manager reads: each event said in German (`describe`),
running states left out and repeats joined (`history_page`), and the export (`history_rows`).

Its words: words/history.py and the event kinds' words/events.py (via `store.EVENT_WORDS`).
"""

from __future__ import annotations

import json

from sqlite_utils import Database

from . import store
from .catalog import SMTP_OBLIGATION, Catalog, Obligation
from .checks.smtp import shown_address
from .progress import STATE_LABELS, ItemView, state_label
from .words import history as history_words


def _catalog(obligations: Catalog | Obligation) -> Catalog:
    return Catalog([obligations]) if isinstance(obligations, Obligation) else obligations


# Keys of an event's data that differ between otherwise identical events.
VOLATILE = {"run_id", "previous", "checked_at"}


def _event_obligation(event: dict, obligations: Catalog | Obligation) -> Obligation:
    """The obligation an event belongs to (customer-wide and unknown ones: the SMTP one)."""
    catalog = _catalog(obligations)
    smtp = catalog.get(SMTP_OBLIGATION) or catalog.first
    return catalog.get(event.get("obligation_id")) or smtp


def describe(event: dict, obligations: Catalog | Obligation) -> str:
    """Say in German what an event was; never an internal code.

    `obligations`: the catalog (an Obligation alone: a catalog of just it); an event of a
    further obligation names that obligation before its step.
    """
    data, kind = event["data"], event["kind"]
    obligation = _event_obligation(event, obligations)
    item = obligation.items.get(event["item_id"] or "")
    w = history_words
    named = w.OBLIGATION_NAMED.format(title=obligation.title)
    named = named if obligation.id != SMTP_OBLIGATION else ""
    if kind == "item-state":
        title = named + (item.for_manager if item else w.STEP)
        state = data.get("state")
        if item and state in STATE_LABELS:  # the same word the page shows for that step
            word = state_label(ItemView(item, state, data, None))
        else:
            word = STATE_LABELS.get(state, w.CHANGED)
        text = w.STATE.format(title=title, word=word)
        if event["item_id"] == "portal-adopt" and data.get("portal"):
            before = data.get("portal_before")
            named = (w.PORTAL_CHANGE.format(before=before, after=data["portal"]) if before
                     else w.QUOTED.format(value=data["portal"]))  # fmt: skip
            text += w.PORTAL.format(named=named)
        return text + (w.NOTE.format(title=data["title"]) if data.get("title") else "")
    if kind == "mail-received-inbound":
        sender = shown_address(data["mail_from"]) if data.get("mail_from") else w.EMPTY_SENDER
        state = STATE_LABELS.get(data.get("state"), w.CHECKED)
        return w.INBOUND.format(event=store.EVENT_WORDS[kind], sender=sender,
                                peer=data.get("peer_ip"), state=state)  # fmt: skip
    if kind == "path-chosen":
        path = obligation.path(data.get("path"))
        if path:
            return w.PATH_CHOSEN_AS.format(named=named, path=path.short)
        return w.PATH_CHOSEN.format(named=named)
    if kind in ("obligation-added", "obligation-removed"):
        return w.OBLIGATION.format(event=store.EVENT_WORDS[kind], title=obligation.title)
    if kind == "customer-edited" and data.get("changes"):
        return w.EDITED + "; ".join(
            w.CHANGE.format(field=c["field"], old=_shown(c["old"]), new=_shown(c["new"]))
            for c in data["changes"]
        )
    if kind == "customer-edited" and data.get("fields"):
        return w.EDITED_FIELDS.format(fields=", ".join(data["fields"]))
    if kind == "peiq-contact-changed":
        now_ = data.get("name") or w.NOBODY
        if "old" in data:
            return w.CONTACT_CHANGED.format(old=data["old"] or w.NOBODY, new=now_)
        return w.CONTACT_NOW.format(new=now_)
    mailed = ("link-mailed", "reminder-sent", "records-forwarded", "values-ready-mailed",
              "customer-told")  # fmt: skip
    if kind in mailed and isinstance(data.get("to"), str):
        return w.MAILED_TO.format(event=store.EVENT_WORDS[kind], to=shown_address(data["to"]))
    if kind in ("secret-handed-over", "secret-revealed", "secret-expired") and data.get("oauth"):
        return store.EVENT_WORDS[kind].replace(w.PASSWORD, w.CLIENT_SECRET, 1)
    if kind == "peiq-acknowledged" and data.get("red"):  # the notice asked for help
        return store.EVENT_WORDS["peiq-help-acknowledged"]
    if kind in ("drift-incident", "drift-resolved") and item:
        return w.ABOUT_ITEM.format(event=store.EVENT_WORDS[kind], title=item.for_manager)
    return store.EVENT_WORDS.get(kind, w.UNKNOWN)


def _shown(value) -> str:
    return history_words.QUOTED.format(value=value) if value else history_words.EMPTY


def history(
    db: Database, obligation: Catalog | Obligation, customer_id: int, lines: int = 50
) -> list:
    """Return the customer's history, newest first, without noise (see history_page)."""
    return history_page(db, obligation, customer_id, lines)[0]


def history_page(
    db: Database, obligation: Catalog | Obligation, customer_id: int, lines: int = 50,
    before: int | None = None,
) -> tuple[list, int | None]:  # fmt: skip
    """Return (up to `lines` history lines older than event id `before`, newest first, and
    the event id to pass as `before` for the next older page, or None when there is none).

    `running` states (always followed by their outcome) are left out, and an event that
    repeats the previous one of the same kind and item (same actor, same data) joins its
    line, which then carries a count and the time of the first of them. Each line has "who":
    the manager's name, "Kund:in", or "System" for automatic work.
    """
    rows = db.query(
        "SELECT * FROM events WHERE customer_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
        [customer_id, before or 2**62, lines * 8 + 1],
    )
    names = dict(db.execute("SELECT 'manager:' || email, name FROM managers").fetchall())
    shown: list[dict] = []
    latest: dict[tuple, dict] = {}  # (kind, obligation, item) -> the oldest line shown so far
    older = None
    for row in rows:
        data = json.loads(row["data"] or "{}")
        if row["kind"] == "item-state" and data.get("state") == "running":
            continue
        group = (row["kind"], row.get("obligation_id"), row["item_id"])
        same = (row["actor"], {k: v for k, v in data.items() if k not in VOLATILE})
        line = latest.get(group)
        if line and line["same"] == same:
            line["count"] += 1
            line["first_at"] = row["at"]
            continue
        if len(shown) == lines:
            older = row["id"] + 1  # this event starts the next page
            break
        line = {**row, "data": data, "same": same, "count": 1, "first_at": row["at"]}
        line["text"] = describe(line, obligation)
        line["who"] = names.get(row["actor"]) or store.actor_label(row["actor"])
        shown.append(line)
        latest[group] = line
    return shown, older


def history_rows(db: Database, obligation: Catalog | Obligation, customer_id: int):
    """Yield every event of the customer, newest first, as (ISO time, who, what) for export."""
    names = dict(db.execute("SELECT 'manager:' || email, name FROM managers").fetchall())
    rows = db.query("SELECT * FROM events WHERE customer_id = ? ORDER BY id DESC", [customer_id])
    for row in rows:
        data = json.loads(row["data"] or "{}")
        if row["kind"] == "item-state" and data.get("state") == "running":
            continue
        who = names.get(row["actor"]) or store.actor_label(row["actor"])
        yield row["at"], who, describe({**row, "data": data}, obligation)
