"""Empfangsprüfung, storage side: the Prüfadressen and the mails the receiver judged.

A Prüfadresse is `<local part>@<INBOUND_DOMAIN>`, one live address per customer and path. The
local part carries 130 random bits; it is looked up by its SHA-256 (like the link tokens) and
kept Fernet-encrypted so the page can show it. An address dies when it is rotated ("Neue
Prüfadresse erzeugen"), when it expires (INBOUND_ADDRESS_DAYS) or when the customer is
archived; the receiver then refuses it at RCPT.
"""

import base64
import json
import secrets
from datetime import timedelta

from sqlite_utils import Database

from . import crypto, store
from .checks.inbound.verdict import from_own_domain
from .db import now, utcnow

# Run kinds whose mail the product hands over to a Prüfadresse, by path (delay since hand-over).
HANDED_OVER_BY = {"smtp-own": "smtp", "mailjet": "mailjet-mail"}
STATES = ("done", "warning", "failed")
KEEP_MAILS = 5  # judged mails kept per customer, path and kind (counting / from elsewhere)


def new_local_part() -> str:
    """Return a fresh local part: 26 lower-case base32 letters/digits (130 random bits)."""
    raw = base64.b32encode(secrets.token_bytes(17)).decode().rstrip("=").lower()
    return "pruef-" + raw[:26]


def _key(local: str) -> str:
    return crypto.token_hash(local.lower())


def current_address(
    db: Database, config, customer_id: int, path: str | None, *, create: bool = True
) -> str | None:
    """Return the live Prüfadresse of a customer's path, creating one when none is live.

    Returns None for no path (or when `create` is False and none is live). Needs an app
    context (the encryption key).
    """
    if not path:
        return None
    row = _live_row(db, customer_id, path)
    if row is None:
        if not create:
            return None
        with db.atomic():
            row = _live_row(db, customer_id, path)
            if row is None:
                # No new revision: every page is rendered with this call, so no cached page
                # of this revision lacks the address, and the cache key carries the day, which
                # covers an address renewed before it expires (shown while it lives a day more).
                row = _create(db, config, customer_id, path)
    local = crypto.decrypt(row["local_enc"])
    return f"{local}@{config['INBOUND_DOMAIN']}" if local else None


def _live_row(db: Database, customer_id: int, path: str) -> dict | None:
    # An address is shown while it lives at least one more day (pages are cached per day), so
    # nobody copies one that dies before the mail is sent; the receiver takes it to the end.
    shown_until = (utcnow() + timedelta(days=1)).isoformat(timespec="seconds")
    rows = db.query(
        "SELECT * FROM inbound_addresses WHERE customer_id = ? AND path = ?"
        " AND retired_at IS NULL AND expires_at > ? ORDER BY id DESC LIMIT 1",
        [customer_id, path, shown_until],
    )
    return next(iter(rows), None)


def _create(db: Database, config, customer_id: int, path: str) -> dict:
    local = new_local_part()
    days = int(config["INBOUND_ADDRESS_DAYS"])
    table = db.table("inbound_addresses")
    table.insert(
        {
            "customer_id": customer_id,
            "path": path,
            "local_hash": _key(local),
            "local_enc": crypto.encrypt(local),
            "created_at": now(),
            "expires_at": (utcnow() + timedelta(days=days)).isoformat(timespec="seconds"),
            "retired_at": None,
        }
    )
    return table.get(table.last_pk)


def rotate(db: Database, config, customer_id: int, path: str, actor: str) -> str:
    """Retire the path's live address and return a new one; the old is refused from now on."""
    with db.atomic():
        db.execute(
            "UPDATE inbound_addresses SET retired_at = ? WHERE customer_id = ? AND path = ?"
            " AND retired_at IS NULL",
            [now(), customer_id, path],
        )
        _create(db, config, customer_id, path)
        store._event(db, customer_id, actor, "inbound-address-rotated", data={"path": path})
        store._touch(db, customer_id)
    return current_address(db, config, customer_id, path)


def recipient(db: Database, domain: str, address: str) -> dict | None:
    """Return {address_id, customer_id, path} when `address` is a live Prüfadresse, else None.

    The domain compares case-insensitively (RFC 5321 §2.4: domains are case-insensitive); the
    local part too, since ours are lower case. Archived customers' addresses are dead.
    """
    local, at, dom = address.rpartition("@")
    if not at or not local or dom.rstrip(".").lower() != domain.lower() or len(local) > 64:
        return None
    rows = db.query(
        "SELECT a.id, a.customer_id, a.path FROM inbound_addresses a"
        " JOIN customers c ON c.id = a.customer_id"
        " WHERE a.local_hash = ? AND a.retired_at IS NULL AND a.expires_at > ?"
        " AND c.archived_at IS NULL",
        [_key(local), now()],
    )
    row = next(iter(rows), None)
    if row is None:
        return None
    return {"address_id": row["id"], "customer_id": row["customer_id"], "path": row["path"]}


def handed_over_at(db: Database, customer_id: int, path: str) -> str | None:
    """When the product last started handing a test mail of this path to a server (ISO time).

    The run's start: the mail leaves during the run, and a relay may deliver the copy to the
    receiver before the run has even finished. None when no such test mail succeeded.
    """
    kind = HANDED_OVER_BY.get(path)
    if kind is None:
        return None
    row = db.execute(
        "SELECT started_at FROM runs WHERE customer_id = ? AND kind = ? AND state IN"
        " ('running', 'done') ORDER BY id DESC LIMIT 1",
        [customer_id, kind],
    ).fetchone()
    return row[0] if row else None


def own_domains(db: Database, customer_id: int, path: str) -> list[str]:
    """The domains whose mail counts as sent on the path: the customer's domain, and on
    smtp-own the saved Absenderadresse's domain, on mailjet the domain PEIQ set up."""
    domains = []
    row = db.execute("SELECT domain FROM customers WHERE id = ?", [customer_id]).fetchone()
    if row and row[0]:
        domains.append(row[0])
    if path == "smtp-own":
        row = db.execute(
            "SELECT sender FROM smtp_settings WHERE customer_id = ?", [customer_id]
        ).fetchone()
        if row and row[0] and "@" in row[0]:
            domains.append(row[0].rpartition("@")[2])
    elif path == "mailjet":
        row = db.execute(
            "SELECT domain FROM mailjet_expectations WHERE customer_id = ?", [customer_id]
        ).fetchone()
        if row and row[0]:
            domains.append(row[0])
    return [d.strip().rstrip(".") for d in domains if d and d.strip()]


def counts_for(db: Database, customer_id: int, path: str, verdict: dict) -> bool:
    """Whether a judged mail is evidence for the path (PRODUCT.md §1 mail-received: sent on
    the chosen path): its From domain (RFC 5322) is one of own_domains() or below one.

    A customer for whom no domain is known at all (no domain, no Absenderadresse, no Mailjet
    domain): the mail counts. The Prüfadresse is a secret only shown to the customer, so a
    mail there was sent by someone the customer gave it to, and that is what they expect to
    see ticked; the page names the From domain, so a wrong sender is visible.
    """
    domains = own_domains(db, customer_id, path)
    if not domains:
        return True
    from_domain = ((verdict or {}).get("dmarc") or {}).get("from_domain")
    return from_own_domain(from_domain, domains)


def latest(db: Database, customer_id: int, path: str | None, *, counts: bool = True) -> dict | None:
    """Return the newest judged mail of a customer's path that counts (counts=False: the
    newest from another domain), verdict decoded, or None."""
    if not path:
        return None
    rows = db.query(
        "SELECT * FROM inbound_mails WHERE customer_id = ? AND path = ? AND counts = ?"
        " ORDER BY id DESC LIMIT 1",
        [customer_id, path, int(counts)],
    )
    row = next(iter(rows), None)
    return dict(row, verdict=json.loads(row["verdict"] or "{}")) if row else None


def foreign_notice(db: Database, customer_id: int, path: str | None) -> dict | None:
    """The newest mail from another domain when it came after the newest counting one:
    {id, from_domain, own_domain, received_at}, else None (for the page's one-line notice)."""
    foreign = latest(db, customer_id, path, counts=False)
    if foreign is None:
        return None
    counted = latest(db, customer_id, path)
    if counted is not None and counted["id"] > foreign["id"]:
        return None
    domains = own_domains(db, customer_id, path)
    from_domain = (foreign["verdict"].get("dmarc") or {}).get("from_domain") or ""
    return {
        "id": foreign["id"],
        "from_domain": from_domain,
        "own_domain": domains[0] if domains else "",
        "received_at": foreign["received_at"],
    }


def purge(db: Database, keep_days: int) -> int:
    """Delete judged mails (headers and verdicts) older than `keep_days`; return how many."""
    cutoff = (utcnow() - timedelta(days=int(keep_days))).isoformat(timespec="seconds")
    with db.atomic():
        cursor = db.execute("DELETE FROM inbound_mails WHERE received_at < ?", [cutoff])
        db.execute(
            "DELETE FROM inbound_addresses WHERE (retired_at IS NOT NULL AND retired_at < ?)"
            " OR expires_at < ?",
            [cutoff, cutoff],
        )
    return cursor.rowcount
