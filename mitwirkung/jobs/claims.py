"""Claims: every unit of background work is first claimed by inserting its key (e.g.
"reminder:17:2026-11-30") into `job_claims`; only the copy whose insert succeeded does it, so
two copies running at once never send a mail twice."""

import os
import socket

from sqlite_utils import Database

from ..db import now

OWNER = f"{socket.gethostname()}:{os.getpid()}"


def claim(db: Database, key: str) -> bool:
    """Claim one unit of work; True for exactly one caller per key, across processes."""
    with db.atomic():
        inserted = db.execute(
            "INSERT OR IGNORE INTO job_claims (key, claimed_at, owner) VALUES (?, ?, ?)",
            [key, now(), OWNER],
        ).rowcount
    return inserted == 1


def claim_within(db: Database, key: str, *, kind: str, since: str, limit: int) -> str:
    """Claim one unit of work of a kind with a budget (e.g. REMINDERS_PER_HOUR).

    `kind` is the keys' prefix ("reminder:"); claims of that kind made after `since` (ISO
    time) count, released ones (failed mails) do not. Count and claim are one write
    transaction (BEGIN IMMEDIATE), so two runners at once cannot both pass the count.
    Returns "claimed", "taken" (another runner has this key) or "spent" (the budget is used).
    """
    with db.atomic():
        used = db.execute(
            "SELECT COUNT(*) FROM job_claims WHERE substr(key, 1, ?) = ? AND claimed_at > ?",
            [len(kind), kind, since],
        ).fetchone()[0]
        if used >= limit:
            return "spent"
        return "claimed" if claim(db, key) else "taken"


def release(db: Database, key: str) -> None:
    """Give a claim back (the work failed and may be tried again at the next run)."""
    db.execute("DELETE FROM job_claims WHERE key = ?", [key])
