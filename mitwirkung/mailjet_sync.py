"""Glue between the manager's page and Mailjet's API: which account, what to store.

The API client (mailjet.py) knows nothing of the database; this module picks the account
(a customer's sub-account, else PEIQ's), stores what Mailjet answered and compares Mailjet's
view of the DNS with ours.
"""

import dataclasses
import json

from sqlite_utils import Database

from . import crypto, mailjet, store
from .checks.dns import MailjetExpectation
from .db import now
from .forms import dkim_key_problem
from .words.mailjet import COMPARE
from .words.mailjet import MAILJET_WORDS as MAILJET_WORDS  # web.py shows them

TABLE = "mailjet_state"


_WORDS = {k.casefold(): v for k, v in MAILJET_WORDS.items()}


def status_word(status: str | None) -> str:
    """Mailjet's status value in German, whatever its case ("Not Checked", "Not checked").

    An unknown value is quoted as Mailjet wrote it, marked as Mailjet's word; none is "–".
    """
    if not status:
        return "–"
    return _WORDS.get(status.strip().casefold()) or f"„{status}“ (so meldet es Mailjet)"


def row(db: Database, customer_id: int) -> dict | None:
    """Return the customer's Mailjet state without its encrypted credentials, or None."""
    found = store.get_row(db, TABLE, customer_id)
    if found is None:
        return None
    has_subaccount = bool(found.pop("api_key_enc") and found.pop("api_secret_enc"))
    return {**found, "check": json.loads(found["check"] or "{}"), "subaccount": has_subaccount}


def _upsert(db: Database, customer_id: int, values: dict) -> None:
    db.table(TABLE).upsert({"customer_id": customer_id, **values}, pk="customer_id")


def save_subaccount(db: Database, customer_id: int, key: str, secret: str, actor: str) -> None:
    """Store a sub-account's key and secret encrypted; they are never shown again."""
    with db.atomic():
        _upsert(db, customer_id, {"api_key_enc": crypto.encrypt(key),
                                  "api_secret_enc": crypto.encrypt(secret)})  # fmt: skip
        store.add_event(db, customer_id, actor, "mailjet-subaccount")


def forget_subaccount(db: Database, customer_id: int, actor: str) -> None:
    """Delete a stored sub-account; PEIQ's own account is used again."""
    with db.atomic():
        _upsert(db, customer_id, {"api_key_enc": None, "api_secret_enc": None})
        store.add_event(db, customer_id, actor, "mailjet-subaccount-deleted")


def account(db: Database, config, customer_id: int) -> mailjet.Account | None:
    """The customer's sub-account if one is stored, else PEIQ's account, else None."""
    url = config["MAILJET_API_URL"]
    found = store.get_row(db, TABLE, customer_id)
    if found and found["api_key_enc"] and found["api_secret_enc"]:
        key, secret = crypto.decrypt(found["api_key_enc"]), crypto.decrypt(found["api_secret_enc"])
        if key and secret:
            return mailjet.Account(key, secret, url)
    if config["MAILJET_API_KEY"] and config["MAILJET_API_SECRET"]:
        return mailjet.Account(config["MAILJET_API_KEY"], config["MAILJET_API_SECRET"], url)
    return None


# Errors after which Mailjet has not accepted a sub-account's key (or we cannot know).
KEY_UNPROVEN = frozenset({"unauthorized", "forbidden", "timeout", "unreachable", "server_error"})


def fetch_values(db: Database, config, customer_id: int, domain: str, actor: str,
                 subaccount: tuple[str, str] | None = None):  # fmt: skip
    """Ask Mailjet for the domain's records and store them as the expectation.

    With `subaccount` (key, secret) that account is asked, and its key is stored (encrypted)
    only once Mailjet accepted it: never after a 401/403, nor when Mailjet did not answer.
    Returns the stored MailjetExpectation; raises mailjet.MailjetError (no values are stored
    then; its `key_saved` says whether the sub-account was).
    """
    if subaccount:
        acct = mailjet.Account(*subaccount, config["MAILJET_API_URL"])
    else:
        acct = account(db, config, customer_id)
    if acct is None:
        raise mailjet.MailjetError("not_configured")
    try:
        values = mailjet.fetch_domain(acct, domain, timeout=float(config["MAILJET_TIMEOUT"]))
        if dkim_key_problem(values.dkim_value):  # judged like a key the manager typed
            raise mailjet.MailjetError("bad_answer", "DKIM key does not parse")
    except mailjet.MailjetError as e:
        e.key_saved = bool(subaccount) and e.code not in KEY_UNPROVEN
        if e.key_saved:
            save_subaccount(db, customer_id, *subaccount, actor)
        raise
    if subaccount:
        save_subaccount(db, customer_id, *subaccount, actor)
    expected = MailjetExpectation(
        domain=values.domain,
        verification_name=values.verification_name,
        verification_value=values.verification_value,
        dkim_selector=values.dkim_selector,
        dkim_key=values.dkim_value or None,
    )
    with db.atomic():
        db.table("mailjet_expectations").upsert(
            {"customer_id": customer_id, **dataclasses.asdict(expected), "updated_at": now()},
            pk="customer_id",
        )
        _upsert(db, customer_id, {
            "domain": values.domain, "dns_id": values.dns_id, "sender_id": values.sender_id,
            "sender_status": values.sender_status, "spf_status": values.spf_status,
            "dkim_status": values.dkim_status, "fetched_at": now(),
        })  # fmt: skip
        store.add_event(db, customer_id, actor, "mailjet-fetched", data={"domain": domain})
    return expected


GREEN = ("done", "warning")


def disagreement_notes(answer: mailjet.CheckResult, ours: dict[str, str]) -> list[dict]:
    """Where Mailjet's view and our check (item id -> state) differ, as notes
    {"code": a key of words.mailjet.COMPARE, "params": {...}} (worded by `note_words`)."""
    notes = []
    for item_id, label, status, found in (
        ("dns-spf", "SPF", answer.spf_status, ", ".join(answer.spf_found)),
        ("dns-dkim", "DKIM", answer.dkim_status, answer.dkim_found),
    ):
        green = ours.get(item_id) in GREEN
        if green and status != "OK":
            notes.append({"code": "not_seen_yet", "params": {"label": label, "found": found}})
        elif not green and status == "OK":
            notes.append({"code": "only_mailjet_ok", "params": {"label": label}})
    verified = ours.get("dns-verification") in GREEN
    if verified and answer.sender_status != "Active":
        notes.append({"code": "sender_inactive", "params": {"error": answer.validate_error}})
    elif not verified and answer.sender_status == "Active":
        notes.append({"code": "only_mailjet_verified", "params": {}})
    return notes


def note_words(note) -> str:
    """A stored disagreement note in German as the catalog says it today; a note stored as
    text (before notes were codes) stays as it was."""
    if isinstance(note, str):
        return note
    params = note.get("params") or {}
    seen = COMPARE["seen"].format(found=params["found"]) if params.get("found") else ""
    why = COMPARE["why"].format(error=params["error"]) if params.get("error") else ""
    return COMPARE[note["code"]].format(**{**params, "seen": seen, "why": why})


def disagreements(answer: mailjet.CheckResult, ours: dict[str, str]) -> list[str]:
    """Say in German where Mailjet's view and our check (item id -> state) differ."""
    return [note_words(n) for n in disagreement_notes(answer, ours)]


def store_check(db: Database, customer_id: int, answer) -> None:
    """Store Mailjet's answer to "check and validate" (or why Mailjet could not be asked)."""
    if isinstance(answer, mailjet.MailjetError):
        values = {"check": json.dumps({"error": answer.message}, ensure_ascii=False)}
    else:
        rows = store.item_rows(db, customer_id)
        ours = {item_id: row["state"] for item_id, row in rows.items()}
        notes = disagreement_notes(answer, ours)  # codes: worded when shown (note_words)
        check = {**dataclasses.asdict(answer), "disagreements": notes}
        values = {
            "spf_status": answer.spf_status,
            "dkim_status": answer.dkim_status,
            "sender_status": answer.sender_status,
            "check": json.dumps(check, ensure_ascii=False),
        }
    _upsert(db, customer_id, {**values, "checked_at": now()})


def ask_mailjet(db: Database, config, customer_id: int, actor: str = "system") -> None:
    """Ask Mailjet now to check the DNS and validate the sender; store its answer.

    Raises mailjet.MailjetError (nothing is stored then).
    """
    acct = account(db, config, customer_id)
    if acct is None:
        raise mailjet.MailjetError("not_configured")
    state = row(db, customer_id)
    if not state or not state["dns_id"]:
        raise mailjet.MailjetError("not_fetched")
    answer = mailjet.ask_to_check(
        acct, state["domain"], state["dns_id"], state["sender_id"],
        timeout=float(config["MAILJET_TIMEOUT"]),
    )  # fmt: skip
    with db.atomic():
        store_check(db, customer_id, answer)
        store.add_event(db, customer_id, actor, "mailjet-checked")
