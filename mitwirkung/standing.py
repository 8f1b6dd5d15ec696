"""Where a customer stands in each of their obligations: chosen path, item views, progress.

Progress per obligation is progress.progress over the chosen path's required items (no path
chosen: 0); the overall progress is the floor of the mean over the customer's obligations
(progress.overall). Obligations the catalog no longer has are left out.
"""

from dataclasses import dataclass

from sqlite_utils import Database

from . import kinds, store
from .catalog import SMTP_OBLIGATION, Catalog, Obligation
from .progress import ItemView, item_views, overall, progress


@dataclass(frozen=True)
class Standing:
    """One obligation of one customer: its catalog entry, chosen path, item views, 0..100."""

    obligation: Obligation
    path: str | None
    views: list[ItemView]
    progress: int

    @property
    def id(self) -> str:
        return self.obligation.id

    def summary(self) -> dict:
        """The dashboard's per-obligation entry {"id", "path", "progress"}."""
        return {"id": self.id, "path": self.path, "progress": self.progress}


def standing(db: Database, customer: dict, obligation: Obligation, path: str | None) -> Standing:
    """Return one obligation's standing for a customer on the given path."""
    rows = store.item_rows(db, customer["id"], path, obligation_id=obligation.id)
    views = kinds.prepare(item_views(obligation, path, rows))
    return Standing(obligation, path, views, progress(views))


def path_of(obligation: Obligation, stored: str | None) -> str | None:
    """The path in effect: the stored choice, or a one-path obligation's only path."""
    if stored is None and obligation.only_path is not None:
        return obligation.only_path.id
    return stored


def standings(
    db: Database, catalog: Catalog, customer: dict, known: Standing | None = None
) -> list[Standing]:
    """Return the standing of each of the customer's obligations, in page order.

    `known`: one obligation's standing the caller has computed already (used as it is).
    """
    result = []
    for row in store.customer_obligations(db, customer["id"]):
        obligation = catalog.get(row["obligation_id"])
        if obligation is None:
            continue  # its file was removed: nothing to show or count
        if known is not None and known.id == obligation.id:
            result.append(known)
            continue
        stored = customer["path"] if obligation.id == SMTP_OBLIGATION else row["path"]
        result.append(standing(db, customer, obligation, path_of(obligation, stored)))
    return result


def overall_progress(items: list[Standing]) -> int:
    """The customer's overall progress: floor of the mean of the obligations' progress."""
    return overall([s.progress for s in items])
