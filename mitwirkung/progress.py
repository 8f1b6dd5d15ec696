"""Item states and progress: pure functions over state rows and the catalog."""

from dataclasses import dataclass

from .catalog import Item, Obligation

STATE_LABELS = {
    "open": "Offen",
    "running": "Läuft …",
    "done": "Erledigt",
    "warning": "Erledigt, mit Hinweis",
    "failed": "Fehlgeschlagen",
}
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


def attention(views: list[ItemView]) -> list[ItemView]:
    """Return the items that need someone's attention: failed, or waiting for PEIQ."""
    return [v for v in views if v.state == "failed" or v.detail.get("waiting_for") == "manager"]
