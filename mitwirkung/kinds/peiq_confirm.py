"""Kind `peiq-confirm`: PEIQ confirms the item on the manager page; the customer waits.

It is PEIQ's turn ("Wartet auf PEIQ", the dashboard's "wartet auf PEIQ") once every other
required item of the path is complete; a manager's click sets it done with
detail {"confirmed_by": "<manager e-mail>"} (the history names the manager too).
"""

from ..progress import ItemView, others_complete


def waiting(view: ItemView, views: list[ItemView]) -> bool:
    """True while the item is open and everything else the path requires is complete."""
    return not view.complete and others_complete(views, view.item.id)
