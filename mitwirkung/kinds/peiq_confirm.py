"""Kind `peiq-confirm`: PEIQ confirms the item on the manager page; the customer waits.

It is PEIQ's turn ("Wartet auf PEIQ", the dashboard's "wartet auf PEIQ") once every other
required item of the path is complete; a manager's click sets it done with
detail {"confirmed_by": "<manager e-mail>"} (the history names the manager too).
"""

from ..catalog import Obligation
from ..progress import ItemView, others_complete
from ..words.kinds import PEIQ_TODO


def waiting(view: ItemView, views: list[ItemView]) -> bool:
    """True while the item is open and everything else the path requires is complete."""
    return not view.complete and others_complete(views, view.item.id)


def todos(obligation: Obligation, views: list[ItemView]) -> list[dict]:
    """PEIQ's to-dos of one obligation (todo.collect's shape): each item waiting for PEIQ's
    confirmation, since the last other step was done (UTC ISO time; "" if unknown)."""
    found = []
    for view in views:
        if view.item.kind == "peiq-confirm" and waiting(view, views):
            since = max((v.updated_at or "" for v in views if v is not view), default="")
            text = PEIQ_TODO.format(obligation=obligation.title, item=view.item.for_manager)
            found.append({"kind": f"peiq-confirm:{obligation.id}", "item_id": view.item.id,
                          "since": since, "text": text})  # fmt: skip
    return found
