"""Plain row reads shared by the store's modules."""

from sqlite_utils import Database
from sqlite_utils.db import NotFoundError


def get_row(db: Database, table: str, key) -> dict | None:
    """Return the row with this primary key, or None."""
    try:
        return db.table(table).get(key)
    except NotFoundError:
        return None


def get_customer(db: Database, customer_id: int) -> dict | None:
    return get_row(db, "customers", customer_id)
