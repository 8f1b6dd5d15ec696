"""Item states of an obligation: set one (an event per change), read them as a path sees them."""

import json

from sqlite_utils import Database

from ..catalog import SMTP_OBLIGATION
from ..db import now
from ..words.states import NOT_NEEDED as NOT_NEEDED_WORDS
from .history import _event, _touch
from .obligations import chosen_path
from .rows import get_customer

# Items whose evidence belongs to the path it was reached on (PRODUCT.md §1): a mail that
# arrived through the PORTAL proves nothing about the customer's own SMTP mailbox. Their rows
# are stored under "<item>:<path>", and only the chosen path's row is ever read.
PER_PATH_ITEMS = frozenset({"mail-received"})


def _state_key(item_id: str, path: str | None) -> str:
    return f"{item_id}:{path}" if item_id in PER_PATH_ITEMS else item_id


def _rows_for_path(rows, path: str | None) -> dict[str, dict]:
    """Map stored rows to item ids as the chosen path sees them; other paths' evidence drops."""
    result = {}
    for row in rows:
        item_id, _, row_path = row["item_id"].partition(":")
        if item_id in PER_PATH_ITEMS and (not row_path or row_path != path):
            continue
        row = dict(row, item_id=item_id, detail=json.loads(row["detail"] or "{}"))
        result[item_id] = row
    return result


# With "Mein Server braucht keine Anmeldung" there is no password to hand over: the item
# reads "Nicht nötig" and counts as done, wherever progress is computed.
NOT_NEEDED = NOT_NEEDED_WORDS  # item id -> the item's message


def _without_login(db: Database, customer_ids) -> set[int]:
    ids = list(customer_ids)
    if not ids:
        return set()
    marks = ",".join("?" * len(ids))
    rows = db.execute(
        f"SELECT customer_id FROM smtp_settings WHERE no_login AND customer_id IN ({marks})", ids
    ).fetchall()
    return {r[0] for r in rows}


def _mark_not_needed(result: dict[str, dict], customer_id: int) -> dict[str, dict]:
    for item_id, reason in NOT_NEEDED.items():
        row = result.get(item_id)
        if row is None or row["state"] != "done":
            result[item_id] = {
                "customer_id": customer_id, "item_id": item_id, "state": "done",
                "detail": {"not_needed": True, "message": reason},
                "updated_at": row["updated_at"] if row else None, "updated_by": "system",
            }  # fmt: skip
    return result


def item_rows(
    db: Database, customer_id: int, path: str | None = None, *,
    obligation_id: str = SMTP_OBLIGATION,
) -> dict[str, dict]:  # fmt: skip
    """Return an obligation's {item_id: row} as seen on a path (default: the chosen one),
    detail decoded.

    Items in NOT_NEEDED read done with detail {"not_needed": True} when the saved SMTP
    settings need no login.
    """
    if path is None:
        path = chosen_path(db, customer_id, obligation_id)
    rows = db.table("item_states").rows_where(
        "customer_id = ? AND obligation_id = ?", [customer_id, obligation_id]
    )
    if obligation_id != SMTP_OBLIGATION:
        return {r["item_id"]: dict(r, detail=json.loads(r["detail"] or "{}")) for r in rows}
    result = _rows_for_path(rows, path)
    if _without_login(db, [customer_id]):
        _mark_not_needed(result, customer_id)
    return result


def set_item(
    db: Database,
    customer_id: int,
    item_id: str,
    state: str,
    actor: str,
    detail=None,
    path: str | None = None,
    *,
    kind: str = "item-state",
    obligation_id: str = SMTP_OBLIGATION,
):
    """Set an obligation's item state (with an audit event of this kind) in one transaction.

    Items in PER_PATH_ITEMS are set for `path`. Web code names the path it judged the
    evidence on, read in its own transaction; the default (the path chosen now) would race
    with a path switch and is only for scripts and tests.

    The history records changes, not repetitions: a plain state write ("item-state") that
    leaves state and detail as they were (apart from REPEAT_KEYS, e.g. the run's id) updates
    the row but appends no event – an automatic re-check every minute writes nothing new.
    """
    per_path = obligation_id == SMTP_OBLIGATION and item_id in PER_PATH_ITEMS
    key = _state_key(item_id, path) if obligation_id == SMTP_OBLIGATION else item_id
    with db.atomic():
        if per_path:
            path = path or get_customer(db, customer_id)["path"]
            detail = {**(detail or {}), "path": path}
            key = _state_key(item_id, path)
        text = json.dumps(detail or {}, ensure_ascii=False)
        same = db.execute(
            "SELECT 1 FROM item_states WHERE customer_id = ? AND obligation_id = ?"
            " AND item_id = ? AND state = ? AND detail = ?",
            [customer_id, obligation_id, key, state, text],
        ).fetchone()
        if same and kind == "item-state":
            return  # nothing changes: no revision, no event (a repeated click)
        before = db.execute(
            "SELECT state, detail, updated_at FROM item_states"
            " WHERE customer_id = ? AND obligation_id = ? AND item_id = ?",
            [customer_id, obligation_id, key],
        ).fetchone()
        repeated = (
            kind == "item-state"
            and before is not None
            and before[0] == state
            and _same(json.loads(before[1] or "{}"), detail or {})
        )
        db.table("item_states").upsert(
            {
                "customer_id": customer_id,
                "obligation_id": obligation_id,
                "item_id": key,
                "state": state,
                "detail": json.dumps(detail or {}, ensure_ascii=False),
                # a repetition changed nothing a person reads: "zuletzt geändert" stays
                "updated_at": before[2] if repeated else now(),
                "updated_by": actor,
            },
            pk=("customer_id", "obligation_id", "item_id"),
        )
        if repeated:
            _touch(db, customer_id, activity=False)  # the row changed (run id), nothing else
            return
        data = {"state": state, **(detail or {})}
        _event(db, customer_id, actor, kind, item_id, data, obligation_id)
        _touch(db, customer_id)


# Detail keys that differ between otherwise identical verdicts (which run, when).
REPEAT_KEYS = frozenset({"run_id", "checked_at", "previous", "duration"})


def _same(old: dict, new: dict) -> bool:
    def strip(d):
        return {k: v for k, v in d.items() if k not in REPEAT_KEYS}

    return strip(old) == strip(json.loads(json.dumps(new, ensure_ascii=False)))


def all_item_rows(db: Database) -> list[dict]:
    """Return the SMTP obligation's item state rows of active customers as their chosen
    path sees them."""
    rows = db.query(
        "SELECT s.*, c.path AS chosen_path FROM item_states s"
        " JOIN customers c ON c.id = s.customer_id WHERE c.archived_at IS NULL"
        " AND s.obligation_id = ?",
        [SMTP_OBLIGATION],
    )
    grouped: dict[int, list] = {}
    paths: dict[int, str | None] = {}
    for row in rows:
        paths[row["customer_id"]] = row.pop("chosen_path")
        grouped.setdefault(row["customer_id"], []).append(row)
    no_login = _without_login(db, grouped)
    result = []
    for cid, rs in grouped.items():
        rows = _rows_for_path(rs, paths[cid])
        if cid in no_login:
            _mark_not_needed(rows, cid)
        result += rows.values()
    return result
