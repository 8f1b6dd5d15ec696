"""Reads and writes of customers, item states and events; every state change is an event.

One module per seam, every name importable from `store` as before: `customers` (create, links
and tokens, archive/restore, the PEIQ contact), `obligations` (a customer's obligations and
the path chosen in each), `items` (item states as a path sees them, `set_item`), `history`
(events, who did it), `rows` (plain row reads).
"""

from ..words.events import EVENT_WORDS
from .customers import (
    CREATOR,
    archive_customer,
    create_customer,
    customer_by_token,
    link_tokens,
    manager_by_actor,
    peiq_contact,
    restore_customer,
    revision_by_token,
    rotate_link,
    similar_customers,
)
from .history import _event, _touch, actor_label, add_event, events
from .items import (
    NOT_NEEDED,
    PER_PATH_ITEMS,
    REPEAT_KEYS,
    _rows_for_path,
    all_item_rows,
    item_rows,
    set_item,
)
from .obligations import add_obligation, chosen_path, customer_obligations, set_path
from .rows import get_customer, get_row

__all__ = [
    "CREATOR",
    "EVENT_WORDS",
    "NOT_NEEDED",
    "PER_PATH_ITEMS",
    "REPEAT_KEYS",
    "_event",
    "_rows_for_path",
    "_touch",
    "actor_label",
    "add_event",
    "add_obligation",
    "all_item_rows",
    "archive_customer",
    "chosen_path",
    "create_customer",
    "customer_by_token",
    "customer_obligations",
    "events",
    "get_customer",
    "get_row",
    "item_rows",
    "link_tokens",
    "manager_by_actor",
    "peiq_contact",
    "restore_customer",
    "revision_by_token",
    "rotate_link",
    "set_item",
    "set_path",
    "similar_customers",
]
