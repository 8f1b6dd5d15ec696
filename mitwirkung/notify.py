"""Mails the app sends on someone's behalf, off the request thread: the customer's contact when
the Mailjet values are ready, an IT colleague who is to publish the DNS records."""

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from sqlite_utils import Database

from . import mail, store
from .checks.dns.wording import SPF_VALUE_UNCHECKED
from .checks.domain import display_domain
from .runner import Runner

FORWARDS_PER_HOUR = 5  # per customer: the form mails an address anyone with the link types


class TooMany(Exception):
    """The customer forwarded the records too often; the message says so in German."""


def send_later(db: Database, runner: Runner, config, *, customer_id: int, to: list[str],
               subject: str, text: str, actor: str) -> None:  # fmt: skip
    """Send one mail through MAIL_* in the background; the run row records the outcome."""
    message = mail.build(config, to, subject, text)

    def check():
        return mail.send(config, message)

    def finish(db, run_id, result):
        return ("ok" if result == "ok" else "failed"), {"result": result or "abgebrochen"}

    runner.submit(db, customer_id=customer_id, kind="mail", settings={"to": to}, actor=actor,
                  client_addr=None, check=check, finish=finish)  # fmt: skip


def values_ready(db: Database, runner: Runner, config, *, customer: dict, edit_url: str,
                 contact: dict | None) -> str:  # fmt: skip
    """Tell the customer's contact that the DNS records are there; return what happened.

    Returns "mailed", "no-address" (no contact e-mail stored) or "no-mail" (MAIL_* unset).
    """
    if not customer["contact_email"]:
        return "no-address"
    if not mail.configured(config):
        return "no-mail"
    who = (
        f"\nIhre Ansprechperson bei PEIQ: {contact['name']} ({contact['email']})\n"
        if contact
        else ""
    )
    send_later(
        db, runner, config, customer_id=customer["id"], to=[customer["contact_email"]],
        subject="Ihre DNS-Einträge für Mailjet stehen bereit",
        text=(
            f"Guten Tag,\n\nPEIQ hat Mailjet für {customer['name']} eingerichtet. Auf Ihrer "
            f"Mitwirkungs-Seite stehen jetzt die DNS-Einträge, die Sie bei Ihrer Domain anlegen, "
            f"und ein Knopf, mit dem Sie sie sofort prüfen:\n\n{edit_url}\n\n"
            f"Sie können die Einträge dort auch an eine IT-Kolleg:in weiterleiten.\n{who}"
        ),
        actor="system",
    )  # fmt: skip
    store.add_event(db, customer["id"], "system", "values-ready-mailed",
                    data={"to": customer["contact_email"]})  # fmt: skip
    return "mailed"


def records_text(customer: dict, dns: dict, share_url: str) -> str:
    """The DNS records and the steps to publish them, as plain text for a mail."""
    domain = display_domain(dns["expected"].domain)
    lines = [
        f"Guten Tag,\n\nfür {customer['name']} sollen E-Mails von PEIQ PRINT PPS über Mailjet "
        f"verschickt werden. Dafür braucht die Domain {domain} diese DNS-Einträge:\n",
    ]
    for number, record in enumerate(dns["records"], 1):
        unchecked = SPF_VALUE_UNCHECKED if record["item_id"] == "dns-spf" else None
        value = record["expected"] or unchecked or "(den Wert schickt PEIQ aus dem Mailjet-Konto)"
        lines.append(
            f"{number}. {record['rtype']}-Eintrag\n   Host:  {record['host']}\n"
            f"   (vollständiger Name: {display_domain(record['fqdn'])})\n   Wert:  {value}\n"
        )
    lines.append(
        "So geht es:\n"
        f"1. Melden Sie sich dort an, wo die Domain {domain} verwaltet wird (meist beim Hoster "
        "oder Domain-Anbieter, Bereich „DNS“ oder „Zonen-Editor“).\n"
        "2. Legen Sie jeden Eintrag mit Typ, Host und Wert an. In das Feld „Host“ oder „Name“ "
        "kommt nur der kurze Teil – die Domain hängt der Anbieter selbst an.\n"
        "3. Speichern Sie. Neue Einträge sind oft nach wenigen Minuten sichtbar, manchmal "
        "dauert es länger.\n"
        f"4. Den Stand der Prüfung sehen Sie hier (nur lesen):\n   {share_url}\n"
    )
    return "\n".join(lines)


def forward_records(db: Database, runner: Runner, config, *, customer: dict, to: str,
                    text: str) -> None:  # fmt: skip
    """Mail the records to an IT colleague; at most FORWARDS_PER_HOUR per customer.

    Raises TooMany when the limit is reached. Every forward is an event in the history.
    """
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="seconds")
    count = db.execute(
        "SELECT COUNT(*) FROM events WHERE customer_id = ? AND kind = 'records-forwarded'"
        " AND at > ?",
        [customer["id"], since],
    ).fetchone()[0]
    if count >= FORWARDS_PER_HOUR:
        raise TooMany(
            f"In der letzten Stunde wurden die Einträge schon {count}-mal weitergeleitet – mehr "
            "geht zum Schutz vor Missbrauch nicht. Bitte versuchen Sie es später erneut."
        )
    subject = f"DNS-Einträge für {customer['name']}: bitte bei der Domain anlegen"
    send_later(db, runner, config, customer_id=customer["id"], to=[to], subject=subject,
               text=text, actor="customer")  # fmt: skip
    store.add_event(db, customer["id"], "customer", "records-forwarded", data={"to": to})


def mailto(subject: str, text: str) -> str:
    """A mailto: link that opens the customer's own mail program with this message."""
    return f"mailto:?subject={quote(subject)}&body={quote(text)}"
