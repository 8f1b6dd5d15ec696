"""Secure password hand-over: encrypted at rest, revealed once to a manager, then deleted."""

from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from . import crypto, store
from .db import forget, now

KIND = "smtp-password"


def hand_over(db: Database, customer_id: int, password: str, actor: str, max_age_days: int):
    """Store the password encrypted (replacing an unrevealed one) and mark `smtp-password`."""
    expires = datetime.now(UTC) + timedelta(days=max_age_days)
    with db.atomic():
        replaced = db.execute(
            "DELETE FROM secrets WHERE customer_id = ? AND kind = ?", [customer_id, KIND]
        ).rowcount
        db.table("secrets").insert(
            {
                "customer_id": customer_id,
                "kind": KIND,
                "ciphertext": crypto.encrypt(password),
                "created_at": now(),
                "expires_at": expires.isoformat(timespec="seconds"),
            }
        )
        store.add_event(db, customer_id, actor, "secret-handed-over", data={"replaced": replaced})
        store.set_item(db, customer_id, "smtp-password", "done", actor, {"via": "handover"})
    if replaced:
        forget(db)


def confirm_other_channel(db: Database, customer_id: int, actor: str) -> None:
    """The customer confirms the password travelled another secure way."""
    store.set_item(db, customer_id, "smtp-password", "done", actor, {"via": "other-channel"})


def pending(db: Database, customer_id: int) -> dict | None:
    """Return when the unrevealed password was handed over and when it expires, or None."""
    rows = db.query(
        "SELECT id, created_at, expires_at FROM secrets"
        " WHERE customer_id = ? AND kind = ? AND expires_at > ?",
        [customer_id, KIND, now()],
    )
    return next(iter(rows), None)


def reveal(db: Database, customer_id: int, actor: str) -> str | None:
    """Decrypt and delete the handed-over password; it can be seen exactly once."""
    with db.atomic():
        rows = list(
            db.query(
                "SELECT id, ciphertext FROM secrets"
                " WHERE customer_id = ? AND kind = ? AND expires_at > ?",
                [customer_id, KIND, now()],
            )
        )
        if not rows:
            return None
        db.execute("DELETE FROM secrets WHERE id = ?", [rows[0]["id"]])
        store.add_event(db, customer_id, actor, "secret-revealed")
    forget(db)
    return crypto.decrypt(rows[0]["ciphertext"])


def purge_expired(db: Database) -> int:
    """Delete passwords nobody revealed within their time; each deletion is an event."""
    rows = list(db.query("SELECT id, customer_id FROM secrets WHERE expires_at < ?", [now()]))
    for row in rows:
        with db.atomic():
            db.execute("DELETE FROM secrets WHERE id = ?", [row["id"]])
            store.add_event(db, row["customer_id"], "system", "secret-expired")
    if rows:
        forget(db)
    return len(rows)
