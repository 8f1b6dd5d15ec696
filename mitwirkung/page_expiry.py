"""When a customer's page changes by the clock alone, without a new revision.

The page cache (pagecache.py) keeps a page per revision; these parts of the page change with
time only, so a cached page is kept no longer than the earliest of them:
- the test budgets ("Sie können in diesen 10 Minuten noch N Testmails senden", "keine
  weiteren Testmails"): when the oldest counted run leaves the 10 minutes (limits);
- the automatic DNS re-checks ("prüfen wir bis 14:30 Uhr" / "pausiert seit"): 30 minutes
  after the last click (limits.auto_checks_until);
- a handed-over password waiting for PEIQ: until its expires_at;
- a Prüfadresse: shown while it lives one more day (inbound._live_row);
- everything dated by the day (the mail provider's switch-off notice via TODAY or the
  server's date, "heute"): the next midnight, in Berlin and on the server.
Knows no Flask.
"""

from datetime import datetime, timedelta

from sqlite_utils import Database

from .dates import BERLIN
from .db import utcnow
from .runs.limits import auto_checks_until, budget_frees_at


def _next_midnight(now: datetime, zone=None) -> datetime:
    local = now.astimezone(zone)
    return (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def _times(db: Database, customer_id: int, sql: str) -> list[datetime]:
    return [datetime.fromisoformat(row[0]) for row in db.execute(sql, [customer_id]) if row[0]]


def changes_at(db: Database, customer_id: int) -> datetime:
    """The earliest time (aware datetime, after now) at which the customer's page shows
    something else without any change in the database."""
    now = utcnow()
    times = [_next_midnight(now, BERLIN), _next_midnight(now)]
    frees = budget_frees_at(db, customer_id)
    until = auto_checks_until(db, customer_id)
    times += [frees] if frees else []
    times += [datetime.fromisoformat(until)] if until else []
    times += _times(db, customer_id,
                    "SELECT expires_at FROM secrets WHERE customer_id = ?")  # fmt: skip
    times += [
        t - timedelta(days=1)
        for t in _times(
            db,
            customer_id,
            "SELECT expires_at FROM inbound_addresses WHERE customer_id = ? AND retired_at IS NULL",
        )  # fmt: skip
    ]
    return min(t for t in times if t > now)  # the next midnight at the latest
