"""The other direction of the to-do queue: when PEIQ acts, the customer hears of it.

A manager's action that ends a to-do (todo.collect) mails the customer's contact where it
helps (`tell_customer`), and an open customer page learns it by a light poll (the
`customer.peiq_watch` route): the page carries the to-dos it was rendered with, and the
answer names those that are gone (NEWS) and swaps in what changed. The Mailjet values have
their own mail (notify.values_ready).
"""

from . import mail, mailtext, store
from .address import AddressError, addr_spec
from .runs.app_mail import Letter, send_later
from .service import Service
from .words.peiq_acted import NEWS

MAILED = ("portal-adopt", "peiq-informed", "password")  # kinds with a mail (its subject, next step)


def tell_customer(svc: Service, customer: dict, kind: str, edit_url: str, actor: str) -> str:
    """Mail the customer's contact that PEIQ did `kind` (one of MAILED) and what is next.

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
    if kind not in MAILED:
        raise ValueError(f"no mail for {kind!r}")
    subject, text = mailtext.render(
        "peiq_acted",
        customer=customer,
        kind=kind,
        news=NEWS[kind],
        edit_url=edit_url,
        contact=store.peiq_contact(db, customer),
    )
    with db.atomic():
        send_later(svc, customer["id"], Letter([customer["contact_email"]], subject, text), actor)
        store.add_event(db, customer["id"], actor, "customer-told",
                        data={"to": customer["contact_email"], "what": kind},
                        activity=False)  # fmt: skip
    return "mailed"
