"""The other direction of the to-do queue: when PEIQ acts, the customer hears of it.

A manager's action that ends a to-do (todo.collect) mails the customer's contact where it
helps (`tell_customer`), and an open customer page learns it by a light poll (the
`customer.peiq_watch` route): the page carries the to-dos it was rendered with, and the
answer names those that are gone (NEWS) and swaps in what changed. The Mailjet values have
their own mail (notify.values_ready).
"""

from flask import render_template

from . import mail, store
from .address import AddressError, addr_spec
from .runs.app_mail import Letter, send_later
from .service import Service

# What the customer reads when a to-do of PEIQ's is done: on the page and in the mail.
NEWS = {
    "mailjet-setup": "PEIQ hat Mailjet eingerichtet: Ihre DNS-Einträge stehen jetzt auf der Seite.",
    "mailjet-dkim": "PEIQ hat den DKIM-Schlüssel von Mailjet eingetragen: Jetzt stehen alle "
    "Werte Ihrer DNS-Einträge auf der Seite.",
    "portal-adopt": "PEIQ hat die Übernahme der SMTP-Konfiguration von PORTAL bestätigt.",
    "peiq-informed": "PEIQ hat Ihre Meldung gesehen und schließt die Einrichtung bei Mailjet ab.",
    "password": "PEIQ hat Ihr Passwort abgeholt; es ist jetzt bei uns gelöscht.",
    "drift": "Der DNS-Eintrag ist wieder in Ordnung.",
}
# What to do next, in the mail (the page shows it in the items themselves).
NEXT = {
    "portal-adopt": "Als Letztes weisen Sie nach, dass E-Mails ankommen: Lösen Sie eine "
    "Systembenachrichtigung von PEIQ PRINT PPS oder dem PORTAL an die Prüfadresse aus, die auf "
    "Ihrer Seite steht.",
    "peiq-informed": "Sobald die Einrichtung fertig ist, schicken Sie auf Ihrer Seite eine "
    "Testmail über Mailjet, damit wir sehen, dass E-Mails ankommen.",
    "password": "Sie müssen dafür nichts weiter tun.",
}
SUBJECTS = {
    "portal-adopt": "PEIQ hat die Übernahme von PORTAL bestätigt",
    "peiq-informed": "PEIQ hat Ihre Meldung zu den DNS-Einträgen gesehen",
    "password": "PEIQ hat Ihr Passwort abgeholt",
}


def tell_customer(svc: Service, customer: dict, kind: str, edit_url: str, actor: str) -> str:
    """Mail the customer's contact that PEIQ did `kind` (a key of SUBJECTS) and what is next.

    Returns "mailed", "no-address", "bad-address" (the stored address is not one addr-spec,
    see address.addr_spec) or "no-mail" (MAIL_* unset). The mail is sent in the background
    (runs.app_mail.send_later, a run row records the outcome); the run and the history's event by
    `actor`, the manager who acted, are written in one transaction.
    """
    db = svc.db
    if not customer["contact_email"]:
        return "no-address"
    if not mail.configured(svc.config):
        return "no-mail"
    try:
        addr_spec(customer["contact_email"])
    except AddressError:
        return "bad-address"
    text = render_template(
        "mail/peiq_acted.txt",
        customer=customer,
        news=NEWS[kind],
        next=NEXT.get(kind, ""),
        edit_url=edit_url,
        contact=store.peiq_contact(db, customer),
    )
    with db.atomic():
        subject = f"{SUBJECTS[kind]} ({customer['name']})"
        send_later(svc, customer["id"], Letter([customer["contact_email"]], subject, text), actor)
        store.add_event(db, customer["id"], actor, "customer-told",
                        data={"to": customer["contact_email"], "what": kind},
                        activity=False)  # fmt: skip
    return "mailed"
