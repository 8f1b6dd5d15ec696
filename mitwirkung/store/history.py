"""The history: every change is an event, and every change bumps `customers.revision`."""

import json

from sqlite_utils import Database

from ..catalog import SMTP_OBLIGATION
from ..db import now
from ..words.events import ACTORS


def _event(
    db: Database, customer_id: int, actor: str, kind: str, item_id=None, data=None,
    obligation_id: str | None = SMTP_OBLIGATION,
) -> None:  # fmt: skip
    db.table("events").insert(
        {
            "customer_id": customer_id,
            "at": now(),
            "actor": actor,
            "kind": kind,
            "item_id": item_id,
            "data": json.dumps(data or {}, ensure_ascii=False),
            "obligation_id": obligation_id,
        }
    )


def add_event(
    db: Database,
    customer_id: int,
    actor: str,
    kind: str,
    item_id=None,
    data=None,
    *,
    activity: bool = True,
    obligation_id: str | None = SMTP_OBLIGATION,
):
    """Append an audit event of an obligation (None: of the customer as a whole); it marks
    the customer active unless activity=False."""
    with db.atomic():
        _event(db, customer_id, actor, kind, item_id, data, obligation_id)
        _touch(db, customer_id, activity)


def _touch(db: Database, customer_id: int, activity: bool = True) -> None:
    if not activity:  # e.g. a reminder: the page changes, the customer did nothing
        db.execute("UPDATE customers SET revision = revision + 1 WHERE id = ?", [customer_id])
        return
    db.execute(
        "UPDATE customers SET last_activity_at = ?, revision = revision + 1 WHERE id = ?",
        [now(), customer_id],
    )


def events(db: Database, customer_id: int, limit: int = 50) -> list[dict]:
    rows = db.query(
        "SELECT * FROM events WHERE customer_id = ? ORDER BY id DESC LIMIT ?", [customer_id, limit]
    )
    return [dict(r, data=json.loads(r["data"] or "{}")) for r in rows]


def actor_label(actor: str | None) -> str:
    """Say in German who did something."""
    if actor and actor.startswith("manager:"):
        return actor.removeprefix("manager:")
    return ACTORS.get(actor or "", actor or "–")
