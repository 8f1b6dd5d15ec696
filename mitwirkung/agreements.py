"""Which obligations an existing customer has: add further ones, remove untouched ones.

Every change is an event of that obligation ("obligation-added" / "obligation-removed") and
a new revision of the customer (a new page in every worker's cache). Knows no Flask.
"""

from sqlite_utils import Database

from . import store
from .catalog import SMTP_OBLIGATION, Catalog, starting_paths


def agreed(db: Database, customer_id: int) -> list[str]:
    """The ids of the customer's obligations in page order."""
    return [row["obligation_id"] for row in store.customer_obligations(db, customer_id)]


def anything_done(db: Database, customer_id: int, obligation_id: str) -> bool:
    """True once the customer (or PEIQ) did anything for this obligation: an item state
    other than "open", or a path chosen among several, or any event but its adding."""
    if db.execute(
        "SELECT 1 FROM item_states WHERE customer_id = ? AND obligation_id = ? AND state != 'open'",
        [customer_id, obligation_id],
    ).fetchone():
        return True
    return bool(
        db.execute(
            "SELECT 1 FROM events WHERE customer_id = ? AND obligation_id = ?"
            " AND kind NOT IN ('obligation-added', 'obligation-removed')",
            [customer_id, obligation_id],
        ).fetchone()
    )


def add(db: Database, catalog: Catalog, customer_id: int, ids, actor: str) -> list[str]:
    """Give the customer these obligations (on their starting path) where it lacks them;
    return the ids added, in catalog order. Unknown ids: ValueError."""
    unknown = [i for i in ids if i not in catalog]
    if unknown:
        raise ValueError(", ".join(unknown))
    have = set(agreed(db, customer_id))
    added = []
    with db.atomic():
        for obligation_id, path in starting_paths(catalog, [i for i in ids if i not in have]):
            store.add_obligation(db, customer_id, obligation_id, path)
            store.add_event(db, customer_id, actor, "obligation-added",
                            obligation_id=obligation_id, activity=False)  # fmt: skip
            added.append(obligation_id)
    return added


def removable(db: Database, customer_id: int, obligation_id: str) -> bool:
    """Whether an obligation may be taken away: never the SMTP mailbox (the link opens on
    it), otherwise only while nothing of it was done."""
    return obligation_id != SMTP_OBLIGATION and not anything_done(db, customer_id, obligation_id)


def remove(db: Database, customer_id: int, obligation_id: str, actor: str) -> None:
    """Take an untouched obligation away from the customer (ValueError when it is not
    removable, see `removable`)."""
    with db.atomic():
        if not removable(db, customer_id, obligation_id):
            raise ValueError(obligation_id)
        db.execute(
            "DELETE FROM customer_obligations WHERE customer_id = ? AND obligation_id = ?",
            [customer_id, obligation_id],
        )
        db.execute(
            "DELETE FROM item_states WHERE customer_id = ? AND obligation_id = ?",
            [customer_id, obligation_id],
        )
        store.add_event(db, customer_id, actor, "obligation-removed",
                        obligation_id=obligation_id, activity=False)  # fmt: skip
