"""Login throttling for managers over `login_failures` and `login_addresses` (no Flask).

A password check is reserved before it runs and counts as a wrong password until it proves
right, so parallel guesses cannot all pass a count taken before any of them was stored.
Limits (per LOGIN_WINDOW seconds): LOGIN_ATTEMPTS per account and client address,
ADDRESS_ATTEMPTS per address over all accounts, LOGIN_ATTEMPTS per account from addresses it
never logged in from. An address the account logged in from within KNOWN_ADDRESS_DAYS keeps
getting in when others used up the address's or the account's budget.
"""

from datetime import UTC, datetime, timedelta

from werkzeug.security import generate_password_hash

from .db import now

LOGIN_WINDOW = 15 * 60
LOGIN_ATTEMPTS = 10  # wrong passwords for one account: from one address, or from unknown ones
ADDRESS_ATTEMPTS = 30  # wrong passwords from one address over all accounts
KNOWN_ADDRESS_DAYS = 90
# checked when the e-mail is unknown, so that the answer takes as long as for a known one
DUMMY_HASH = generate_password_hash("no such manager")


def _ago(seconds: int) -> str:
    return (datetime.now(UTC) - timedelta(seconds=seconds)).isoformat(timespec="seconds")


def reserve_attempt(db, email: str, client: str) -> int | None:
    """Reserve one password check and return its row id, or None when a limit is reached.

    Counting and reserving happen in one BEGIN IMMEDIATE transaction, so parallel requests
    cannot all see the same count; a reservation counts as a wrong password until the
    password proves right. Limits: per account and address, per address, and per account
    for addresses this account never logged in from, so that wrong passwords from elsewhere
    cannot lock a manager out of an address they use.
    """
    with db.atomic():
        since = _ago(LOGIN_WINDOW)
        db.execute("DELETE FROM login_failures WHERE at <= ?", [since])
        pair, address, account = db.execute(
            "SELECT COALESCE(SUM(email = ? AND client_addr = ?), 0),"
            " COALESCE(SUM(client_addr = ?), 0), COALESCE(SUM(email = ?), 0)"
            " FROM login_failures WHERE at > ?",
            [email, client, client, email, since],
        ).fetchone()
        known = db.execute(
            "SELECT 1 FROM login_addresses WHERE email = ? AND client_addr = ? AND at > ?",
            [email, client, _ago(KNOWN_ADDRESS_DAYS * 86400)],
        ).fetchone()
        # A manager who logged in from this address before keeps getting in when others
        # (e.g. everyone behind one proxy) used up the address's budget.
        if (
            pair >= LOGIN_ATTEMPTS
            or (address >= ADDRESS_ATTEMPTS and not known)
            or (account >= LOGIN_ATTEMPTS and not known)
        ):
            return None
        table = db.table("login_failures")
        table.insert({"email": email, "client_addr": client, "at": now()})
        return table.last_pk


def login_succeeded(db, attempt: int, email: str, client: str) -> None:
    """Drop the reservation and remember the address as one this account logs in from."""
    with db.atomic():
        db.execute("DELETE FROM login_failures WHERE id = ?", [attempt])
        db.table("login_addresses").upsert(
            {"email": email, "client_addr": client, "at": now()},
            pk=("email", "client_addr"),
        )
