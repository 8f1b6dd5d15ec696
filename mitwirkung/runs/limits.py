"""Every rate limit on runs and app mails, in one place: SMTP tests and probes, DNS checks,
forwarding the records, and "PEIQ informieren" (a notice is mailed once until looked at).

Counts come from the database (`runs`, `events`), so every worker process sees the same
budget; a limit is checked in the write transaction that starts the run, so parallel
requests cannot all pass the count.
"""

import ipaddress
from datetime import datetime, timedelta

from sqlite_utils import Database

from ..dates import local_time
from ..db import utcnow
from ..words import runs as words

SMTP_KINDS = ("smtp", "probe", "mailjet-mail")  # all count against the SMTP test limits
AUTO_CHECK_WINDOW = 30 * 60  # seconds of automatic DNS re-checks after the last click
FORWARDS_PER_HOUR = 5  # per customer: the form mails an address anyone with the link types

# Outcomes of runs that ended before any connection to the customer's server: they cost the
# server nothing, so they do not count against the customer's budget (the address limit stays).
NOT_CONNECTED = ("invalid_host", "blocked_address", "blocked_port", "host_not_found",
                 "dns_unavailable", "address_invalid", "password_missing")  # fmt: skip
# A test mail and a probe ("Einstellungen ermitteln") have a budget each per customer: finding
# the right port never uses up the test mails, and the other way round.
CUSTOMER_BUDGETS = {"smtp": ("smtp", "mailjet-mail"), "mailjet-mail": ("smtp", "mailjet-mail"),
                    "probe": ("probe",)}  # fmt: skip


class RateLimited(Exception):
    """Too many live tests or mails; the message says in German when to try again."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def since(seconds: int) -> str:
    """The UTC ISO time `seconds` ago, as runs store `started_at`."""
    return (utcnow() - timedelta(seconds=seconds)).isoformat(timespec="seconds")


def client_key(address: str | None) -> str | None:
    """The address a rate limit counts: IPv6 by its /64, which one client usually owns whole."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address
    if ip.version == 6 and not ip.ipv4_mapped:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(getattr(ip, "ipv4_mapped", None) or ip)


def _again(started: str, window: int) -> str:
    return local_time((datetime.fromisoformat(started) + timedelta(seconds=window)).isoformat(),
                      "%H:%M")  # fmt: skip


def _per_address(db: Database, client_addr: str | None, kinds, limit: int, noun: str) -> None:
    """Raise RateLimited when `limit` runs of these kinds came from the address this hour
    (noun: a key of words.runs.NOUNS, what the message counts)."""
    marks = ",".join("?" * len(kinds))
    rows = db.execute(
        f"SELECT started_at FROM runs WHERE client_addr = ? AND kind IN ({marks})"
        " AND started_at > ? ORDER BY started_at",
        [client_addr, *kinds, since(3600)],
    ).fetchall()
    if len(rows) >= limit:
        again = _again(rows[-limit][0], 3600)
        raise RateLimited(
            words.PER_ADDRESS.format(count=len(rows), noun=words.NOUNS[noun], again=again)
        )


def _customer_runs(db: Database, customer_id: int, kinds) -> list[str]:
    marks, skip = ",".join("?" * len(kinds)), ",".join("?" * len(NOT_CONNECTED))
    return [row[0] for row in db.execute(
        f"SELECT started_at FROM runs WHERE customer_id = ? AND kind IN ({marks})"
        f" AND started_at > ? AND COALESCE(outcome, '') NOT IN ({skip}) ORDER BY started_at",
        [customer_id, *kinds, since(600), *NOT_CONNECTED],
    )]  # fmt: skip


def budget_frees_at(db: Database, customer_id: int) -> datetime | None:
    """When the oldest run that counts against one of the customer's budgets leaves the
    10 minutes (so "noch N Testmails" changes by the clock alone), or None."""
    rows = _customer_runs(db, customer_id, SMTP_KINDS)
    return datetime.fromisoformat(rows[0]) + timedelta(seconds=600) if rows else None


def tests_left(db: Database, config, customer_id: int, kind: str = "smtp") -> int:
    """How many more runs of this kind the customer may start in the current 10 minutes."""
    used = len(_customer_runs(db, customer_id, CUSTOMER_BUDGETS[kind]))
    return max(0, config["SMTP_TESTS_PER_CUSTOMER"] - used)


def admit(db: Database, config, customer_id: int, client_addr: str | None,
          kind: str = "smtp") -> None:  # fmt: skip
    """Raise RateLimited when the customer's budget for this kind (test mails, or probes) or the
    client address's budget for all SMTP tests is used up; runs that never connected are free.

    SMTP_TESTS_PER_CUSTOMER per 10 minutes and kind budget, SMTP_TESTS_PER_ADDRESS per hour.
    """
    rows = _customer_runs(db, customer_id, CUSTOMER_BUDGETS[kind])
    limit = config["SMTP_TESTS_PER_CUSTOMER"]
    if len(rows) >= limit:
        noun = words.NOUNS["probe" if kind == "probe" else "smtp"]
        raise RateLimited(words.PER_CUSTOMER.format(
            count=len(rows), noun=noun, again=_again(rows[-limit], 600)))  # fmt: skip
    _per_address(db, client_addr, SMTP_KINDS, config["SMTP_TESTS_PER_ADDRESS"], "tests")


def auto_checks_until(db: Database, customer_id: int) -> str | None:
    """Return when automatic re-checks stop (or stopped): 30 minutes after the last click."""
    row = db.execute(
        "SELECT MAX(started_at) FROM runs WHERE customer_id = ? AND kind = 'dns'"
        " AND actor = 'customer'",
        [customer_id],
    ).fetchone()
    if not row or not row[0]:
        return None
    until = datetime.fromisoformat(row[0]) + timedelta(seconds=AUTO_CHECK_WINDOW)
    return until.isoformat(timespec="seconds")


def auto_checks_allowed(db: Database, customer_id: int) -> bool:
    """Automatic re-checks run for 30 minutes after the customer last pressed "DNS prüfen"."""
    row = db.execute(
        "SELECT 1 FROM runs WHERE customer_id = ? AND kind = 'dns' AND actor = 'customer'"
        " AND started_at > ? LIMIT 1",
        [customer_id, since(AUTO_CHECK_WINDOW)],
    ).fetchone()
    return row is not None


def admit_dns(db: Database, config, customer_id: int, actor: str,
              client_addr: str | None) -> None:  # fmt: skip
    """Raise RateLimited for a DNS check that may not start now.

    Automatic re-checks stop 30 minutes after the last click; at most DNS_CHECKS_PER_CUSTOMER
    checks per 10 minutes and DNS_CHECKS_PER_ADDRESS per hour from one client address.
    """
    if actor == "auto" and not auto_checks_allowed(db, customer_id):
        raise RateLimited(words.AUTO_PAUSED)
    recent = db.execute(
        "SELECT COUNT(*) FROM runs WHERE customer_id = ? AND kind = 'dns' AND started_at > ?",
        [customer_id, since(600)],
    ).fetchone()[0]
    if recent >= config["DNS_CHECKS_PER_CUSTOMER"]:
        raise RateLimited(words.DNS_TOO_OFTEN)
    _per_address(db, client_addr, ("dns",), config["DNS_CHECKS_PER_ADDRESS"], "dns")


def admit_forward(db: Database, customer_id: int) -> None:
    """Raise RateLimited when the records were forwarded FORWARDS_PER_HOUR times this hour."""
    count = db.execute(
        "SELECT COUNT(*) FROM events WHERE customer_id = ? AND kind = 'records-forwarded'"
        " AND at > ?",
        [customer_id, since(3600)],
    ).fetchone()[0]
    if count >= FORWARDS_PER_HOUR:
        raise RateLimited(words.TOO_MANY_FORWARDS.format(count=count))


def already_told(informed: dict | None, red: list[str]) -> bool:
    """True when the managers have this very notice (the same records not in order) and have
    not looked at it yet: "PEIQ informieren" then mails nobody again."""
    return bool(
        informed
        and informed["detail"].get("waiting_for") == "manager"
        and informed["detail"].get("red", []) == red
    )
