"""What the app's mails on someone's behalf say: the customer's contact when the Mailjet
values are ready, the DNS records for an IT colleague (sent by runs.app_mail), mailto links."""

import re
from urllib.parse import quote

from . import mail, mailtext, store
from .address import AddressError, addr_spec
from .checks.dns.wording import SPF_VALUE_UNCHECKED
from .checks.domain import display_domain
from .runs.app_mail import Letter, send_later
from .service import Service, obligation

QUOTE_LIMIT = 60  # characters of DNS text quoted in a forwarded mail


def values_ready(svc: Service, customer: dict, edit_url: str, contact: dict | None,
                 actor: str = "system") -> str:  # fmt: skip
    """Tell the customer's contact that the DNS records are there; return what happened.

    Returns "mailed", "no-address" (no contact e-mail stored), "bad-address" (the stored one
    is not one addr-spec, see address.addr_spec) or "no-mail" (MAIL_* unset).
    """
    if not customer["contact_email"]:
        return "no-address"
    if not mail.configured(svc.config):
        return "no-mail"
    try:
        addr_spec(customer["contact_email"])
    except AddressError:
        return "bad-address"
    subject, text = mailtext.render(
        "values_ready", customer=customer, edit_url=edit_url, contact=contact
    )
    send_later(svc, customer["id"], Letter([customer["contact_email"]], subject, text), actor)
    store.add_event(svc.db, customer["id"], actor, "values-ready-mailed",
                    data={"to": customer["contact_email"]})  # fmt: skip
    return "mailed"


def _record_state(record: dict, required: bool) -> str:
    """The record's state after the latest check: ok, faulty, missing or unchecked."""
    state, found = record.get("state", "open"), bool(record.get("found"))
    if state == "done" or (state == "warning" and (required or found)):
        return "ok"
    if state == "failed":
        return "faulty" if found else "missing"
    if state == "warning":
        return "missing"
    return "unchecked"


def _record_action(record: dict, steps) -> str:
    """Create or change: a second SPF record would void both (RFC 7208 §3.2)."""
    if steps is not None and steps.change:
        return "spf-change"
    if record.get("found"):
        return "correct"
    return "create"


def _record_value(record: dict, checked: bool) -> tuple[str | None, str | None]:
    """(value to use, None), or (None, why there is none: a placeholder code)."""
    details = record.get("details", {})
    if record.get("expected"):
        return record["expected"], None
    if record["item_id"] == "dns-spf" and (not checked or not details.get("no_copy")):
        return SPF_VALUE_UNCHECKED, None
    if details.get("no_copy"):
        return None, "no-valid-value"
    if record["item_id"] in ("dns-dkim", "dns-verification"):
        return None, "peiq-adds"
    if details.get("dns_unavailable"):
        return None, "dns-down"
    return None, "no-valid-value"


QUOTED = re.compile(rf"„([^“]{{{QUOTE_LIMIT + 1},}})“")


def short_quotes(text: str) -> str:
    """text with every quotation („…“) longer than QUOTE_LIMIT cut to its start and "…".

    The catalog quotes what it found in the DNS (a tag's value, the record as published):
    text anyone who runs the domain's DNS can write. A mail from PEIQ's address carries
    enough of it to find the place, never a long message of someone else's.
    """
    return QUOTED.sub(lambda m: f"„{m.group(1)[:QUOTE_LIMIT].rstrip()} …“", text)


def records_text(customer: dict, dns: dict, share_url: str) -> str:
    """The DNS records and the steps to publish them, as plain text for a mail.

    Per record: required or recommended, its state at the latest check, whether to create it
    or change an existing one, the value to use (the merged SPF value where one exists), and
    the steps for the provider's panel (dns["guide"], see provider_guide.attach). The share
    link cannot start a check, so the colleague is asked to tell the customer when done.
    """
    items = obligation().items
    guide = dns.get("guide") or {}
    known = bool(guide.get("match") and guide["match"].known)
    checked = bool(dns.get("run")) and dns["run"].get("state") != "running"
    records = []
    for record in dns["records"]:
        item = items[record["item_id"]]
        steps = guide.get("steps", {}).get(record["item_id"])
        value, placeholder = _record_value(record, checked)
        records.append({
            "title": item.title, "required": item.required,
            "state": _record_state(record, item.required),
            "action": _record_action(record, steps), "rtype": record["rtype"],
            "host_field": steps.host_field if steps and known else "Host",
            "host": steps.host if steps and known else record["host"],
            "fqdn": display_domain(record["fqdn"]), "value": value, "placeholder": placeholder,
            # What is there now is text anyone who runs the domain's DNS can write: the mail
            # from PEIQ's address says what the product found, never repeats it.
            "found": len(record.get("found") or ()),
            "fix": short_quotes(record["fix"]) if record.get("fix") else None,
            "steps": steps.steps if steps is not None else None,
            "traps": steps.traps if steps is not None else (),
        })  # fmt: skip
    return mailtext.body(
        "dns_records", customer=customer, domain=display_domain(dns["expected"].domain),
        provider=guide["provider"].name if known else None, checked=checked, records=records,
        share_url=share_url,
    )  # fmt: skip


def mailto(subject: str, text: str) -> str:
    """A mailto: link that opens the customer's own mail program with this message."""
    return f"mailto:?subject={quote(subject)}&body={quote(text)}"
