"""Kind `manual`: the customer confirms the item's `confirm` sentence (and may take it back).

Done when ticked (detail {"by_hand": True}); open again when unticked. PEIQ sees who
confirmed when in the history.
"""

from ..catalog import Item
from .outcome import Outcome


def submit(item: Item, form, row: dict | None) -> Outcome:
    """Tick (`done=1`) or untick (`done=0`) the item; anything else is an error "choice"."""
    done = form.get("done")
    if done not in ("0", "1"):
        return Outcome(errors={"done": "choice"})
    if done == "1":
        return Outcome("done", {"by_hand": True}, said="confirmed")
    return Outcome("open", {}, said="unconfirmed")
