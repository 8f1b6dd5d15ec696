"""What the app's mails on someone's behalf say: the customer's contact when the Mailjet
values are ready, the DNS records for an IT colleague (sent by runs.app_mail), mailto links."""

import re
from urllib.parse import quote

from . import mail, store
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
    who = (
        f"\nIhre Ansprechperson bei PEIQ: {contact['name']} ({contact['email']})\n"
        if contact
        else ""
    )
    text = (
        f"Guten Tag,\n\nPEIQ hat Mailjet für {customer['name']} eingerichtet. Auf Ihrer "
        f"Mitwirkungs-Seite stehen jetzt die DNS-Einträge, die Sie bei Ihrer Domain anlegen, "
        f"und ein Knopf, mit dem Sie sie sofort prüfen:\n\n{edit_url}\n\n"
        f"Sie können die Einträge dort auch an eine IT-Kolleg:in weiterleiten.\n{who}"
    )
    subject = "Ihre DNS-Einträge für Mailjet stehen bereit"
    send_later(svc, customer["id"], Letter([customer["contact_email"]], subject, text), actor)
    store.add_event(svc.db, customer["id"], actor, "values-ready-mailed",
                    data={"to": customer["contact_email"]})  # fmt: skip
    return "mailed"


def _record_state(record: dict, required: bool) -> str:
    """The record's state after the latest check, in the words of the customer page."""
    state, found = record.get("state", "open"), bool(record.get("found"))
    if state == "done" or (state == "warning" and (required or found)):
        return "in Ordnung – nichts zu tun"
    if state == "failed":
        return "vorhanden, aber fehlerhaft" if found else "noch nicht angelegt"
    if state == "warning":
        return "noch nicht angelegt"
    return "noch nicht geprüft"


def _record_action(record: dict, steps) -> str:
    """Create or change: a second SPF record would void both (RFC 7208 §3.2)."""
    if steps is not None and steps.change:
        return (
            "den vorhandenen SPF-Eintrag ändern (Wert ganz ersetzen) – keinen zweiten anlegen, "
            "sonst gelten beide nicht"
        )
    if record.get("found"):
        return "den vorhandenen Eintrag korrigieren – keinen zweiten anlegen"
    return "neu anlegen"


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
    domain = display_domain(dns["expected"].domain)
    guide = dns.get("guide") or {}
    known = bool(guide.get("match") and guide["match"].known)
    provider = guide["provider"].name if known else None
    checked = bool(dns.get("run")) and dns["run"].get("state") != "running"
    lines = [
        f"Guten Tag,\n\nfür {customer['name']} sollen E-Mails von PEIQ PRINT PPS über Mailjet "
        f"verschickt werden. Dafür braucht die Domain {domain} diese DNS-Einträge"
        + (f" bei {provider}, wo die Domain laut DNS verwaltet wird" if provider else "")
        + (". Der Stand ist der der letzten Prüfung.\n" if checked else ". Geprüft wurde "
           "noch nicht.\n")
    ]  # fmt: skip
    for number, record in enumerate(dns["records"], 1):
        item = items[record["item_id"]]
        state = _record_state(record, item.required)
        need = "nötig" if item.required else "nicht nötig"
        lines.append(f"{number}. {item.title} – {need}\n   Stand: {state}")
        if state.startswith("in Ordnung"):
            lines.append("")
            continue
        steps = guide.get("steps", {}).get(record["item_id"])
        host_field = steps.host_field if steps and known else "Host"
        host = (steps.host if steps and known else record["host"]) or "(leer lassen)"
        if record.get("expected"):
            value = record["expected"]
        elif record["item_id"] == "dns-spf" and not checked:
            value = SPF_VALUE_UNCHECKED
        elif record.get("details", {}).get("no_copy"):
            value = "(noch kein gültiger Wert – siehe Hinweis)"
        elif record["item_id"] == "dns-spf":
            value = SPF_VALUE_UNCHECKED
        elif record["item_id"] in ("dns-dkim", "dns-verification"):
            value = "(den Wert trägt PEIQ noch nach)"
        elif record.get("details", {}).get("dns_unavailable"):
            value = "(der DNS-Server hat nicht geantwortet – Wert folgt nach der nächsten Prüfung)"
        else:
            value = "(noch kein gültiger Wert – siehe Hinweis)"
        lines.append(
            f"   Was tun: {_record_action(record, steps)}\n   Typ:   {record['rtype']}\n"
            f"   {host_field}:  {host}\n   (vollständiger Name: {display_domain(record['fqdn'])})"
            f"\n   Wert:  {value}"
        )
        if record.get("found"):
            # What is there now is text anyone who runs the domain's DNS can write: the mail
            # from PEIQ's address says what the product found, never repeats it.
            count = len(record["found"])
            lines.append(
                "   Jetzt im DNS: "
                + ("ein Eintrag" if count == 1 else f"{count} Einträge")
                + " unter diesem Namen, der nicht passt (anzusehen über den Link unten)"
            )
        if record.get("fix"):
            lines.append(f"   Hinweis: {short_quotes(record['fix'])}")
        if steps is not None:
            lines.append("   So geht es:")
            lines += [f"   {n}. {step}" for n, step in enumerate(steps.steps, 1)]
            lines += [f"   Achtung: {trap}" for trap in steps.traps]
        lines.append("")
    lines.append(
        "Neue Einträge sind oft nach wenigen Minuten sichtbar, manchmal dauert es länger.\n\n"
        "Wenn Sie fertig sind, geben Sie bitte der Person Bescheid, die Sie um die Einträge "
        "gebeten hat: Sie startet auf ihrer Seite die Prüfung. Den Stand der letzten Prüfung "
        f"sehen Sie hier (nur lesen, von dort aus lässt sich nicht prüfen):\n{share_url}\n"
    )
    return "\n".join(lines)


def mailto(subject: str, text: str) -> str:
    """A mailto: link that opens the customer's own mail program with this message."""
    return f"mailto:?subject={quote(subject)}&body={quote(text)}"
