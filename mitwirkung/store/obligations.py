"""A customer's obligations (`customer_obligations`) and the path chosen in each."""

from sqlite_utils import Database

from ..catalog import SMTP_OBLIGATION
from ..db import now
from .history import _event, _touch
from .rows import get_customer


def add_obligation(db: Database, customer_id: int, obligation_id: str, path: str | None) -> None:
    """Give a customer one more obligation (last on the page), with this path (or none yet).

    Adding one the customer has already changes nothing.
    """
    with db.atomic():
        position = db.execute(
            "SELECT COALESCE(MAX(position) + 1, 0) FROM customer_obligations WHERE customer_id = ?",
            [customer_id],
        ).fetchone()[0]
        db.execute(
            "INSERT OR IGNORE INTO customer_obligations"
            " (customer_id, obligation_id, path, position, added_at) VALUES (?, ?, ?, ?, ?)",
            [customer_id, obligation_id, path, position, now()],
        )
        if obligation_id == SMTP_OBLIGATION and path:
            db.execute("UPDATE customers SET path = ? WHERE id = ?", [path, customer_id])


def customer_obligations(db: Database, customer_id: int) -> list[dict]:
    """Return the customer's obligations in page order: [{"obligation_id", "path", …}]."""
    return list(
        db.query(
            "SELECT * FROM customer_obligations WHERE customer_id = ? ORDER BY position",
            [customer_id],
        )
    )


def chosen_path(db: Database, customer_id: int, obligation_id: str) -> str | None:
    """Return the path chosen for one of the customer's obligations, or None."""
    if obligation_id == SMTP_OBLIGATION:  # customers.path is the SMTP obligation's path
        customer = get_customer(db, customer_id)
        return customer["path"] if customer else None
    row = db.execute(
        "SELECT path FROM customer_obligations WHERE customer_id = ? AND obligation_id = ?",
        [customer_id, obligation_id],
    ).fetchone()
    return row[0] if row else None


def set_path(
    db: Database, customer_id: int, path_id: str, actor: str, *,
    obligation_id: str = SMTP_OBLIGATION,
) -> None:  # fmt: skip
    """Choose an obligation's path; the other paths' item states stay as they are.

    Choosing the path already chosen changes nothing: no revision, no event (each new
    revision is a new page in every worker's cache). The SMTP obligation's path is also
    `customers.path`.
    """
    with db.atomic():
        if chosen_path(db, customer_id, obligation_id) == path_id:
            return
        if obligation_id == SMTP_OBLIGATION:
            db.table("customers").update(customer_id, {"path": path_id})
        db.execute(
            "UPDATE customer_obligations SET path = ? WHERE customer_id = ? AND obligation_id = ?",
            [path_id, customer_id, obligation_id],
        )
        _event(db, customer_id, actor, "path-chosen", data={"path": path_id},
               obligation_id=obligation_id)  # fmt: skip
        _touch(db, customer_id)
