"""Evidence of arrival: what sets `mail-received` (PRODUCT.md §1 mail-received).

Two sources, each stored here: the confirmation link in a test mail (`confirm_arrival`),
and a mail the product's own receiver judged (`record`, from receiver.py's writer thread).
The receiver's verdict is the stronger evidence: a link opened after it never replaces it.
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from .. import crypto, inbound, store
from ..db import now
from . import settings as smtp_settings


@dataclass(frozen=True)
class Judged:
    """One mail the receiver judged.

    `facts`: received_at, peer_ip, reverse_name, reverse_confirmed, helo, mail_from,
    tls_version, tls_cipher, size, headers (text). `verdict`: `Verdict.to_dict()`. `state`:
    done/warning/failed from the verdict (`checks.inbound.item_state`).
    """

    facts: dict
    verdict: dict
    state: str


def record(db: Database, target: dict, mail: Judged, keep: int = inbound.KEEP_MAILS) -> int:
    """Store one judged mail for one target (address_id, customer_id, path) and, when it
    counts (inbound.counts_for), set `mail-received` of its path with evidence "received".

    The item follows the newest counting mail: that is what a receiver concludes now.
    A mail from another domain is stored with counts=0 and an event, the item untouched. The
    delay is counted from the path's last test mail handed over within the hour (seconds
    precision), else None. Only the newest `keep` mails per customer, path and kind are kept.
    Returns the mail id.
    """
    facts, verdict, state = mail.facts, mail.verdict, mail.state
    if state not in inbound.STATES:
        raise ValueError(f"unknown state {state!r}")
    cid, path = target["customer_id"], target["path"]
    with db.atomic():
        counts = inbound.counts_for(db, cid, path, verdict)
        handed = inbound.handed_over_at(db, cid, path)
        delay_ms = None
        if handed and handed <= facts["received_at"]:
            delay = _parse(facts["received_at"]) - _parse(handed)
            delay_ms = int(delay.total_seconds() * 1000) if delay < timedelta(hours=1) else None
        table = db.table("inbound_mails")
        table.insert(
            {
                **facts,
                "customer_id": cid,
                "path": path,
                "address_id": target["address_id"],
                "delay_ms": delay_ms,
                "verdict": json.dumps(verdict, ensure_ascii=False),
                "state": state,
                "counts": int(counts),
            }
        )
        mail_id = table.last_pk
        db.execute(
            "DELETE FROM inbound_mails WHERE customer_id = ? AND path = ? AND counts = ?"
            " AND id NOT IN (SELECT id FROM inbound_mails WHERE customer_id = ? AND path = ?"
            " AND counts = ? ORDER BY id DESC LIMIT ?)",
            [cid, path, int(counts), cid, path, int(counts), max(1, int(keep))],
        )
        if not counts:
            from_domain = (verdict.get("dmarc") or {}).get("from_domain") or ""
            store._event(
                db, cid, "receiver", "mail-received-foreign",
                data={"path": path, "inbound_mail_id": mail_id, "from_domain": from_domain[:253]},
            )  # fmt: skip
            store._touch(db, cid)
            return mail_id
        store.set_item(
            db, cid, "mail-received", state, "receiver",
            {"evidence": "received", "inbound_mail_id": mail_id,
             "peer_ip": facts["peer_ip"], "mail_from": facts["mail_from"]},
            path=path, kind="mail-received-inbound",
        )  # fmt: skip
    return mail_id


def _parse(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def _parse(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


@dataclass(frozen=True)
class ConfirmationLink:
    """The link a test mail carries: `code` (256 random bits, stored only as its SHA-256) and
    `url` (`/bestaetigen/<code>` under BASE_URL). Opening it is `confirm_arrival`."""

    code: str
    url: str

    @classmethod
    def new(cls, url_for) -> "ConfirmationLink":
        """A fresh link; url_for(code) builds its absolute URL (Service.confirm_url)."""
        code = crypto.new_token()
        return cls(code, url_for(code))

    def remember(self, db: Database, customer_id: int, run_id: int,
                 path: str | None = None) -> None:  # fmt: skip
        """Store the link for the run that sends it; `path`: the path it counts for (else the
        run's settings name it, else smtp-own, see `_path_of_run`)."""
        db.table("confirmations").insert(
            {"token_hash": crypto.token_hash(self.code), "customer_id": customer_id,
             "run_id": run_id, "created_at": now(), "path": path}
        )  # fmt: skip


def _path_of_run(db: Database, run_id: int | None) -> str:
    """The path a test mail was sent on: named in its run's settings, else smtp-own."""
    run = store.get_row(db, "runs", run_id) if run_id else None
    return (json.loads(run["settings"] or "{}").get("path") if run else None) or "smtp-own"


def _speaks_for_saved(db: Database, customer_id: int, run_id: int | None) -> bool:
    """True unless the link came from an SMTP test of settings that are no longer saved."""
    run = store.get_row(db, "runs", run_id) if run_id else None
    if run is None or run["kind"] != "smtp":
        return True  # e.g. a Mailjet test mail: nothing the customer can change since
    saved = store.get_row(db, "smtp_settings", customer_id)
    return saved is not None and smtp_settings.key(saved) == smtp_settings.key(
        json.loads(run["settings"])
    )


def confirm_arrival(db: Database, code: str) -> tuple[dict, str, str] | None:
    """Mark `mail-received` on the path whose test mail carried this code.

    Returns (customer, path id, outcome) or None for an unknown code. outcome is "ticked"
    when this opening ticked the item, "already" when a used link finds it still ticked, and
    "unticked" when a used link finds it unticked since: a link ticks once, never again;
    "stale" when the mail was sent with SMTP settings that have been changed since;
    "closed" when the customer's setup was archived; "received" when the product's own
    receiver had this path's mail already: its verdict decides the item, the link does not.
    """
    if not code or len(code) > 200:
        return None
    key = crypto.token_hash(code)
    row = store.get_row(db, "confirmations", key)
    if row is None:
        return None
    customer = store.get_customer(db, row["customer_id"])
    if customer is None:
        return None
    path = row.get("path") or _path_of_run(db, row["run_id"])
    if customer["archived_at"]:
        return customer, path, "closed"
    with db.atomic():
        if not row["used_at"] and not _speaks_for_saved(db, customer["id"], row["run_id"]):
            return customer, path, "stale"
        if not row["used_at"]:
            db.table("confirmations").update(key, {"used_at": now()})
            current = store.item_rows(db, customer["id"], path).get("mail-received")
            if current and current["detail"].get("evidence") == "received":
                return customer, path, "received"  # the receiver came first; its verdict stays
            store.set_item(
                db, customer["id"], "mail-received", "done", "recipient",
                {"run_id": row["run_id"], "via": "confirmation-link", "evidence": "link"},
                path=path,
            )  # fmt: skip
            return customer, path, "ticked"
        current = store.item_rows(db, customer["id"], path).get("mail-received")
    return customer, path, ("already" if current and current["state"] == "done" else "unticked")
