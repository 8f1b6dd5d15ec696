"""Mails the app sends on someone's behalf (`runs.kind = "mail"`), off the request thread,
and "PEIQ informieren" (the customer tells PEIQ the DNS records are in place).

Every mail is a run: its row records whether MAIL_* accepted it.
"""

from dataclasses import dataclass

from sqlite_utils import Database

from .. import mail, mailtext, store
from ..runner import Job
from ..service import Service
from .dns_check import DNS_ITEMS
from .limits import admit_forward, already_told

KIND = "mail"


@dataclass(frozen=True)
class Letter:
    """One mail: recipients (addr-specs), subject and plain text."""

    to: list[str]
    subject: str
    text: str


def send_later(svc: Service, customer_id: int, letter: Letter, actor: str) -> None:
    """Send one mail through MAIL_* in the background; the run row records the outcome.

    The run is written on `svc.db`: inside the caller's transaction when it has one, so the
    mail and what it tells of are stored together.
    """
    config = svc.config
    message = mail.build(config, letter.to, letter.subject, letter.text)

    def check():
        return mail.send(config, message)

    def finish(db, run_id, result):
        return ("ok" if result == "ok" else "failed"), {"result": result or "abgebrochen"}

    svc.runner.submit(svc.db, Job(customer_id, KIND, {"to": letter.to}, actor, check, finish))


def forward_records(svc: Service, customer: dict, to: str, text: str) -> None:
    """Mail the records to an IT colleague; at most limits.FORWARDS_PER_HOUR per customer.

    Raises limits.RateLimited when the limit is reached. Every forward is an event in the
    history. Counting, the mail's run and the event are one write transaction (BEGIN
    IMMEDIATE), so parallel requests in several workers cannot all pass the count.
    """
    subject = mailtext.subject("dns_records", customer=customer)
    db = svc.db
    with db.atomic():
        admit_forward(db, customer["id"])
        send_later(svc, customer["id"], Letter([to], subject, text), "customer")
        store.add_event(db, customer["id"], "customer", "records-forwarded", data={"to": to})


def manager_addresses(db: Database, customer_id: int) -> list[str]:
    """The customer's assigned PEIQ contact; every active manager when nobody (active) is."""
    contact = store.peiq_contact(db, store.get_customer(db, customer_id) or {})
    if contact:
        return [contact["email"]]
    return [row[0] for row in db.execute("SELECT email FROM managers WHERE active = 1 ORDER BY id")]


def inform_peiq(svc: Service, customer: dict, status_url: str, manage_url: str) -> None:
    """Mark `peiq-informed`, show it on the dashboard and mail the managers if mail is set up.

    Required records that are not in order yet are named in the item, on the manager's page
    and in the mail, so PEIQ never reads "the records are in place" when they are not; the
    item then stays open (the records are the customer's to fix). A notice the managers
    already have and have not looked at is not mailed again (`limits.already_told`); a changed one
    is. The item and the mail's run are stored together: the item never says "wartet auf
    PEIQ" while no mail is on its way.
    """
    db = svc.db
    with db.atomic():  # read, decide and write in one: parallel clicks mail once
        rows = store.item_rows(db, customer["id"])
        states = {i: rows[i]["state"] if i in rows else "open" for i in DNS_ITEMS}
        items = svc.obligation.items
        red = [i for i, s in states.items() if items[i].required and s not in ("done", "warning")]
        told = already_told(rows.get("peiq-informed"), red)
        # empty: the managers have this very notice and have not looked yet, or mail is off
        to = (
            [] if told or not mail.configured(svc.config) else manager_addresses(db, customer["id"])
        )
        # with records not in order nothing is in place yet: PEIQ knows, the step stays open
        detail = {"waiting_for": "manager", "dns": states, "red": red}
        store.set_item(db, customer["id"], "peiq-informed", "open" if red else "done",
                       "customer", detail)  # fmt: skip
        if to:
            letter = _inform_letter(customer, items, states, red, (manage_url, status_url))
            send_later(svc, customer["id"], Letter(to, *letter), "customer")


def _inform_letter(customer: dict, items, states: dict, red: list[str],
                   links: tuple[str, str]) -> tuple[str, str]:  # fmt: skip
    """(subject, text) of the managers' mail after "PEIQ informieren"
    (templates/mail/peiq_informed.txt)."""
    manage_url, status_url = links
    return mailtext.render(
        "peiq_informed", customer=customer, manage_url=manage_url, status_url=status_url,
        states=[(items[i].title, s) for i, s in states.items()],
        red=[items[i] for i in red],
    )  # fmt: skip
