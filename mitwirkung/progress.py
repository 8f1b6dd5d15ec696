"""Item states and progress: pure functions over state rows and the catalog."""

from dataclasses import dataclass

from .catalog import Item, Obligation
from .words.states import BADGES, EVIDENCE_LABELS, STATE_LABELS  # pages import the labels here

COMPLETE = {"done", "warning"}


@dataclass(frozen=True)
class ItemView:
    item: Item
    state: str
    detail: dict
    updated_at: str | None

    @property
    def complete(self) -> bool:
        return self.state in COMPLETE


def item_views(
    obligation: Obligation, path_id: str | None, rows: dict[str, dict]
) -> list[ItemView]:
    """Return the chosen path's items with their states; items without a row are open."""
    path = obligation.path(path_id)
    if path is None:
        return []
    views = []
    for item in path.items:
        row = rows.get(item.id) or {}
        views.append(
            ItemView(
                item, row.get("state") or "open", row.get("detail") or {}, row.get("updated_at")
            )
        )
    return views


def progress(views: list[ItemView]) -> int:
    """Return the share (0..100) of required items that are done or passed with a warning."""
    required = [v for v in views if v.item.required]
    if not required:
        return 0
    return 100 * sum(v.complete for v in required) // len(required)


def overall(progresses: list[int]) -> int:
    """Return the overall progress (0..100): the floor of the mean of the obligations'
    progress; 0 for none. 100 only when every obligation is at 100."""
    return sum(progresses) // len(progresses) if progresses else 0


def state_label(view: ItemView) -> str:
    """Return the badge text of an item in the customer's words.

    An item the chosen settings make unnecessary is "Nicht nötig".
    A DNS record that was not found is "Noch nicht angelegt", one found but wrong is
    "Fehlerhaft", a missing optional record is "Empfohlen"; a request PEIQ has to act on
    is "Wartet auf PEIQ"; a record the daily watch found broken after completion is "Nicht
    mehr in Ordnung".
    """
    if view.detail.get("not_needed"):
        return BADGES["not_needed"]
    if view.detail.get("drift") and not view.complete:  # green at completion, broken now
        return BADGES["drift"]
    waiting = view.detail.get("waiting_for") == "manager" and not view.detail.get("red")
    if not view.complete and waiting:  # records still red: the customer's turn, not PEIQ's
        return BADGES["waiting"]
    if view.item.kind == "dns":
        found = bool(view.detail.get("found"))
        if view.state == "failed":
            return BADGES["dns_wrong"] if found else BADGES["dns_missing"]
        if view.state == "warning" and not found and not view.item.required:
            return BADGES["dns_recommended"]
        if view.state == "open":
            return BADGES["dns_unchecked"]
    return STATE_LABELS[view.state]


def evidence(detail: dict) -> str | None:
    """Return how `mail-received` was reached: received, link, manual, or None (not reached).

    Rows written before `evidence` was stored say it as via/by_hand.
    """
    if detail.get("evidence") in EVIDENCE_LABELS:
        return detail["evidence"]
    if detail.get("via") == "confirmation-link":
        return "link"
    if detail.get("by_hand"):
        return "manual"
    return None


def others_complete(views: list[ItemView], item_id: str) -> bool:
    """Return True when every required item of the path except item_id is done or warning."""
    return all(v.complete for v in views if v.item.required and v.item.id != item_id)


def attention(views: list[ItemView]) -> list[ItemView]:
    """Return the items that need someone's attention: failed, or waiting for PEIQ."""
    return [v for v in views if v.state == "failed" or v.detail.get("waiting_for") == "manager"]
